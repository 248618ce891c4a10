// The dashboard's chart: messages per minute over the last hour, stacked by outcome, so the bar
// height is what came in and its parts show where it went. Refreshed from the summary API; the
// figures around it are refreshed by htmx.
(function () {
  "use strict";
  const q = window.qixiang;
  const OUTCOMES = [
    ["stored", "#2e7d32"], ["duplicates", "#90a4ae"], ["rejected", "#c62828"], ["undecoded", "#ef6c00"],
  ];

  function option(data, i18n) {
    const minutes = data.per_minute.minutes.map(q.bjt);
    return {
      useUTC: true,  // instants shifted to Beijing time (charts.js)
      animation: false,
      grid: { left: 50, right: 20, top: 40, bottom: 30 },
      legend: { top: 0 },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (params) {
          if (!params.length) return "";
          const i = params[0].dataIndex;
          const lines = [q.formatBjt(minutes[i]) + " " + i18n.beijing,
                         i18n.received + ": <b>" + data.per_minute.received[i] + "</b>"];
          params.forEach(function (p) { lines.push(p.marker + p.seriesName + ": " + p.value[1]); });
          return lines.join("<br>");
        },
      },
      xAxis: { type: "time", axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef1f5" } } },
      series: OUTCOMES.map(function (o) {
        return {
          id: o[0], name: i18n[o[0]], type: "bar", stack: "in", barMaxWidth: 14,
          itemStyle: { color: o[1] },
          data: data.per_minute[o[0]].map(function (v, i) { return [minutes[i], v]; }),
        };
      }),
    };
  }

  function start() {
    const el = document.getElementById("chart-per-minute");
    if (!el || !window.echarts) return;
    const i18n = q.readJson("dashboard-i18n");
    const chart = q.track(echarts.init(el));
    const status = document.getElementById("live-status");
    async function refresh() {
      try {
        const response = await fetch(el.dataset.api, { headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error(response.statusText);
        chart.setOption(option(await response.json(), i18n));
        if (status) status.classList.remove("error");
      } catch (err) {
        if (status) { status.classList.add("error"); status.title = i18n.offline; }
      }
    }
    refresh();
    setInterval(refresh, 1000 * Number(el.dataset.poll || 5));
  }
  document.addEventListener("DOMContentLoaded", start);
})();
