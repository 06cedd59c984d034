// The big-screen carousel. The first page of honors arrives with the HTML (so it runs offline
// once loaded); the following page is fetched from /wall/kiosk/page while this one shows, one
// page ahead, so every matching honor comes round without all of them being loaded at once.
// After the last page it starts again from page 1, fetched afresh (at most every `refresh`
// seconds when everything fits one page). A failed fetch keeps showing the page it has.
(function () {
  "use strict";
  var stage = document.getElementById("kiosk");
  if (!stage) { return; }
  var strings = JSON.parse(document.getElementById("kiosk-strings").textContent);
  var current = JSON.parse(document.getElementById("kiosk-data").textContent);
  var data = current.items || [];
  var upcoming = null; // the following page, once fetched
  var fetching = false;
  var loadedAt = Date.now();
  var interval = (parseInt(stage.dataset.interval, 10) || 8) * 1000;
  var refresh = (parseInt(stage.dataset.refresh, 10) || 300) * 1000;
  var index = 0;
  var el = function (name) { return stage.querySelector("[data-" + name + "]"); };
  var slide = el("slide");

  function text(node, value) { node.textContent = value || ""; }

  function preload(items) {
    items.forEach(function (item) { if (item.photo_url) { var img = new Image(); img.src = item.photo_url; } });
  }

  function show() {
    if (!data.length) {
      text(el("name"), strings.empty);
      ["level", "title", "unit", "deeds", "counter"].forEach(function (n) { text(el(n), ""); });
      el("photo").replaceChildren();
      return;
    }
    var item = data[index % data.length];
    slide.classList.remove("enter");
    void slide.offsetWidth; // restart the entrance animation
    slide.classList.add("enter");
    text(el("level"), strings.levels[item.level] || "");
    text(el("name"), item.name + (item.is_female ? strings.female : ""));
    text(el("title"), item.year + " · " + item.title + (item.trade ? "(" + item.trade + ")" : ""));
    text(el("unit"), [item.organization, item.post].filter(Boolean).join(" · "));
    text(el("deeds"), item.deeds_summary || "");
    var photo = el("photo");
    photo.replaceChildren();
    if (item.photo_url) {
      var img = document.createElement("img");
      img.src = item.photo_url;
      img.alt = item.name;
      photo.appendChild(img);
    } else {
      var ph = document.createElement("div");
      ph.className = "photo-placeholder large";
      var span = document.createElement("span");
      span.textContent = item.name.charAt(0);
      ph.appendChild(span);
      photo.appendChild(ph);
    }
    var before = (current.page - 1) * current.per_page;
    text(el("counter"), (before + index % data.length + 1) + " / " + current.total);
    var bar = el("progress");
    bar.classList.remove("run");
    void bar.offsetWidth;
    bar.style.animationDuration = interval + "ms";
    bar.classList.add("run");
  }

  function fetchUpcoming() {
    if (upcoming || fetching) { return; }
    var url = current.next;
    if (!url) {
      if (current.page === 1 && Date.now() - loadedAt < refresh) { return; } // one page: keep it
      url = stage.dataset.api;
    }
    fetching = true;
    fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (payload) {
        if (payload && payload.items) {
          upcoming = payload;
          stage.dataset.ahead = payload.page; // which page is ready next (tests wait for it)
          preload(payload.items);
        }
      })
      .catch(function () { /* offline: keep showing what we have */ })
      .then(function () { fetching = false; });
  }

  function next() {
    index += 1;
    if (index >= data.length) {
      index = 0;
      if (upcoming) {
        current = upcoming;
        data = current.items;
        upcoming = null;
        delete stage.dataset.ahead;
        if (current.page === 1) { loadedAt = Date.now(); }
      }
    }
    show();
    fetchUpcoming();
  }

  function tick() {
    var clock = el("clock");
    var now = new Date();
    clock.textContent = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" +
      String(now.getDate()).padStart(2, "0") + " " + String(now.getHours()).padStart(2, "0") + ":" +
      String(now.getMinutes()).padStart(2, "0");
  }

  preload(data);
  show();
  fetchUpcoming();
  tick();
  setInterval(next, interval);
  setInterval(tick, 15000);
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") { next(); }
    if (e.key === "f" && document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
  });
})();
