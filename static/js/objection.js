// The public objection form: the seal upload shows only when a unit objects (without script it
// is always shown, and the server asks for it only from a unit).
(function () {
  var form = document.querySelector("[data-objection-form]");
  if (!form) return;
  var sealBox = form.querySelector("[data-unit-only]");
  var radios = form.querySelectorAll("[data-by-unit]");
  function sync() {
    var unit = false;
    radios.forEach(function (radio) { if (radio.checked && radio.value === "unit") unit = true; });
    if (sealBox) sealBox.hidden = !unit;
  }
  radios.forEach(function (radio) { radio.addEventListener("change", sync); });
  sync();
})();
