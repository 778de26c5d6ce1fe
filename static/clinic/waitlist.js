// The waitlist pages follow the patient's offers live: a new offer appears in the list, and
// an offer another patient accepted first turns to "taken" (its accept button goes) without a
// reload. Both are notifications, so a page that was offline catches up on the replay.
(function () {
  "use strict";
  if (!window.aviso) return;
  const statesEl = document.getElementById("waitlist-states");
  const STATES = statesEl ? JSON.parse(statesEl.textContent) : {};

  function setState(el, state) {
    el.dataset.state = state;
    el.querySelectorAll('[data-field="state"]').forEach(function (td) {
      td.textContent = STATES[state] || state;
      td.className = "state state-" + state;
    });
    if (state === "open") return;
    el.querySelectorAll('[data-field="accept"], [data-field="hint"]').forEach(function (n) { n.remove(); });
    el.querySelectorAll('[data-field="actions"]').forEach(function (n) { n.replaceChildren(); });
    if (state === "taken") {
      el.querySelectorAll('[data-field="taken"]').forEach(function (n) { n.hidden = false; });
    }
  }

  function taken(notification) {
    const slot = String(notification.data.slot_id);
    document.querySelectorAll('[data-slot="' + slot + '"][data-state="open"]').forEach(function (el) {
      setState(el, "taken");
    });
  }

  function offered(notification) {
    const data = notification.data;
    const table = document.getElementById("waitlist-offers");
    if (!table || table.querySelector('[data-offer="' + data.offer_id + '"]')) return;
    const tr = document.createElement("tr");
    tr.dataset.offer = data.offer_id;
    tr.dataset.slot = data.slot_id;
    tr.dataset.state = "open";
    function cell(text, field) {
      const td = document.createElement("td");
      if (field) td.dataset.field = field;
      if (text) td.textContent = text;
      tr.append(td);
      return td;
    }
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = data.when;
    cell("").append(link);
    cell(data.type_name);
    cell(data.dentist_name);
    cell("", "state");
    const answer = document.createElement("a");
    answer.className = "button";
    answer.href = data.url;
    answer.textContent = table.dataset.answer;
    cell("", "actions").append(answer);
    const body = table.tBodies[0];
    body.querySelectorAll("tr.empty").forEach(function (n) { n.hidden = true; });
    body.prepend(tr);
    setState(tr, "open");
  }

  // An open offer page turns to "expired" when its time is up.
  const page = document.getElementById("waitlist-offer");
  if (page && page.dataset.state === "open") {
    const left = new Date(page.dataset.expires) - Date.now();
    setTimeout(function () {
      if (page.dataset.state === "open") setState(page, "expired");
    }, Math.max(0, Math.min(left, 2147483647)));
  }

  window.aviso.onNotification("waitlist.offer_taken", taken);
  window.aviso.onNotification("waitlist.offered", offered);
})();
