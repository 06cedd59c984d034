// Draw every chart the server embedded as <script type="application/json" data-chart="id">.
// The JSON is {data, layout, config} from contest/wall/charts.py; the block's data-chart value
// names the element to draw into. CSP forbids inline scripts, hence data blocks plus this file.
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  var blocks = document.querySelectorAll('script[type="application/json"][data-chart]');
  Array.prototype.forEach.call(blocks, function (block) {
    var target = document.getElementById(block.getAttribute("data-chart"));
    if (!target) { return; }
    target.classList.add("chart-live");
    try {
      var figure = JSON.parse(block.textContent);
      window.Plotly.newPlot(target, figure.data, figure.layout, figure.config || {});
      target.classList.add("chart-drawn");
    } catch (error) {
      // The data table below the chart still carries the numbers.
      target.classList.add("chart-failed");
      if (window.console) { window.console.warn("chart " + target.id + ": " + error); }
    }
  });
})();
