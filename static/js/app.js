// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  var toggle = document.querySelector("[data-nav-toggle]");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // One drop-down open at a time; a click elsewhere or Escape closes it.
  var menus = Array.prototype.slice.call(document.querySelectorAll("details[data-menu]"));
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (!menu.open) return;
      menus.forEach(function (other) { if (other !== menu) other.open = false; });
    });
  });
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) menu.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus.forEach(function (menu) { menu.open = false; });
  });
})();

// Actions that cannot be undone (macros/confirm.html): the button opens a <dialog> naming the
// consequence; only its confirm button submits, after setting the form's confirmation field.
// Esc or 取消 closes it and focus returns to the button. Without JavaScript the server asks.
(function () {
  "use strict";
  if (typeof HTMLDialogElement !== "function") return;  // the server's confirmation page asks
  var dialog = null, pending = null, going = false;
  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    dialog.setAttribute("aria-describedby", "confirm-dialog-text");
    dialog.innerHTML = '<h2 id="confirm-dialog-title"></h2><p id="confirm-dialog-text"></p>' +
      '<div class="confirm-actions"><button type="button" class="button button-secondary" data-confirm-no></button>' +
      '<button type="button" class="button" data-confirm-yes></button></div>';
    document.body.appendChild(dialog);
    dialog.querySelector("[data-confirm-no]").addEventListener("click", function () { dialog.close(); });
    dialog.querySelector("[data-confirm-yes]").addEventListener("click", function () {
      var button = pending, form = button.form, field = form.querySelector("[data-confirm-field]");
      if (field) field.value = "1";
      pending = null;
      dialog.close();
      going = true;
      if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
      going = false;
    });
    dialog.addEventListener("close", function () {
      if (pending) { pending.focus(); pending = null; }  // cancelled: back where the user was
    });
  }
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (going || !button || !button.hasAttribute("data-confirm")) return;
    event.preventDefault();
    event.stopPropagation();
    if (!dialog) build();
    pending = button;
    dialog.querySelector("h2").textContent = button.getAttribute("data-confirm-title") || button.textContent;
    dialog.querySelector("p").textContent = button.getAttribute("data-confirm");
    dialog.querySelector("[data-confirm-yes]").textContent = button.getAttribute("data-confirm-ok") || button.textContent;
    dialog.querySelector("[data-confirm-no]").textContent = button.getAttribute("data-confirm-cancel") || "×";
    dialog.showModal();
    dialog.querySelector("[data-confirm-no]").focus();  // the safe choice has the focus
  }, true);
})();
