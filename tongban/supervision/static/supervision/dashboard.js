// The supervision dashboard's charts, drawn from the JSON blob the page carries
// (json_script: no inline script under the CSP). A click on a bar or a point opens
// the list behind it, like the figures in the tables under the charts.
(function () {
  "use strict";
  var blob = document.getElementById("supervision-chart");
  if (!blob || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(blob.textContent);
  var colours = { yellow: "#eab308", red: "#b91c1c", cured: "#15803d" };

  function open(links, index) {
    if (links && links[index]) {
      window.location.href = links[index];
    }
  }

  var cardsNode = document.getElementById("chart-cards");
  if (cardsNode) {
    var cards = echarts.init(cardsNode);
    var series = data.cards.series;
    cards.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, data: series.map(function (s) { return s.name; }) },
      grid: { left: 40, right: 16, top: 36, bottom: 72 },
      xAxis: { type: "category", data: data.cards.departments, axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value", minInterval: 1 },
      series: series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, itemStyle: { color: colours[s.key] } };
      }),
    });
    cards.on("click", function (params) {
      open(series[params.seriesIndex].links, params.dataIndex);
    });
    cardsNode.dataset.rendered = "true";
    cardsNode.dataset.total = String(
      series
        .filter(function (s) { return s.key !== "cured"; })
        .reduce(function (sum, s) {
          return sum + s.data.reduce(function (a, b) { return a + b; }, 0);
        }, 0)
    );
    window.addEventListener("resize", function () { cards.resize(); });
  }

  var trendNode = document.getElementById("chart-trend");
  if (trendNode) {
    var trend = echarts.init(trendNode);
    trend.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 24, bottom: 32 },
      xAxis: { type: "category", data: data.trend.months },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{ name: data.trend.name, type: "line", data: data.trend.data, connectNulls: true, symbolSize: 8 }],
    });
    trend.on("click", function (params) {
      open(data.trend.links, params.dataIndex);
    });
    trendNode.dataset.rendered = "true";
    window.addEventListener("resize", function () { trend.resize(); });
  }
})();
