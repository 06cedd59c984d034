// A background import's progress bar (templates/macros/imports.html import_progress): poll the
// job's state every second, show its stage, and reload the page once it has finished so the
// server renders the result or the refusal report.
(function () {
  "use strict";
  var card = document.getElementById("import-progress");
  if (!card || !card.dataset.jobUrl) return;
  var stage = card.querySelector("[data-job-stage]");
  var bar = card.querySelector("progress");
  function label(state) {
    if (state.stage === "write") {
      return card.dataset.stageWrite.replace("{done}", state.done).replace("{total}", state.total);
    }
    return state.stage === "validate" ? card.dataset.stageValidate : card.dataset.stageRead;
  }
  function poll() {
    fetch(card.dataset.jobUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        if (state.finished) { window.location.reload(); return; }
        stage.textContent = label(state);
        if (state.stage === "write") bar.value = state.percent;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
