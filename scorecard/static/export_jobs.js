// Polls a background export job's status (reports/job.html) and shows the download link.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var state = document.getElementById("job-state");
  var message = document.getElementById("job-message");
  var download = document.getElementById("job-download");
  var link = document.getElementById("job-download-link");
  var delay = 700;

  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    state.textContent = data.state_label;
    message.textContent = data.message;
    if (data.state === "done" && data.download) {
      link.href = data.download;
      download.hidden = false;
    }
    return data.state === "done" || data.state === "failed";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        if (!show(data)) { delay = Math.min(delay * 1.3, 3000); setTimeout(poll, delay); }
      })
      .catch(function () { message.textContent = "无法获取进度，稍后重试…"; setTimeout(poll, 3000); });
  }
  setTimeout(poll, 300);
})();
