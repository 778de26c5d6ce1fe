/* Dates, times and amounts in the browser, written as the server writes them
 * (config/formats/<locale>/formats.py and accounts/templatetags/aviso_format.py): in the page's
 * language (<html lang>) and the tenant's time zone (<html data-time-zone>).
 *
 *   aviso.format.date("2026-12-31T20:30:00Z")      // "Dec 31, 2026" / "31/12/2026"
 *   aviso.format.dateTime(iso)                      // "Dec 31, 2026 2:30 PM" / "31/12/2026 14:30"
 *   aviso.format.time(iso)                          // "2:30 PM" / "14:30"
 *   aviso.format.money("1500.5", "MXN")             // The currency's narrow sign, as accounts/formatting.py derives it: its English symbol
  // without the letters that tell the country ("MX$" → "$", "€"); "" for a symbol that is
  // all letters ("CHF").
  function sign(currency) {
    const parts = new Intl.NumberFormat("en", {style: "currency", currency: currency}).formatToParts(0);
    const symbol = (parts.find(function (p) { return p.type === "currency"; }) || {value: ""}).value;
    return symbol.replace(/^[A-Z]+/, "");
  }

  // "$1,500.50 MXN": the narrow sign where the language puts it, then the code (which says
  // which dollar), with the currency's own decimals, rounded half up like the server.
  function money(value, currency) {
    const amount = Number(value);
    if (value === null || value === "" || !Number.isFinite(amount)) return String(value ?? "");
    const code = String(currency || "").toUpperCase();
    let parts;
    try {
      parts = new Intl.NumberFormat(lang, {style: "currency", currency: code, roundingMode: "halfExpand"}).formatToParts(amount);
    } catch (err) { // not an ISO 4217 code
      return number(amount, {minimumFractionDigits: 2, maximumFractionDigits: 2}) + " " + currency;
    }
    const mark = sign(code);
    const text = parts.map(function (p) { return p.type === "currency" ? mark : p.value; }).join("");
    return plain(text).trim() + " " + code;
  }

  const api = {date: date, time: time, dateTime: dateTime, number: number, money: money,
    lang: lang, timeZone: timeZone};
  global.AvisoFormat = api;
  global.aviso = global.aviso || {};
  global.aviso.format = api;
})(window);
