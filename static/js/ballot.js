// Secret ballots: on the member's paper, the count of nominees decided follows each tap, and
// 核对选择 with one left out scrolls to it instead of the browser's bubble; on the chair's
// console, the turnout (n / m voted) is fetched every few seconds and the page reloads when the
// ballot's state changes. Without JavaScript the radios' "required", the server's summary
// step and a 刷新 link do the same.
(function () {
  "use strict";

  var form = document.querySelector("[data-ballot-form]");
  if (form) {
    var cards = Array.prototype.slice.call(form.querySelectorAll("[data-ballot-nominee]"));
    var count = document.querySelector("[data-ballot-count]");
    var countTemplate = form.getAttribute("data-count-template") || "";
    var missingTemplate = form.getAttribute("data-missing-template") || "";
    var decided = function (card) { return !!card.querySelector("input[type=radio]:checked"); };
    var update = function () {
      var done = cards.filter(decided).length;
      if (count) {
        count.textContent = countTemplate.replace("{done}", done).replace("{total}", cards.length);
        count.classList.remove("is-missing");
      }
    };
    var mark = function (card, missing) {
      card.classList.toggle("is-missing", missing);
      var note = card.querySelector(".ballot-missing");
      if (missing && !note) {
        note = document.createElement("p");
        note.className = "error ballot-missing";
        note.textContent = form.getAttribute("data-choose") || "";
        card.appendChild(note);
      } else if (!missing && note) {
        note.parentNode.removeChild(note);
      }
    };
    form.noValidate = true;
    form.addEventListener("change", function (event) {
      var card = event.target.closest("[data-ballot-nominee]");
      if (card) mark(card, false);
      update();
    });
    form.addEventListener("submit", function (event) {
      var missing = cards.filter(function (c) { return !decided(c); });
      cards.forEach(function (c) { mark(c, missing.indexOf(c) !== -1); });
      if (missing.length) {
        event.preventDefault();
        if (count) {
          count.textContent = missingTemplate.replace("{n}", missing.length);
          count.classList.add("is-missing");
        }
        missing[0].scrollIntoView({ block: "start" });
      }
    });
    update();
  }

  // A second tap on 确认提交 while the first is on its way is ignored.
  var confirmForm = document.querySelector("[data-ballot-confirm]");
  if (confirmForm) {
    var sent = false;
    confirmForm.addEventListener("submit", function (event) {
      if (sent) { event.preventDefault(); return; }
      sent = true;
    });
  }

  var bar = document.querySelector("[data-bar]");
  var paint = function (voted, members) {
    if (!bar) return;
    bar.setAttribute("aria-valuenow", String(voted));
    var fill = bar.querySelector("span");
    if (fill) fill.style.width = (members ? (100 * voted / members) : 0) + "%";
  };
  if (bar) paint(Number(bar.getAttribute("aria-valuenow")) || 0, Number(bar.getAttribute("aria-valuemax")) || 0);

  var turnout = document.querySelector("[data-turnout]");
  if (turnout && window.fetch) {
    var url = turnout.getAttribute("data-turnout");
    var status = turnout.getAttribute("data-status");
    var voted = turnout.querySelector("[data-voted]");
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          if (data.status !== status) { window.location.reload(); return; }
          if (voted) voted.textContent = String(data.voted);
          // The close dialog names the turnout as it is now, not as the page was loaded.
          var close = document.querySelector("[data-close-ballot] [data-confirm]");
          if (close && data.close_text) close.setAttribute("data-confirm", data.close_text);
          paint(data.voted, data.members);
        })
        .catch(function () { /* the next poll tries again */ });
    };
    window.setInterval(poll, 3000);
  }
})();
