// Rubric builder niceties; every page works without this file.
// - the aspect form shows only the fields its kind uses (levels and descriptors for judgement,
//   step and marking standard for measurement and deduction).
// Buttons with data-confirm (replacing a component's rubric) ask through app.js's dialog.
(function () {
  "use strict";

  function syncKind(form) {
    var select = form.querySelector("[data-aspect-kind]");
    if (!select) { return; }
    var judgement = select.value === "judgement";
    form.querySelectorAll(".kind-judgement").forEach(function (el) { el.hidden = !judgement; });
    form.querySelectorAll(".kind-points").forEach(function (el) { el.hidden = judgement; });
  }

  document.querySelectorAll("[data-aspect-form]").forEach(function (form) {
    var select = form.querySelector("[data-aspect-kind]");
    if (!select) { return; }
    select.addEventListener("change", function () { syncKind(form); });
    syncKind(form);
  });
})();
