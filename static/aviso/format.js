/* Dates, times and amounts in the browser, written as the server writes them
 * (config/formats/<locale>/formats.py and accounts/formatting.py): in the page's language
 * (<html lang>) and the tenant's time zone (<html data-time-zone>).
 *
 *   aviso.format.date("2026-12-31T20:30:00Z")  // "Dec 31, 2026" / "31/12/2026"
 *   aviso.format.dateTime(iso)                  // "Dec 31, 2026 2:30 PM" / "31/12/2026 14:30"
 *   aviso.format.time(iso)                      // "2:30 PM" / "14:30"
 *   aviso.format.money("1500.5", "MXN")         // "$1,500.50 MXN" in both languages
 *   aviso.format.number(1234567)                // "1,234,567"
 *
 * A value that is not a date or a number comes back as it was (never "Invalid Date"), and
 * a date given without a time ("2026-12-31") is that calendar day, whatever the zone.
 * Also the global AvisoFormat (templates/base.html puts it on window.aviso).
 * tests/config/test_formats.py checks that it writes exactly what the server writes.
 */
(function (global) {
  "use strict";

  const root = document.documentElement;
  const lang = root.lang || "en";
  const timeZone = root.dataset.timeZone || "UTC";
  const spanish = lang.toLowerCase().startsWith("es");

  function formatter(options, zone) {
    try {
      return new Intl.DateTimeFormat(lang, Object.assign({timeZone: zone}, options));
    } catch (err) { // an unknown zone name: UTC, as the server does (tenants/clock.py)
      return new Intl.DateTimeFormat(lang, Object.assign({timeZone: "UTC"}, options));
    }
  }

  // One date format per language: English names the month ("Dec 31, 2026"), Mexican Spanish
  // writes 31/12/2026; Spanish times are 24-hour.
  const DATE = spanish
    ? {day: "2-digit", month: "2-digit", year: "numeric"}
    : {month: "short", day: "numeric", year: "numeric"};
  const TIME = spanish
    ? {hour: "2-digit", minute: "2-digit", hourCycle: "h23"}
    : {hour: "numeric", minute: "2-digit", hour12: true};
  const dateFormat = formatter(DATE, timeZone);
  const dayFormat = formatter(DATE, "UTC"); // a calendar day is the same day everywhere
  const timeFormat = formatter(TIME, timeZone);
  const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;

  function moment(value) {
    if (value instanceof Date) return isNaN(value) ? null : value;
    if (typeof value !== "string" || !value) return null;
    const parsed = new Date(value);
    return isNaN(parsed) ? null : parsed;
  }

  // Intl puts a narrow no-break space before AM/PM and in some amounts; the server writes a
  // plain space.
  function plain(text) { return text.replace(/[\u202f\u00a0]/g, " "); }

  function asGiven(value) { return value === null || value === undefined ? "" : String(value); }

  function date(value) {
    if (typeof value === "string" && DAY_ONLY.test(value)) {
      return plain(dayFormat.format(new Date(value + "T00:00:00Z")));
    }
    const at = moment(value);
    return at ? plain(dateFormat.format(at)) : asGiven(value);
  }

  function time(value) {
    const at = moment(value);
    return at ? plain(timeFormat.format(at)) : asGiven(value);
  }

  function dateTime(value) {
    const at = moment(value);
    return at ? date(at) + " " + time(at) : asGiven(value);
  }

  function number(value, options) {
    const amount = Number(value);
    if (value === null || value === "" || !Number.isFinite(amount)) return asGiven(value);
    return plain(new Intl.NumberFormat(lang, Object.assign({roundingMode: "halfExpand"}, options || {})).format(amount));
  }

  // The currency's narrow sign, derived as accounts/formatting.py derives it: its English
  // symbol without the letters that tell the country ("MX$" is "$"); "" for a symbol that
  // is all letters ("CHF").
  function sign(code) {
    const parts = new Intl.NumberFormat("en", {style: "currency", currency: code}).formatToParts(0);
    const symbol = parts.find(function (p) { return p.type === "currency"; });
    return symbol ? symbol.value.replace(/^[A-Z]+/, "") : "";
  }

  // "$1,500.50 MXN": the sign where the language puts it, then the code (which says which
  // dollar), with the currency's own decimals, rounded half up like the server.
  function money(value, currency) {
    const amount = Number(value);
    if (value === null || value === "" || !Number.isFinite(amount)) return asGiven(value);
    const code = String(currency || "").toUpperCase();
    let parts;
    try {
      parts = new Intl.NumberFormat(lang, {style: "currency", currency: code, roundingMode: "halfExpand"})
        .formatToParts(amount);
    } catch (err) { // not an ISO 4217 code
      return number(amount, {minimumFractionDigits: 2, maximumFractionDigits: 2}) + " " + currency;
    }
    const mark = sign(code);
    const text = parts.map(function (p, i) {
      if (p.type === "currency") return mark;
      // Intl spaces a code-like symbol ("USD 1,500.50") off the number; a sign needs none
      // (the server writes the language's pattern as it is).
      const next = parts[i + 1], previous = parts[i - 1];
      const besideCode = [next, previous].some(function (q) {
        return q && q.type === "currency" && /^[A-Za-z]/.test(q.value) && /[A-Za-z]$/.test(q.value);
      });
      return p.type === "literal" && besideCode && !p.value.trim() ? "" : p.value;
    }).join("");
    return plain(text).trim() + " " + code;
  }

  const api = {date: date, time: time, dateTime: dateTime, number: number, money: money,
    lang: lang, timeZone: timeZone};
  global.AvisoFormat = api;
  global.aviso = global.aviso || {};
  global.aviso.format = api;
})(window);
