// The quality page: stations coloured by availability on the station map's frame (stations/map.js
// exposes it as qixiang.stationMapFrame), and the network's trend of availability, QC coverage
// and timeliness.
(function () {
  "use strict";
  const q = window.qixiang;

  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + " %"; }

  async function drawMap(el, i18n) {
    const frame = q.stationMapFrame;
    const chart = q.track(echarts.init(el));
    let hasBoundary = false;
    echarts.registerMap("qixiang-blank", frame.blank);
    if (el.dataset.boundary) {
      try {
        const response = await fetch(el.dataset.boundary);
        if (response.ok) { echarts.registerMap("qixiang-boundary", await response.json()); hasBoundary = true; }
      } catch (err) { console.warn("boundary not drawn:", err); }
    }
    const response = await fetch(el.dataset.api, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    const placed = data.rows.filter(function (r) { return r.lat !== null && r.lon !== null; });
    const fields = ["lon", "lat"];
    const box = el.getBoundingClientRect();
    const bounds = frame.extent(placed.map(function (r) { return [r.lon, r.lat]; }), fields,
                                box.width / Math.max(1, box.height));
    chart.setOption({
      geo: { map: hasBoundary ? "qixiang-boundary" : "qixiang-blank", roam: true,
             boundingCoords: hasBoundary ? undefined : bounds, aspectScale: frame.aspectScale,
             itemStyle: { areaColor: "#eef2f6", borderColor: "#9aa9b8", borderWidth: 0.6 },
             emphasis: { disabled: true }, left: 8, right: 8, top: 8, bottom: 8 },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          const r = p.data.row;
          return "<b>" + (r.name || "") + "</b> " + r.key + (r.province ? " · " + r.province : "") + "<br>" +
            i18n.availability + ": " + pct(r.availability) + " (" + r.arrived + " " + i18n.arrived + " / " +
            r.expected + " " + i18n.expected + ")<br>" + i18n.coverage + ": " + pct(r.qc_coverage) + "<br>" +
            i18n.within1 + ": " + pct(r.within_1min) + " · " + i18n.within5 + ": " + pct(r.within_5min) + "<br>" +
            i18n.wrong + ": " + r.wrong + " · " + i18n.suspect + ": " + r.suspect;
        },
      },
      visualMap: { type: "piecewise", seriesIndex: 0, dimension: 2, left: 10, bottom: 20,
        pieces: [
          { min: 0.98, label: "≥ 98 %", color: "#2e7d32" },
          { min: 0.9, max: 0.98, label: "90–98 %", color: "#9ccc65" },
          { min: 0.7, max: 0.9, label: "70–90 %", color: "#ffb300" },
          { max: 0.7, label: "< 70 %", color: "#c62828" },
        ] },
      series: [{ id: "availability", name: i18n.availability, type: "scatter", coordinateSystem: "geo",
        symbolSize: 9, itemStyle: { borderColor: "#fff", borderWidth: 0.8 },
        data: placed.filter(function (r) { return r.availability !== null; }).map(function (r) {
          return { name: r.name || r.key, value: [r.lon, r.lat, r.availability], row: r };
        }) }].concat(hasBoundary ? [] : frame.graticule(bounds)),
    }, true);
    chart.on("click", function (p) {
      if (p.data && p.data.row) {
        window.location.href = el.dataset.detail.replace("__ID__", encodeURIComponent(p.data.row.key));
      }
    });
  }

  async function drawTrend(el, i18n) {
    const response = await fetch(el.dataset.api, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    if (!data.rows.length) {
      el.classList.add("chart-empty");
      el.textContent = i18n.noData;
      return;
    }
    const hourly = data.rows[0].key.length > 10;
    const x = function (r) { return hourly ? q.bjt(r.key) : r.key; };
    const line = function (name, field) {
      return { name: name, type: "line", showSymbol: data.rows.length < 40,
               data: data.rows.map(function (r) { return [x(r), r[field] === null ? null : +(r[field] * 100).toFixed(2)]; }) };
    };
    const chart = q.track(echarts.init(el));
    chart.setOption({
      useUTC: true,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + " %"; } },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 40 },
      xAxis: hourly ? { type: "time", name: i18n.beijing, nameLocation: "middle", nameGap: 26 }
                    : { type: "category", name: i18n.beijing, nameLocation: "middle", nameGap: 26 },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value} %" } },
      series: [line(i18n.availability, "availability"), line(i18n.coverage, "qc_coverage"),
               line(i18n.within1, "within_1min"), line(i18n.within5, "within_5min")],
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    const i18n = q.readJson("quality-i18n");
    const map = document.getElementById("quality-map");
    if (map && q.stationMapFrame) drawMap(map, i18n);
    const trend = document.getElementById("quality-trend");
    if (trend) drawTrend(trend, i18n);
  });
})();
