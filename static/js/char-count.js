// Live character counters for long texts (事迹): each <p data-count-for="ID"> follows the
// textarea ID and says 已写 n / max 字, marked when over. Characters are counted as people
// see them — a Chinese character, a letter or an emoji is one, also an emoji made of several
// code points — the way the server counts (nominations.count_characters); a browser's
// maxlength would count UTF-16 units, so an emoji there costs two. The server decides.
(function () {
  "use strict";
  var segmenter = (typeof Intl === "object" && Intl.Segmenter)
    ? new Intl.Segmenter("zh", { granularity: "grapheme" }) : null;
  function count(text) {
    text = text.replace(/\r\n/g, "\n");
    if (segmenter) {
      var n = 0, it = segmenter.segment(text)[Symbol.iterator]();
      while (!it.next().done) n += 1;
      return n;
    }
    return Array.from(text).length;
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-count-for]"), function (out) {
    var box = document.getElementById(out.getAttribute("data-count-for"));
    if (!box) return;
    var max = parseInt(box.getAttribute("data-max-chars"), 10) || 0;
    var template = out.getAttribute("data-template") || "{n} / {max}";
    function update() {
      var n = count(box.value.trim());
      out.textContent = template.replace("{n}", n).replace("{max}", max);
      out.classList.toggle("over", max > 0 && n > max);
      box.setAttribute("aria-invalid", max > 0 && n > max ? "true" : "false");
    }
    box.addEventListener("input", update);
    update();
  });
})();
