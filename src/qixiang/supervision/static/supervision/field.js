// The phone page's check-in: ask the browser for its position (Geolocation API), put it in the
// form's hidden fields as the browser reported it (WGS 84 degrees, accuracy in metres, fix time
// in ms since 1970), then submit. Without a position (refused, no signal, timeout) the form is
// submitted empty and the server records the check-in without one.
(function () {
  "use strict";
  function set(form, name, value) {
    const input = form.querySelector('[name="' + name + '"]');
    if (input) input.value = value === null || value === undefined ? "" : String(value);
  }
  document.addEventListener("DOMContentLoaded", function () {
    const form = document.querySelector("form[data-geolocate]");
    if (!form) return;
    const status = document.getElementById("fix");
    let located = false;
    form.addEventListener("submit", function (event) {
      if (located || !navigator.geolocation) return;
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      if (status) status.textContent = status.dataset.waiting;
      navigator.geolocation.getCurrentPosition(function (position) {
        const c = position.coords;
        set(form, "latitude", c.latitude);
        set(form, "longitude", c.longitude);
        set(form, "accuracy", c.accuracy);
        set(form, "fix_time", Math.round(position.timestamp));
        if (status) status.textContent = status.dataset.fix + ": " + c.latitude.toFixed(6) + ", " +
          c.longitude.toFixed(6) + " ± " + Math.round(c.accuracy) + " m";
        located = true;
        form.submit();
      }, function () {
        if (status) status.textContent = status.dataset.none;
        located = true;
        form.submit();
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
    });
  });
})();
