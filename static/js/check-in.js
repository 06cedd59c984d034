// The check-in desk (报名与检录): 检录 without a page reload, so the list keeps its scroll
// position at the door. The plain form still works without this script (the POST comes back
// to the row's anchor). The script posts the same form data, CSRF token included, asks for
// JSON, and puts the returned row and the 已检录 / 应到 counts in place. Anything it cannot
// read (an expired token's error page, a network failure) falls back to the ordinary submit.
(function () {
  "use strict";
  var desk = document.querySelector("[data-desk]");
  var table = document.getElementById("entries-table");
  if (!desk || !table || !window.fetch) { return; }
  var checked = desk.querySelector("[data-desk-checked]");
  var expected = desk.querySelector("[data-desk-expected]");
  var status = desk.querySelector("[data-desk-status]");

  function say(message, ok) {
    status.textContent = "";
    var span = document.createElement("span");
    span.className = ok ? "desk-ok" : "error";
    span.textContent = message;
    status.appendChild(span);
  }

  table.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-check-in]")) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button.disabled) { return; }
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error("not json"); }
      return response.json();
    }).then(function (data) {
      var row = form.closest("tr");
      var holder = document.createElement("tbody");
      holder.innerHTML = data.row.trim();
      var fresh = holder.firstElementChild;
      if (row && fresh) {
        row.replaceWith(fresh);
        fresh.classList.add("desk-flash");
        fresh.tabIndex = -1;  // the button is gone: keep the keyboard at this row
        fresh.focus({ preventScroll: true });
      }
      checked.textContent = data.checked_in;
      expected.textContent = data.expected;
      say(data.message, data.ok);
    }).catch(function () {
      form.submit();  // the server answers the plain way (flash and redirect)
    });
  });
})();
