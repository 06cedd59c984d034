// The big-screen carousel. Data arrives with the page (so it runs offline once loaded) and is
// refreshed from /api/v1/honors every few minutes; a failed refresh keeps the current data.
(function () {
  "use strict";
  var stage = document.getElementById("kiosk");
  if (!stage) { return; }
  var strings = JSON.parse(document.getElementById("kiosk-strings").textContent);
  var data = JSON.parse(document.getElementById("kiosk-data").textContent).items || [];
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
    text(el("counter"), (index % data.length + 1) + " / " + data.length);
    var bar = el("progress");
    bar.classList.remove("run");
    void bar.offsetWidth;
    bar.style.animationDuration = interval + "ms";
    bar.classList.add("run");
  }

  function next() { index = (index + 1) % Math.max(data.length, 1); show(); }

  function reload() {
    fetch(stage.dataset.api, { headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (payload) {
        if (payload && payload.items) { data = payload.items; preload(data); if (index >= data.length) { index = 0; } }
      })
      .catch(function () { /* offline: keep showing what we have */ });
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
  tick();
  setInterval(next, interval);
  setInterval(reload, refresh);
  setInterval(tick, 15000);
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") { next(); }
    if (e.key === "f" && document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
  });
})();
