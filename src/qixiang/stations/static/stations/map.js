// The station map: every visible station as a point on longitude/latitude, coloured by its newest
// value of the chosen element when it reported in the last hour, hollow grey when silent. The
// deployer's boundary GeoJSON, when configured, is drawn underneath (none is shipped).
(function () {
  "use strict";
  const q = window.qixiang;
  const BLANK = { type: "FeatureCollection", features: [] };

  const ASPECT_SCALE = 0.75;  // ECharts geo's default: a degree of longitude drawn 0.75 as wide

  // The stations' bounding box, padded and widened or heightened to fill the chart (ratio =
  // width / height), so a few stations do not end up in a thin strip.
  function extent(rows, fields, ratio) {
    const lon = fields.indexOf("lon"), lat = fields.indexOf("lat");
    let x0 = 180, x1 = -180, y0 = 90, y1 = -90;
    rows.forEach(function (r) {
      x0 = Math.min(x0, r[lon]); x1 = Math.max(x1, r[lon]);
      y0 = Math.min(y0, r[lat]); y1 = Math.max(y1, r[lat]);
    });
    if (x0 > x1) { x0 = 73; x1 = 135; y0 = 17; y1 = 54; }  // no stations yet: a default frame
    const padX = Math.max(1, (x1 - x0) * 0.05), padY = Math.max(1, (y1 - y0) * 0.05);
    x0 -= padX; x1 += padX; y0 -= padY; y1 += padY;
    const wanted = ratio / ASPECT_SCALE;  // degrees of longitude per degree of latitude
    if ((x1 - x0) / (y1 - y0) < wanted) {
      const grow = ((y1 - y0) * wanted - (x1 - x0)) / 2;
      x0 -= grow; x1 += grow;
    } else {
      const grow = ((x1 - x0) / wanted - (y1 - y0)) / 2;
      y0 = Math.max(-90, y0 - grow); y1 = Math.min(90, y1 + grow);
    }
    return [[x0, y1], [x1, y0]];
  }

  // Meridians and parallels every 1, 2, 5 or 10 degrees, labelled, so a map without a boundary
  // still tells where it is.
  function graticule(bounds) {
    const x0 = bounds[0][0], x1 = bounds[1][0], y0 = bounds[1][1], y1 = bounds[0][1];
    const span = Math.max(x1 - x0, y1 - y0);
    const step = span > 40 ? 10 : span > 15 ? 5 : span > 6 ? 2 : 1;
    const lines = [], labels = [];
    for (let lon = Math.ceil(x0 / step) * step; lon <= x1; lon += step) {
      lines.push({ coords: [[lon, y0], [lon, y1]] });
      labels.push({ name: Math.abs(lon) + (lon >= 0 ? "°E" : "°W"), value: [lon, y0] });
    }
    for (let lat = Math.ceil(y0 / step) * step; lat <= y1; lat += step) {
      lines.push({ coords: [[x0, lat], [x1, lat]] });
      labels.push({ name: Math.abs(lat) + (lat >= 0 ? "°N" : "°S"), value: [x0, lat] });
    }
    return [
      { id: "graticule", type: "lines", coordinateSystem: "geo", polyline: true, silent: true,
        lineStyle: { color: "#dfe5ec", width: 1 }, data: lines, z: 0 },
      { id: "graticule-labels", type: "scatter", coordinateSystem: "geo", symbolSize: 0,
        silent: true, data: labels, z: 0,
        label: { show: true, formatter: "{b}", color: "#8a99a8", fontSize: 10,
                 position: "insideBottomLeft" } },
    ];
  }

  function quantile(sorted, p) {
    if (!sorted.length) return 0;
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }

  function draw(chart, data, i18n, detailUrl, hasBoundary, first) {
    const f = {};
    data.fields.forEach(function (name, i) { f[name] = i; });
    const point = function (r) {
      return { name: r[f.name] || r[f.cma_id], value: [r[f.lon], r[f.lat], r[f.value]], row: r };
    };
    const live = data.rows.filter(function (r) { return r[f.reporting] && r[f.value] !== null; });
    const liveNoValue = data.rows.filter(function (r) { return r[f.reporting] && r[f.value] === null; });
    const silent = data.rows.filter(function (r) { return !r[f.reporting]; });
    const values = live.map(function (r) { return r[f.value]; }).sort(function (a, b) { return a - b; });
    const lo = quantile(values, 0.02), hi = quantile(values, 0.98);
    const label = (document.documentElement.lang || "zh-hans").startsWith("en") ?
      data.labels.en : data.labels["zh-hans"];
    const box = chart.getDom().getBoundingClientRect();
    const bounds = extent(data.rows, data.fields, box.width / Math.max(1, box.height));
    const geo = {
      map: hasBoundary ? "qixiang-boundary" : "qixiang-blank",
      roam: true,
      boundingCoords: hasBoundary ? undefined : bounds,
      aspectScale: ASPECT_SCALE,
      itemStyle: { areaColor: "#eef2f6", borderColor: "#9aa9b8", borderWidth: 0.6 },
      emphasis: { disabled: true },
      label: { show: false },
      // The box fills the chart; extent() already gave the bounds the chart's shape, so the
      // longitude/latitude proportions hold.
      left: 8, right: 8, top: 8, bottom: 8,
    };
    const option = {
      geo: geo,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          const r = p.data.row;
          const flag = r[f.qc_flag];
          const value = r[f.value] === null ? i18n.noValue : r[f.value] + " " + q.unitLabel(data.unit);
          const lines = [
            "<b>" + (r[f.name] || "") + "</b> " + r[f.cma_id] + (r[f.province] ? " · " + r[f.province] : ""),
            label + ": " + value + (q.flagged(flag) ? " (" + i18n.qc[flag] + ")" : ""),
            i18n.observed + ": " + (r[f.time] ? q.formatBjt(q.bjt(r[f.time])) : "—"),
            r[f.reporting] ? i18n.reporting : i18n.silent,
          ];
          return lines.join("<br>");
        },
      },
      visualMap: {
        type: "continuous", seriesIndex: 0, dimension: 2,
        min: Math.floor(lo), max: Math.ceil(hi === lo ? lo + 1 : hi),
        calculable: true, realtime: true, left: 10, bottom: 20,
        text: [q.unitLabel(data.unit), ""], textGap: 6,
        inRange: { color: ["#313695", "#4575b4", "#74add1", "#abd9e9", "#fee090", "#fdae61", "#f46d43", "#d73027", "#a50026"] },
      },
      series: [
        { id: "reporting", name: i18n.reporting, type: "scatter", coordinateSystem: "geo", symbolSize: 9,
          itemStyle: { borderColor: "#ffffff", borderWidth: 0.8 }, data: live.map(point) },
        { id: "reporting-no-value", name: i18n.reportingNoValue, type: "scatter", coordinateSystem: "geo", symbolSize: 7,
          itemStyle: { color: "#5b6b7b" }, data: liveNoValue.map(point) },
        { id: "silent", name: i18n.silent, type: "scatter", coordinateSystem: "geo", symbolSize: 7,
          itemStyle: { color: "#ffffff", borderColor: "#98a6b5", borderWidth: 1.5 },
          data: silent.map(point), z: 1 },
      ].concat(hasBoundary ? [] : graticule(bounds)),
    };
    if (!first) delete option.geo;  // a refresh keeps the operator's zoom and pan
    chart.setOption(option, first);
    chart.off("click");
    chart.on("click", function (p) {
      if (p.data && p.data.row) {
        window.location.href = detailUrl.replace("__ID__", encodeURIComponent(p.data.row[f.cma_id]));
      }
    });
    const status = document.getElementById("map-status");
    if (status) {
      status.textContent = i18n.status
        .replace("%(reporting)s", String(live.length + liveNoValue.length))
        .replace("%(total)s", String(data.rows.length));
    }
  }

  async function start() {
    const el = document.getElementById("station-map");
    if (!el || !window.echarts) return;
    const i18n = q.readJson("map-i18n");
    const chart = q.track(echarts.init(el));
    let hasBoundary = false;
    echarts.registerMap("qixiang-blank", BLANK);
    if (el.dataset.boundary) {
      try {
        const response = await fetch(el.dataset.boundary);
        if (response.ok) {
          echarts.registerMap("qixiang-boundary", await response.json());
          hasBoundary = true;
        }
      } catch (err) { console.warn("boundary not drawn:", err); }
    }
    let first = true;
    async function refresh() {
      const response = await fetch(el.dataset.api, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      draw(chart, await response.json(), i18n, el.dataset.detail, hasBoundary, first);
      first = false;
    }
    await refresh();
    setInterval(refresh, 60000);
  }
  // Shared with other maps of stations (the quality page): the frame, the graticule, the blank map.
  q.stationMapFrame = { extent: extent, graticule: graticule, aspectScale: ASPECT_SCALE, blank: BLANK };
  document.addEventListener("DOMContentLoaded", start);
})();
