/* Formatting of monitor figures, shared by the console pages. */
(function (global) {
  "use strict";

  function latency(ms) {
    if (ms === null || ms === undefined) return "–";
    if (ms === -1) return "> 10 s";
    return ms >= 1000 ? "≤ " + ms / 1000 + " s" : "≤ " + ms + " ms";
  }

  function perMinute(series) {
    // The last slot is the minute still filling; the one before is the last complete minute.
    const n = series.length;
    return (series[n - 1] || 0) + " now · " + (series[n - 2] || 0) + " last min";
  }

  function errors(map) {
    const parts = Object.keys(map || {}).map(function (k) { return k.replace(/_/g, " ") + ": " + map[k]; });
    return parts.length ? parts.join(", ") : "none";
  }

  function text(el, value) {
    if (el && el.textContent !== String(value)) {
      el.textContent = value;
      el.classList.remove("flash");
      void el.offsetWidth;
      el.classList.add("flash");
    }
  }

  global.avisoFigures = {latency: latency, perMinute: perMinute, errors: errors, text: text};
})(window);
