// A station page's charts: one request to the series API for every charted element, then one
// ECharts instance per group (temperature, pressure, humidity, wind, precipitation). Times are
// drawn in Beijing time; values flagged by QC (suspect, wrong, corrected) are marked on top.
(function () {
  "use strict";
  const q = window.qixiang;

  function kind(code, unit) {
    if (unit === "degree") return "direction";
    if (code.startsWith("PRE_")) return "bar";
    return "line";
  }

  function seriesFor(code, info, points, i18n) {
    const k = kind(code, info.unit);
    const data = points.map(function (p) { return [q.bjt(p[0]), p[1], p[2]]; });
    const base = { name: info.label + " (" + q.unitLabel(info.unit) + ")", id: code, data: data,
                   yAxisIndex: k === "direction" ? 1 : 0 };
    if (k === "bar") return Object.assign(base, { type: "bar", barMaxWidth: 8 });
    if (k === "direction") return Object.assign(base, { type: "scatter", symbolSize: 4 });
    return Object.assign(base, { type: "line", showSymbol: data.length < 60, symbolSize: 4,
                                 connectNulls: false, sampling: "lttb" });
  }

  function qcOverlay(flaggedPoints, i18n) {
    // One scatter series per flag kind so the legend explains the marks.
    return Object.keys(q.QC_MARKS).map(function (flag) {
      const mark = q.QC_MARKS[flag];
      const pts = flaggedPoints.filter(function (p) { return String(p[2]) === flag; });
      if (!pts.length) return null;
      return { name: i18n.qc[flag], type: "scatter", symbol: mark.symbol, symbolSize: 11,
               itemStyle: { color: mark.color, borderColor: "#fff", borderWidth: 1 },
               yAxisIndex: pts[0][3], data: pts.map(function (p) { return p.slice(0, 3); }), z: 5 };
    }).filter(Boolean);
  }

  function tooltip(i18n, units) {
    return function (params) {
      if (!params.length) return "";
      const lines = [q.formatBjt(params[0].value[0]) + " " + i18n.beijing];
      params.forEach(function (p) {
        if (p.seriesId && p.seriesId.indexOf("qc-") === 0) return;
        const flag = p.value[2];
        const value = p.value[1] === null ? "—" : p.value[1];
        lines.push(p.marker + p.seriesName + ": <b>" + value + "</b>" +
                   (q.flagged(flag) || flag === 8 ? " <i>(" + i18n.qc[flag] + ")</i>" : ""));
      });
      return lines.join("<br>");
    };
  }

  function draw(el, chartDef, payload, config, i18n) {
    const series = [], flagged = [];
    let hasDirection = false;
    chartDef.elements.forEach(function (code) {
      const got = payload.elements[code];
      if (!got || !got.points.length) return;
      const info = config.elements[code];
      const s = seriesFor(code, info, got.points, i18n);
      if (s.yAxisIndex === 1) hasDirection = true;
      series.push(s);
      s.data.forEach(function (p) { if (q.flagged(p[2])) flagged.push([p[0], p[1], p[2], s.yAxisIndex]); });
    });
    const chart = q.track(echarts.init(el));
    if (!series.length) {
      chart.setOption({ title: { text: i18n.noData, left: "center", top: "middle",
                                 textStyle: { color: "#8a99a8", fontSize: 14, fontWeight: "normal" } } });
      return chart;
    }
    const overlay = qcOverlay(flagged, i18n);
    overlay.forEach(function (s, i) { s.id = "qc-" + i; });
    const bars = series.some(function (s) { return s.type === "bar"; });
    const yAxes = [{ type: "value", scale: !bars, splitLine: { lineStyle: { color: "#eef1f5" } } }];
    if (hasDirection) {
      yAxes.push({ type: "value", min: 0, max: 360, interval: 90, name: i18n.direction,
                   splitLine: { show: false } });
    }
    chart.setOption({
      useUTC: true,  // the instants are shifted to Beijing time (see charts.js)
      animation: false,
      grid: { left: 55, right: hasDirection ? 50 : 20, top: 40, bottom: 60 },
      legend: { top: 0, type: "scroll" },
      tooltip: { trigger: "axis", formatter: tooltip(i18n) },
      xAxis: { type: "time", axisLabel: { hideOverlap: true } },
      yAxis: yAxes,
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }],
      series: series.concat(overlay),
    });
    return chart;
  }

  // The newest value of every element with data, so the period card answers "what now?".
  function latestTable(payload, config, i18n) {
    const table = document.getElementById("latest-values");
    if (!table) return;
    const body = table.querySelector("tbody");
    body.textContent = "";
    config.charts.forEach(function (chartDef) {
      chartDef.elements.forEach(function (code) {
        const got = payload.elements[code];
        if (!got || !got.points.length) return;
        const p = got.points[got.points.length - 1];
        const info = config.elements[code];
        const row = body.insertRow();
        row.insertCell().textContent = info.label;
        const value = row.insertCell();
        value.className = "num";
        value.textContent = p[1] === null ? "—" : p[1] + " " + q.unitLabel(info.unit);
        row.insertCell().textContent = q.formatBjt(q.bjt(p[0]));
        const flag = row.insertCell();
        flag.textContent = i18n.qc[p[2]] || "";
        if (q.flagged(p[2])) flag.className = "error";
      });
    });
    table.hidden = body.rows.length === 0;
  }

  async function start() {
    if (!window.echarts) return;
    const config = q.readJson("station-config");
    const i18n = q.readJson("station-i18n");
    const status = document.getElementById("series-status");
    const elements = [];
    config.charts.forEach(function (c) { elements.push.apply(elements, c.elements); });
    const url = config.seriesUrl + "?" + new URLSearchParams({
      station: config.station, elements: elements.join(","), start: config.start, end: config.end,
    });
    let payload;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      payload = await response.json();
      if (!response.ok) throw new Error(payload.detail || response.statusText);
    } catch (err) {
      if (status) status.textContent = i18n.failed + " " + err.message;
      return;
    }
    let total = 0;
    Object.values(payload.elements).forEach(function (e) { total += e.points.length; });
    if (status) status.textContent = i18n.points.replace("%(count)s", String(total));
    latestTable(payload, config, i18n);
    config.charts.forEach(function (chartDef) {
      const el = document.getElementById("chart-" + chartDef.key);
      if (el) draw(el, chartDef, payload, config, i18n);
    });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
