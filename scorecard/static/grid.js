/* Score grid (templates/scores/grid.html): keyboard navigation, validation as typed and
 * saving each cell through fetch (JSON, X-CSRFToken header) to scores.save_cell.
 *
 * Keys:  ↑ ↓ always move up/down;  ← → move left/right when the caret is at the start/end of
 * the text or the whole value is selected (it is, right after arriving in a cell), otherwise
 * they move the caret;  Tab / Shift+Tab move right/left (wrapping to the next/previous row);
 * Enter saves and moves down (Shift+Enter: up);  Esc reverts the cell to its saved value;
 * F2 drops the whole-cell selection so the value can be edited in place.
 * A cell saves when it is left (blur) or on Enter. No inline script, no eval (CSP).
 */
(function () {
  "use strict";

  var table = document.getElementById("score-grid");
  if (!table) { return; }
  var editable = table.getAttribute("data-editable") === "1";
  var saveUrl = table.getAttribute("data-save-url");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute("content") : "";
  var statusLine = document.getElementById("grid-status");
  var box = document.getElementById("reason-box");
  var boxTitle = document.getElementById("reason-title");
  var boxInput = document.getElementById("reason-input");
  var boxError = document.getElementById("reason-error");
  var boxLink = document.getElementById("reason-link");
  var counts = table.querySelectorAll("tfoot td[data-count]");
  var FULLWIDTH = "０１２３４５６７８９．";
  var rows = [];
  var asking = null; // {cell, value, after} while the reason box is open

  Array.prototype.forEach.call(table.tBodies[0].rows, function (tr) {
    var cells = Array.prototype.slice.call(tr.querySelectorAll("input.cell"));
    if (!cells.length) { return; }
    cells.forEach(function (cell, c) {
      cell.dataset.r = String(rows.length);
      cell.dataset.c = String(c);
    });
    rows.push(cells);
  });

  /* ---- numbers (in cents, so no floating point) ---- */
  function normalise(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var k = FULLWIDTH.indexOf(text.charAt(i));
      out += k < 0 ? text.charAt(i) : (k === 10 ? "." : String(k));
    }
    return out.replace(/^[\s\u3000]+|[\s\u3000]+$/g, "");
  }
  function cents(text) {
    var parts = String(text).split(".");
    var frac = ((parts[1] || "") + "00").slice(0, 2);
    return parseInt(parts[0] || "0", 10) * 100 + parseInt(frac, 10);
  }
  function plain(text) {
    return String(text).indexOf(".") < 0 ? String(text) : String(text).replace(/\.?0+$/, "");
  }
  function same(a, b) {
    if (a === "" || b === "") { return a === b; }
    return cents(a) === cents(b);
  }
  function check(cell) {
    var v = normalise(cell.value);
    var max = plain(cell.dataset.max);
    if (v === "") { return {value: ""}; }
    if (/^-\s*(\d+\.?\d*|\.\d+)$/.test(v)) { return {error: "得分不能为负数"}; }
    if (!/^(\d+\.?\d*|\.\d+)$/.test(v)) { return {error: "请输入数字（0～" + max + "分）"}; }
    var dot = v.indexOf(".");
    if (dot >= 0 && v.length - dot - 1 > 2) { return {error: "得分最多保留两位小数"}; }
    if (cents(v) > cents(cell.dataset.max)) { return {error: "得分" + v + "超出满分" + max + "分"}; }
    return {value: v};
  }

  /* ---- display ---- */
  function say(text, kind) {
    statusLine.textContent = text;
    statusLine.className = "status-line" + (kind ? " " + kind : "");
  }
  function rowOf(cell) { return cell.closest("tr"); }
  function label(cell) {
    return rowOf(cell).dataset.org + " · " + cell.dataset.leaf + " " + cell.dataset.name;
  }
  function markInvalid(cell, message) {
    cell.classList.add("invalid");
    cell.setAttribute("title", message);
    cell.setAttribute("aria-invalid", "true");
  }
  function markValid(cell) {
    cell.classList.remove("invalid");
    cell.setAttribute("title", cell.dataset.hint || "");
    cell.removeAttribute("aria-invalid");
  }
  function flashSaved(cell) {
    cell.classList.add("saved");
    window.clearTimeout(cell._flash);
    cell._flash = window.setTimeout(function () { cell.classList.remove("saved"); }, 1500);
  }
  function updateCount(c) {
    var n = 0;
    rows.forEach(function (cells) { if (cells[c] && cells[c].dataset.saved !== "") { n += 1; } });
    if (counts[c]) { counts[c].textContent = String(n); }
  }

  /* ---- saving ---- */
  function needsReason(cell, value) {
    return cell.dataset.rule === "deduct" && value !== "" && cents(value) < cents(cell.dataset.max);
  }
  function save(cell, reason) {
    if (!editable) { return "skip"; }
    var res = check(cell);
    if (res.error) {
      markInvalid(cell, res.error);
      say(label(cell) + "：" + res.error, "error");
      return "invalid";
    }
    if (cell.dataset.stale === res.value) { return "stale"; }
    if (!reason && same(res.value, cell.dataset.saved)) {
      markValid(cell);
      return "unchanged";
    }
    if (!reason && cell.dataset.pending === res.value) { return "pending"; }
    if (!reason && needsReason(cell, res.value)) {
      openReason(cell, res.value);
      return "reason";
    }
    markValid(cell);
    send(cell, res.value, reason || "");
    return "sent";
  }
  function send(cell, value, reason) {
    var body = {
      target_id: parseInt(rowOf(cell).dataset.target, 10),
      leaf_code: cell.dataset.leaf,
      value: value,
      version: cell.dataset.version ? parseInt(cell.dataset.version, 10) : null
    };
    if (reason) { body.reason = reason; }
    cell.dataset.pending = value;
    cell.dataset.state = "pending";
    say("正在保存：" + label(cell) + "…");
    fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token},
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () {
        return {ok: false, error: resp.status === 400 ? "页面已过期，请刷新后重试" : "保存失败（HTTP " + resp.status + "）"};
      }).then(function (data) { return {status: resp.status, data: data}; });
    }).then(function (r) {
      delete cell.dataset.pending;
      if (r.data.ok) { onSaved(cell, value, r.data); } else { onFailed(cell, value, r.status, r.data); }
    }).catch(function () {
      delete cell.dataset.pending;
      onFailed(cell, value, 0, {error: "保存失败：无法连接服务器，请检查网络后重试"});
    });
  }
  function onSaved(cell, sent, data) {
    cell.dataset.version = data.version === null || data.version === undefined ? "" : String(data.version);
    cell.dataset.saved = data.points || "";
    cell.dataset.hint = data.title || "";
    cell.dataset.state = "saved";
    delete cell.dataset.stale;
    if (same(normalise(cell.value), sent)) {
      cell.value = cell.dataset.saved;
      markValid(cell);
    }
    flashSaved(cell);
    rowOf(cell).querySelector("td[data-total]").textContent = data.row_total || "";
    updateCount(parseInt(cell.dataset.c, 10));
    say("已保存：" + label(cell) + (data.points ? " = " + data.points + "分" : "（已清除）"), "ok");
  }
  function onFailed(cell, sent, code, data) {
    var message = data.error || "保存失败";
    if (code === 400 && data.field === "reason" && cell.dataset.rule === "deduct") {
      openReason(cell, sent);
      return;
    }
    if (code === 409) { cell.dataset.stale = sent; }
    cell.dataset.state = "error";
    markInvalid(cell, message);
    say("未保存：" + message, "error");
  }
  function revert(cell) {
    cell.value = cell.dataset.saved;
    delete cell.dataset.stale;
    cell.dataset.state = "";
    markValid(cell);
    say("已撤销：" + label(cell));
  }

  /* ---- the inline reason prompt (deduct leaves below full marks) ---- */
  function openReason(cell, value) {
    if (asking && asking.cell === cell) { asking.value = value; return; }
    if (asking) { revert(asking.cell); }
    asking = {cell: cell, value: value, after: null};
    var minus = (cents(cell.dataset.max) - cents(value)) / 100;
    boxTitle.textContent = label(cell) + "：得分" + value + "分，扣" + minus.toFixed(2) +
      "分。扣分项低于满分须写明扣分原因：";
    boxLink.setAttribute("href", rowOf(cell).dataset.url + "#leaf-" + cell.dataset.leaf);
    boxInput.value = "";
    boxError.textContent = "";
    box.hidden = false;
    say("请填写扣分原因后保存（Enter 确定，Esc 取消）");
    boxInput.focus();
  }
  function closeReason() {
    var current = asking;
    asking = null;
    box.hidden = true;
    return current;
  }
  function confirmReason() {
    var text = boxInput.value.trim();
    if (!text) {
      boxError.textContent = "请填写扣分原因";
      boxInput.focus();
      return;
    }
    var current = closeReason();
    if (!current) { return; }
    send(current.cell, current.value, text);
    if (current.after) { current.after(); } else { focusCell(current.cell); }
  }
  function cancelReason() {
    var current = closeReason();
    if (!current) { return; }
    revert(current.cell);
    focusCell(current.cell);
  }

  /* ---- navigation ---- */
  function focusCell(cell) {
    cell.focus();
    cell.select();
  }
  function move(cell, dr, dc) {
    var r = parseInt(cell.dataset.r, 10) + dr;
    var c = parseInt(cell.dataset.c, 10) + dc;
    if (r < 0 || r >= rows.length || c < 0 || c >= rows[r].length) { return false; }
    focusCell(rows[r][c]);
    return true;
  }
  function moveTab(cell, dir) {
    var r = parseInt(cell.dataset.r, 10);
    var c = parseInt(cell.dataset.c, 10) + dir;
    if (c >= rows[r].length) { r += 1; c = 0; }
    if (c < 0) { r -= 1; c = r >= 0 ? rows[r].length - 1 : 0; }
    if (r < 0 || r >= rows.length) { return false; }
    focusCell(rows[r][c]);
    return true;
  }
  function atEdge(cell, dir) {
    var start = cell.selectionStart;
    var end = cell.selectionEnd;
    var n = cell.value.length;
    if (start === 0 && end === n) { return true; }
    if (start !== end) { return false; }
    return dir < 0 ? start === 0 : start === n;
  }
  function onEnter(cell, dr) {
    var result = save(cell);
    if (result === "invalid" || result === "stale") { return; }
    if (result === "reason") {
      asking.after = function () { if (!move(cell, dr, 0)) { focusCell(cell); } };
      return;
    }
    move(cell, dr, 0);
  }
  function onKey(e) {
    var cell = e.target;
    if (!cell.classList || !cell.classList.contains("cell")) { return; }
    var key = e.key;
    if (key === "Enter") {
      e.preventDefault();
      onEnter(cell, e.shiftKey ? -1 : 1);
    } else if (key === "Escape") {
      e.preventDefault();
      revert(cell);
      cell.select();
    } else if (key === "Tab") {
      if (moveTab(cell, e.shiftKey ? -1 : 1)) { e.preventDefault(); }
    } else if (key === "ArrowUp" || key === "ArrowDown") {
      e.preventDefault();
      move(cell, key === "ArrowUp" ? -1 : 1, 0);
    } else if ((key === "ArrowLeft" || key === "ArrowRight") && atEdge(cell, key === "ArrowLeft" ? -1 : 1)) {
      e.preventDefault();
      move(cell, 0, key === "ArrowLeft" ? -1 : 1);
    } else if (key === "F2") {
      e.preventDefault();
      cell.setSelectionRange(cell.value.length, cell.value.length);
    }
  }
  function onInput(e) {
    var cell = e.target;
    if (!cell.classList || !cell.classList.contains("cell")) { return; }
    delete cell.dataset.stale;
    var res = check(cell);
    if (res.error) {
      markInvalid(cell, res.error);
      cell.dataset.state = "error";
      say(label(cell) + "：" + res.error, "error");
    } else {
      markValid(cell);
      cell.dataset.state = same(res.value, cell.dataset.saved) ? "" : "dirty";
      say("");
    }
  }

  table.addEventListener("keydown", onKey);
  table.addEventListener("input", onInput);
  table.addEventListener("focusin", function (e) {
    if (e.target.classList && e.target.classList.contains("cell")) { e.target.select(); }
  });
  table.addEventListener("focusout", function (e) {
    if (e.target.classList && e.target.classList.contains("cell")) { save(e.target); }
  });
  boxInput.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); confirmReason(); }
    if (e.key === "Escape") { e.preventDefault(); cancelReason(); }
  });
  document.getElementById("reason-ok").addEventListener("click", confirmReason);
  document.getElementById("reason-cancel").addEventListener("click", cancelReason);
}());
