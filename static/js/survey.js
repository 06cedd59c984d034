// 会员评家 phone page: the progress counter and bar follow the answers; a submit with a
// question left out scrolls to it and says so instead of the browser's bubble; a second tap
// on 提交 is ignored. Without JavaScript the radios' "required" and the server do the same.
(function () {
  "use strict";
  var form = document.querySelector("[data-survey-form]");
  if (!form) return;
  var cards = Array.prototype.slice.call(form.querySelectorAll("[data-survey-question]"));
  var count = document.querySelector("[data-survey-count]");
  var bar = document.querySelector("[data-survey-bar]");
  var fill = document.querySelector("[data-survey-fill]");
  var submit = form.querySelector("[data-survey-submit]");
  var countTemplate = form.getAttribute("data-count-template") || "";
  var missingTemplate = form.getAttribute("data-missing-template") || "";
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var sending = false;

  function answered(card) { return !!card.querySelector("input[type=radio]:checked"); }

  function update() {
    var done = cards.filter(answered).length;
    if (count) {
      count.textContent = countTemplate.replace("{done}", done).replace("{total}", cards.length);
      count.classList.remove("is-missing");
    }
    if (bar) bar.setAttribute("aria-valuenow", String(done));
    if (fill) fill.style.width = (cards.length ? (100 * done / cards.length) : 0) + "%";
    return done;
  }

  function mark(card, missing) {
    card.classList.toggle("is-missing", missing);
    var note = card.querySelector(".survey-missing");
    if (missing && !note) {
      note = document.createElement("p");
      note.className = "error survey-missing";
      note.textContent = form.getAttribute("data-choose") || "";
      card.appendChild(note);
    } else if (!missing && note) {
      note.parentNode.removeChild(note);
    }
  }

  form.noValidate = true;  // our own check below names the questions left out
  form.addEventListener("change", function (event) {
    var card = event.target.closest("[data-survey-question]");
    if (!card) return;
    var wasMissing = card.classList.contains("is-missing");
    mark(card, false);
    update();
    // After a first answer, bring the next unanswered question into view.
    if (event.target.getAttribute("data-touched") === null) {
      Array.prototype.forEach.call(card.querySelectorAll("input"), function (input) {
        input.setAttribute("data-touched", "1");
      });
      var index = cards.indexOf(card);
      var next = cards.slice(index + 1).filter(function (c) { return !answered(c); })[0];
      if (next && !wasMissing) next.scrollIntoView({ behavior: reduced ? "auto" : "smooth", block: "start" });
    }
  });

  form.addEventListener("submit", function (event) {
    if (sending) { event.preventDefault(); return; }
    var missing = cards.filter(function (c) { return !answered(c); });
    cards.forEach(function (c) { mark(c, missing.indexOf(c) !== -1); });
    if (missing.length) {
      event.preventDefault();
      if (count) {
        count.textContent = missingTemplate.replace("{n}", missing.length);
        count.classList.add("is-missing");
      }
      var first = missing[0].querySelector("input[type=radio]");
      if (first) first.focus({ preventScroll: true });
      missing[0].scrollIntoView({ block: "start" });  // at once: a smooth jump can be cut short
      return;
    }
    sending = true;
    if (submit) submit.disabled = true;
  });

  update();
})();
