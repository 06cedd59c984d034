// The print button of the printable pages: draw lists (contests/draws*) and password slips (admin).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
