// The score sheet (templates/judging/sheet.html, and a labor round's sheets in
// templates/labor/): running subtotals, total and "已填 n / m" as the judge types; after a refused save, jump to the first error and clear each message once
// its aspect is filled; refuse to submit an incomplete sheet and name what is missing; ask
// before submitting; warn before leaving with unsaved changes. Without JavaScript the server
// renders the counts and asks for confirmation in a second step.
(function () {
  "use strict";
  var form = document.querySelector("[data-sheet-form]");
  var configNode = document.getElementById("sheet-config");
  if (!form || !configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var confirmed = form.querySelector("[data-confirmed]");
  var aspects = Array.prototype.slice.call(form.querySelectorAll("[data-aspect]"));
  var summary = form.querySelector("[data-error-summary]");
  var incomplete = form.querySelector("[data-incomplete]");
  var dirty = false;

  // Marked by choosing (judgement levels, a labor sheet's 是/否): each choice carries the
  // points it is worth in data-points.
  function isChoice(aspect) {
    return aspect.dataset.kind === "judgement" || aspect.hasAttribute("data-choice");
  }

  // A rate item's points for a figure: full at data-threshold, data-step-deduction off per
  // started data-per-step short, never below 0 (scoring.indicators.Item; the server's figure
  // is the one that counts).
  function rateCents(aspect, value) {
    var data = aspect.dataset;
    var shortfall = Math.max(parseFloat(data.threshold) - value, 0);
    var steps = Math.ceil(Math.round(shortfall / parseFloat(data.perStep) * 1e9) / 1e9);
    var points = parseFloat(data.max) - steps * parseFloat(data.stepDeduction);
    return Math.max(Math.round(points * 100), 0);
  }

  // Cents of what an aspect's value is worth, or null when it is empty or not a valid mark.
  function cents(aspect) {
    if (isChoice(aspect)) {
      var checked = aspect.querySelector("input:checked");
      return checked ? Math.round(parseFloat(checked.dataset.points) * 100) : null;
    }
    var input = aspect.querySelector("input");
    var text = input.value.trim();
    if (text === "" || !input.validity.valid) { return null; }
    var value = Math.round(parseFloat(text) * 100);
    if (isNaN(value)) { return null; }
    if (aspect.dataset.kind === "rate") { return rateCents(aspect, parseFloat(text)); }
    return aspect.dataset.kind === "deduction"
      ? Math.round(parseFloat(aspect.dataset.max) * 100) - value : value;
  }

  function isEmpty(aspect) {
    if (isChoice(aspect)) { return !aspect.querySelector("input:checked"); }
    return aspect.querySelector("input").value.trim() === "";
  }

  function show(centsValue) {
    return String(centsValue / 100);
  }

  // A labor sheet's bonus items add at most data-bonus-cap to the total (none: no cap).
  var bonusCap = form.dataset.bonusCap ? Math.round(parseFloat(form.dataset.bonusCap) * 100) : null;

  function refresh() {
    var filled = 0;
    var total = 0;
    var bonus = 0;
    form.querySelectorAll("[data-component]").forEach(function (component) {
      var subtotal = 0;
      component.querySelectorAll("[data-aspect]").forEach(function (aspect) {
        var worth = cents(aspect);
        if (worth === null) { return; }
        filled += 1;
        subtotal += worth;
        if (aspect.dataset.kind === "bonus") { bonus += worth; }
      });
      total += subtotal;
      var out = component.querySelector("[data-subtotal]");
      if (out) { out.textContent = show(subtotal); }
    });
    if (bonusCap !== null && bonus > bonusCap) { total -= bonus - bonusCap; }
    var filledOut = form.querySelector("[data-filled]");
    var totalOut = form.querySelector("[data-total]");
    if (filledOut) { filledOut.textContent = String(filled); }
    if (totalOut) { totalOut.textContent = show(total); }
  }

  function clearError(aspect) {
    if (!aspect.classList.contains("has-error") || cents(aspect) === null) { return; }
    aspect.classList.remove("has-error");
    aspect.querySelectorAll(".error").forEach(function (node) { node.remove(); });
    aspect.querySelectorAll("[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
    });
    if (!summary) { return; }
    var item = summary.querySelector('[data-error-for="' + aspect.id + '"]');
    if (item) { item.remove(); }
    var left = summary.querySelectorAll("[data-error-for]").length;
    summary.querySelector("[data-error-count]").textContent = config.errors.replace("__N__", left);
    summary.hidden = left === 0;
  }

  function onChange(event) {
    dirty = true;
    var aspect = event.target.closest("[data-aspect]");
    if (aspect) { clearError(aspect); }
    if (incomplete) { incomplete.hidden = true; }
    refresh();
  }
  form.addEventListener("input", onChange);
  form.addEventListener("change", onChange);
  window.addEventListener("pageshow", refresh);  // values the browser restored on "back"

  function focusAspect(aspect) {
    aspect.scrollIntoView({ block: "center" });
    var target = aspect.querySelector("input:not([disabled])");
    if (target) { target.focus({ preventScroll: true }); }
  }

  // After a refused save: the first aspect with a message gets the focus.
  var firstError = form.querySelector("[data-aspect].has-error");
  if (firstError && summary && !summary.hidden) { focusAspect(firstError); }
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#aspect-']");
      if (!link) { return; }
      var aspect = document.getElementById(link.getAttribute("href").slice(1));
      if (aspect) { event.preventDefault(); focusAspect(aspect); }
    });
  }

  var submitButton = form.querySelector("[data-confirm-submit]");
  if (submitButton && confirmed) {
    submitButton.addEventListener("click", function (event) {
      var missing = aspects.filter(function (aspect) { return isEmpty(aspect); });
      if (missing.length && incomplete) {
        event.preventDefault();
        var keys = missing.map(function (aspect) { return aspect.dataset.aspect; }).join("、");
        incomplete.textContent = config.incomplete.replace("__N__", missing.length)
          .replace("__KEYS__", keys);
        incomplete.hidden = false;
        incomplete.scrollIntoView({ block: "center" });
        return;
      }
      if (!form.checkValidity()) { return; }  // let the browser show the field messages
      if (window.confirm(config.confirm)) {
        confirmed.value = "1";
      } else {
        event.preventDefault();
      }
    });
  }
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = config.leave;
      return config.leave;
    }
  });
})();
