// Competition set-up niceties; every page works without this file.
// - an indicator item's form shows only the fields its kind uses (points, step, the rate
//   columns, the veto's scope);
// - a participant's form shows 所属参赛单位 for a 班组 and 所属组织 otherwise;
// - the schedule form shows the milestone lines only when 按节点 is chosen.
(function () {
  "use strict";

  var ITEM_FIELDS = {
    "kind-points": ["measurement", "deduction", "bonus", "rate"],
    "kind-step": ["measurement", "deduction", "bonus"],
    "kind-rate": ["rate"],
    "kind-veto": ["veto"]
  };

  function toggle(form, select, rules) {
    Object.keys(rules).forEach(function (cls) {
      var shown = rules[cls](select.value);
      form.querySelectorAll("." + cls).forEach(function (el) { el.hidden = !shown; });
    });
  }

  function wire(form, selector, rules) {
    var select = form.querySelector(selector);
    if (!select) { return; }
    var sync = function () { toggle(form, select, rules); };
    select.addEventListener("change", sync);
    sync();
  }

  document.querySelectorAll("[data-item-form]").forEach(function (form) {
    var rules = {};
    Object.keys(ITEM_FIELDS).forEach(function (cls) {
      rules[cls] = function (kind) { return ITEM_FIELDS[cls].indexOf(kind) >= 0; };
    });
    wire(form, "[data-item-kind]", rules);
  });

  document.querySelectorAll("[data-participant-form]").forEach(function (form) {
    wire(form, "[data-participant-kind]", {
      "kind-team": function (kind) { return kind === "team"; },
      "kind-not-team": function (kind) { return kind !== "team"; }
    });
  });

  document.querySelectorAll("[data-schedule-form]").forEach(function (form) {
    wire(form, "[data-schedule-pattern]", {
      "pattern-milestones": function (pattern) { return pattern === "milestones"; }
    });
  });
})();
