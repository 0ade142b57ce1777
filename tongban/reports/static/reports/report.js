// A report's chart, drawn from the JSON blob the page carries (json_script: no inline
// script under the CSP): completion rate by department as bars, the monthly trend as
// lines. A click on a bar or a point opens the cases behind it, like the table's links.
(function () {
  "use strict";
  var blob = document.getElementById("report-chart-data");
  var node = document.getElementById("report-chart");
  if (!blob || !node || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(blob.textContent);
  var chart = echarts.init(node);
  var bar = data.kind === "bar";
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: bar ? "shadow" : "line" } },
    legend: { top: 0, data: data.series.map(function (s) { return s.name; }) },
    grid: { left: 48, right: 16, top: 36, bottom: bar ? 72 : 32 },
    xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: bar ? 20 : 0 } },
    yAxis: bar ? { type: "value", min: 0, max: 100 } : { type: "value", minInterval: 1 },
    series: data.series.map(function (s) {
      return { name: s.name, type: data.kind, data: s.data, connectNulls: true, symbolSize: 8 };
    }),
  });
  chart.on("click", function (params) {
    var links = data.series[params.seriesIndex].links;
    if (links && links[params.dataIndex]) {
      window.location.href = links[params.dataIndex];
    }
  });
  node.dataset.rendered = "true";
  window.addEventListener("resize", function () { chart.resize(); });
})();
