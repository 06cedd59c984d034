// The union tree page: collapse and expand subtrees without a reload. Without JavaScript every
// row stays visible (the toggles are hidden until this script runs). Unions below the second
// level start collapsed so a federation's 3,000 基层工会 do not bury the districts.
(function () {
  "use strict";
  var table = document.querySelector("[data-tree-table]");
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-path]"));
  var tools = document.querySelector(".tree-tools");
  if (tools) { tools.hidden = false; }

  function setOpen(row, open) {
    var toggle = row.querySelector(".tree-toggle");
    if (toggle) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.textContent = open ? "▾" : "▸";
    }
  }

  function refresh() {
    // A row is visible when every ancestor row is open.
    var closed = rows.filter(function (row) {
      var toggle = row.querySelector(".tree-toggle");
      return toggle && toggle.getAttribute("aria-expanded") === "false";
    }).map(function (row) { return row.getAttribute("data-path"); });
    rows.forEach(function (row) {
      var path = row.getAttribute("data-path");
      row.hidden = closed.some(function (c) { return path !== c && path.indexOf(c) === 0; });
    });
  }

  rows.forEach(function (row) {
    var toggle = row.querySelector(".tree-toggle");
    if (!toggle) { return; }
    toggle.hidden = false;
    setOpen(row, Number(row.getAttribute("data-depth")) < 1);
    toggle.addEventListener("click", function () {
      setOpen(row, toggle.getAttribute("aria-expanded") !== "true");
      refresh();
    });
  });
  document.querySelectorAll("[data-tree]").forEach(function (button) {
    button.addEventListener("click", function () {
      var open = button.getAttribute("data-tree") === "expand";
      rows.forEach(function (row) { setOpen(row, open); });
      refresh();
    });
  });
  refresh();
})();
