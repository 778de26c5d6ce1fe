/* Formatting of monitor figures, shared by the console pages. Words go through the page's
 * catalogue (gettext/ngettext/interpolate of Django's JavaScriptCatalog); the codes the socket
 * sends (status, kind, provisioning step) are read through the labels the server put on the
 * page (console/templatetags/console_labels.py). */
(function (global) {
  "use strict";

  const labels = JSON.parse(document.getElementById("console-labels").textContent);

  function label(kind, code) {
    return (labels[kind] && labels[kind][code]) || code;
  }

  function lang() {
    return document.documentElement.lang || undefined;
  }

  function number(n) {
    return Number(n).toLocaleString(lang());
  }

  function latency(ms) {
    if (ms === null || ms === undefined) return "–";
    if (ms === -1) return "> 10 s";
    return ms >= 1000 ? "≤ " + number(ms / 1000) + " s" : "≤ " + number(ms) + " ms";
  }

  function perMinute(series) {
    // The last slot is the minute still filling; the one before is the last complete minute.
    const n = series.length;
    return interpolate(gettext("%(now)s now · %(last)s last min"),
      {now: number(series[n - 1] || 0), last: number(series[n - 2] || 0)}, true);
  }

  function errors(map) {
    // Reasons are the protocol's codes (docs/realtime-protocol.md), shown as they are logged.
    const parts = Object.keys(map || {}).map(function (k) { return k + ": " + number(map[k]); });
    return parts.length ? parts.join(", ") : gettext("none");
  }

  function text(el, value) {
    if (el && el.textContent !== String(value)) {
      el.textContent = value;
      el.classList.remove("flash");
      void el.offsetWidth;
      el.classList.add("flash");
    }
  }

  global.avisoFigures = {
    label: label, lang: lang, number: number, latency: latency, perMinute: perMinute,
    errors: errors, text: text,
  };
})(window);
