// The score sheet (templates/judging/sheet.html): ask before submitting, warn before leaving
// with unsaved changes. Without JavaScript the server asks for confirmation in a second step.
(function () {
  "use strict";
  var form = document.querySelector("[data-sheet-form]");
  var configNode = document.getElementById("sheet-config");
  if (!form || !configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var confirmed = form.querySelector("[data-confirmed]");
  var dirty = false;

  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });

  var submitButton = form.querySelector("[data-confirm-submit]");
  if (submitButton && confirmed) {
    submitButton.addEventListener("click", function (event) {
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
