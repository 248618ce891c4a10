// Helpers shared by the ECharts pages: Beijing-time axes and the CMA QC-flag marks.
(function () {
  "use strict";
  const BJT_OFFSET_MS = 8 * 3600 * 1000;

  // ECharts draws time axes in the browser's zone unless `useUTC` is set. Shifting each instant
  // by +8 h and drawing in UTC shows Beijing wall-clock time wherever the browser is.
  function bjt(iso) { return Date.parse(iso) + BJT_OFFSET_MS; }

  function pad(n) { return String(n).padStart(2, "0"); }

  // A shifted instant (from bjt) as "YYYY-MM-DD HH:MM".
  function formatBjt(ms, withSeconds) {
    const d = new Date(ms);
    const text = d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) +
      " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
    return withSeconds ? text + ":" + pad(d.getUTCSeconds()) : text;
  }

  // How a value with a CMA QC flag is marked: 1 suspect, 2 wrong, 3/4 corrected or modified.
  const QC_MARKS = {
    1: { color: "#f59e0b", symbol: "triangle" },
    2: { color: "#dc2626", symbol: "diamond" },
    3: { color: "#2563eb", symbol: "rect" },
    4: { color: "#2563eb", symbol: "rect" },
  };

  function flagged(flag) { return Object.prototype.hasOwnProperty.call(QC_MARKS, flag); }

  // Canonical unit codes (science/elements.py) as people write them.
  const UNIT_LABELS = { degC: "°C", degree: "°", "m/s": "m/s", hPa: "hPa", "%": "%", mm: "mm",
                        m: "m", cm: "cm", code: "" };
  function unitLabel(unit) {
    return Object.prototype.hasOwnProperty.call(UNIT_LABELS, unit) ? UNIT_LABELS[unit] : unit;
  }

  function readJson(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : {};
  }

  // Resize every chart on the page with the window.
  const charts = [];
  function track(chart) { charts.push(chart); return chart; }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  window.qixiang = { bjt: bjt, formatBjt: formatBjt, QC_MARKS: QC_MARKS, flagged: flagged,
                     readJson: readJson, track: track, unitLabel: unitLabel };
})();
