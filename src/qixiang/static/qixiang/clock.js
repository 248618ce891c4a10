// The top bar's clock: Beijing time (UTC+8) whatever zone the browser is in.
(function () {
  "use strict";
  function tick() {
    const el = document.getElementById("clock");
    if (!el) return;
    const bjt = new Date(Date.now() + 8 * 3600 * 1000);
    el.textContent = bjt.toISOString().slice(11, 19);
    el.setAttribute("datetime", new Date().toISOString());
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
