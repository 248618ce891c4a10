// The supervision overview's chart: hazards found and closed per month (data in #hazard-chart).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    const el = document.getElementById("chart-hazards");
    if (!el || !window.echarts) return;
    const data = window.qixiang.readJson("hazard-chart");
    const chart = window.qixiang.track(echarts.init(el));
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, left: "center", data: [data.i18n.found, data.i18n.closed] },
      grid: { left: 40, right: 16, top: 40, bottom: 28 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { id: "found", name: data.i18n.found, type: "bar", data: data.found, itemStyle: { color: "#ef6c00" } },
        { id: "closed", name: data.i18n.closed, type: "bar", data: data.closed, itemStyle: { color: "#2e7d32" } },
      ],
    });
  });
})();
