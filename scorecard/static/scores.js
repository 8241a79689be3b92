/* Per-target score page (templates/scores/target.html): add/remove deduction rows, a live
 * preview of the points, and a (non-mandatory) reminder to comment when the result is below
 * full marks. The forms work without this script; the server computes the saved points.
 */
(function () {
  "use strict";

  function num(el) {
    if (!el || el.value.trim() === "") { return null; }
    var n = Number(el.value.trim());
    return isFinite(n) ? n : NaN;
  }
  function field(form, name) { return form.querySelector('[name="' + name + '"]'); }
  function checked(form, name) {
    var el = form.querySelector('[name="' + name + '"]:checked');
    return el ? el.value : null;
  }
  function named(pairs, key) {
    for (var i = 0; i < (pairs || []).length; i++) {
      if (pairs[i][0] === key) { return Number(pairs[i][1]); }
    }
    return null;
  }
  function round2(x) { return Math.round((x + 1e-9) * 100) / 100; }

  function deducted(form, params) {
    var total = 0;
    var rowsEl = form.querySelectorAll(".deduct-row");
    for (var i = 0; i < rowsEl.length; i++) {
      var v = num(rowsEl[i].querySelector(params.per ? '[name="d_times"]' : '[name="d_points"]'));
      if (v === null) { continue; }
      if (isNaN(v)) { return NaN; }
      total += params.per ? v * Number(params.per) : v;
    }
    return total;
  }
  function votes(form, max) {
    var sum = 0;
    var weighted = 0;
    var inputs = form.querySelectorAll('input[name^="vote_"]');
    for (var i = 0; i < inputs.length; i++) {
      var n = num(inputs[i]) || 0;
      sum += n;
      weighted += n * Number(inputs[i].getAttribute("data-weight"));
    }
    return sum > 0 ? max * weighted / sum : null;
  }
  /* The points the typed input would give (null: not enough input yet). */
  function preview(leaf, form) {
    var max = Number(leaf.getAttribute("data-max"));
    var params = JSON.parse(leaf.getAttribute("data-params") || "{}");
    var v;
    var t;
    switch (leaf.getAttribute("data-rule")) {
    case "direct":
      return num(field(form, "value"));
    case "deduct":
      return Math.max(0, max - deducted(form, params));
    case "count":
      v = num(field(form, "count"));
      return v === null ? null : Math.min(max, v * Number(params.per));
    case "grade":
      v = named(params.levels, checked(form, "level"));
      return v === null ? null : max * v;
    case "ratio":
      v = num(field(form, "actual"));
      t = num(field(form, "target"));
      return v === null || !t ? null : Math.min(max, max * v / t);
    case "check":
      v = checked(form, "met");
      return v === null ? null : (v === "1" ? max : 0);
    case "vote":
      return votes(form, max);
    default:
      v = num(field(form, "done"));
      t = num(field(form, "due"));
      if (v === null || t === null) { return null; }
      return t === 0 ? max : max * v / t;
    }
  }

  function refresh(leaf) {
    var form = leaf.querySelector("form");
    var out = leaf.querySelector(".preview");
    var warn = leaf.querySelector(".comment-warn");
    var comment = form.querySelector('[name="comment"]');
    var max = Number(leaf.getAttribute("data-max"));
    var points = preview(leaf, form);
    var known = points !== null && !isNaN(points) && points >= 0 && points <= max;
    if (out) {
      out.hidden = !known;
      out.textContent = known ? "按当前录入预计得分：" + round2(points).toFixed(2) + "分（保存后以系统计算为准）" : "";
    }
    if (warn && known) {
      warn.hidden = !(round2(points) < max && comment.value.trim() === "" &&
                      leaf.getAttribute("data-rule") !== "deduct");
    }
  }

  function addRow(leaf) {
    var body = leaf.querySelector(".deduct-rows");
    var last = body.querySelector(".deduct-row:last-child");
    var row = last.cloneNode(true);
    Array.prototype.forEach.call(row.querySelectorAll("input"), function (el) { el.value = ""; });
    body.appendChild(row);
    row.querySelector("input").focus();
    refresh(leaf);
  }
  function removeRow(leaf, button) {
    var body = leaf.querySelector(".deduct-rows");
    var row = button.closest(".deduct-row");
    if (body.querySelectorAll(".deduct-row").length > 1) {
      body.removeChild(row);
    } else {
      Array.prototype.forEach.call(row.querySelectorAll("input"), function (el) { el.value = ""; });
    }
    refresh(leaf);
  }

  Array.prototype.forEach.call(document.querySelectorAll("article.leaf"), function (leaf) {
    var form = leaf.querySelector("form");
    if (!form) { return; }
    Array.prototype.forEach.call(leaf.querySelectorAll(".add-row, .remove-row"), function (b) {
      b.hidden = false;
    });
    leaf.addEventListener("click", function (e) {
      var target = e.target;
      if (target.classList.contains("add-row")) { addRow(leaf); }
      if (target.classList.contains("remove-row")) { removeRow(leaf, target); }
    });
    form.addEventListener("input", function () { refresh(leaf); });
    form.addEventListener("change", function () { refresh(leaf); });
  });
}());
