// The big screen of a labor competition (site offices): the standings of each track in pages
// that fit the screen, one page every `interval` seconds, then the next track. The data arrives
// with the HTML; every `refresh` seconds (checked when a cycle ends) it is fetched again from
// data-api, so a newly published round shows without anyone touching the screen. A failed
// fetch keeps showing what it has. A rating (data.rating) is not a race: each union's grade
// instead of a rank, and no red flags.
(function () {
  "use strict";
  var stage = document.getElementById("screen");
  if (!stage) { return; }
  var strings = JSON.parse(document.getElementById("screen-strings").textContent);
  var data = JSON.parse(document.getElementById("screen-data").textContent);
  var interval = (parseInt(stage.dataset.interval, 10) || 10) * 1000;
  var refresh = (parseInt(stage.dataset.refresh, 10) || 300) * 1000;
  var loadedAt = Date.now();
  var slides = [];
  var index = 0;
  var el = function (name) { return stage.querySelector("[data-" + name + "]"); };

  function node(tag, className, text) {
    var item = document.createElement(tag);
    if (className) { item.className = className; }
    if (text !== undefined && text !== null) { item.textContent = text; }
    return item;
  }

  function flagIcon(size) {
    var img = node("img", "red-flag");
    img.src = stage.dataset.flag;
    img.alt = strings.flag;
    img.width = size;
    img.height = size;
    return img;
  }

  function rowsPerPage() {
    var fixed = parseInt(stage.dataset.perPage, 10) || 0;
    if (fixed) { return fixed; }
    // what fits between the board's heading and the footer, at the row height the CSS gives
    var board = stage.querySelector(".screen-board");
    var probe = stage.querySelector(".screen-table thead tr");
    var rowHeight = probe ? probe.getBoundingClientRect().height * 1.05 : 48;
    var room = board.getBoundingClientRect().height - rowHeight * 2.2;
    return Math.max(3, Math.floor(room / Math.max(rowHeight, 1)));
  }

  function build() {
    slides = [];
    var size = rowsPerPage();
    (data.tracks || []).forEach(function (track) {
      var rows = track.rows || [];
      var pages = Math.max(1, Math.ceil(rows.length / size));
      for (var p = 0; p < pages; p++) {
        slides.push({ track: track, rows: rows.slice(p * size, (p + 1) * size), page: p + 1, pages: pages });
      }
    });
    var round = data.round;
    el("round").textContent = round ? round.name + (round.period ? " · " + round.period : "") : strings.empty;
    var holders = el("holders"); // none for a rating: it hands out no flag
    if (!holders) { return; }
    holders.replaceChildren();
    (data.tracks || []).forEach(function (track) {
      var li = node("li");
      if (track.name) { li.appendChild(node("span", "holder-track", track.name)); }
      li.appendChild(node("strong", null, track.holders.length ? track.holders.join("、") : strings.none));
      holders.appendChild(li);
    });
  }

  function show() {
    var tbody = el("rows");
    tbody.replaceChildren();
    if (!slides.length) {
      el("track").textContent = strings.empty;
      el("counter").textContent = "";
      return;
    }
    var slide = slides[index % slides.length];
    el("track").textContent = slide.track.name || "";
    var holders = slide.track.holders || [];
    slide.rows.forEach(function (row) {
      var tr = node("tr", row.vetoed ? "vetoed" : (row.rank === 1 ? "first" : ""));
      if (data.rating) { tr.appendChild(node("td", "grade", row.grade || "—")); } // not a race
      else { tr.appendChild(node("td", "num rank", row.rank === null ? "—" : String(row.rank))); }
      var name = node("td", "name", row.name);
      if (holders.indexOf(row.name) !== -1) { name.appendChild(document.createTextNode(" ")); name.appendChild(flagIcon(36)); }
      if (row.vetoed) { name.appendChild(node("span", "tag tag-veto", strings.veto)); }
      tr.appendChild(name);
      var latest = node("td", "num");
      if (row.latest_vetoed) { latest.appendChild(node("span", "tag tag-veto", strings.veto)); }
      else { latest.textContent = row.latest === null || row.latest === "" ? "—" : row.latest; }
      tr.appendChild(latest);
      tr.appendChild(node("td", "num total", row.total));
      if (!data.rating) { tr.appendChild(node("td", "num", String(row.flags))); }
      tbody.appendChild(tr);
    });
    var counter = strings.page.replace("{page}", slide.page).replace("{pages}", slide.pages);
    el("counter").textContent = (slide.track.name ? slide.track.name + " · " : "") + counter;
    stage.dataset.slide = String(index % slides.length + 1); // tests wait for it
    var bar = el("progress");
    bar.classList.remove("run");
    void bar.offsetWidth;
    bar.style.animationDuration = interval + "ms";
    bar.classList.add("run");
  }

  function reload() {
    fetch(stage.dataset.api, { headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (payload) {
        if (payload && payload.tracks) {
          data = payload;
          loadedAt = Date.now();
          stage.dataset.loaded = String(loadedAt);
          build();
          index = 0;
          show();
        }
      })
      .catch(function () { /* offline: keep showing what we have */ });
  }

  function next() {
    index += 1;
    if (index >= slides.length) {
      index = 0;
      if (Date.now() - loadedAt >= refresh) { reload(); } // re-shows from the start when it arrives
    }
    show();
  }

  function tick() {
    var now = new Date();
    el("clock").textContent = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" +
      String(now.getDate()).padStart(2, "0") + " " + String(now.getHours()).padStart(2, "0") + ":" +
      String(now.getMinutes()).padStart(2, "0");
  }

  build();
  show();
  tick();
  var timer = setInterval(next, interval);
  setInterval(tick, 15000);
  if (refresh < interval) { setInterval(reload, refresh); }
  var resized = null;
  window.addEventListener("resize", function () {
    clearTimeout(resized);
    resized = setTimeout(function () { build(); index = 0; show(); }, 300);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") { clearInterval(timer); next(); timer = setInterval(next, interval); }
    if (e.key === "f" && document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
  });
})();
