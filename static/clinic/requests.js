// The pending requests follow the schedules of the dentists the page shows (the
// clinic.schedule topic: a dentist their own, the front desk every dentist's): a new request
// appears, an answered or withdrawn one leaves. After a reconnect the page re-reads them
// (topic events are live only, never replayed).
(function () {
  "use strict";
  const table = document.getElementById("requests");
  const watchedEl = document.getElementById("clinic-watched");
  if (!table || !watchedEl || !window.aviso) return;
  const body = table.tBodies[0];
  const empty = body.querySelector("tr.empty");
  const watched = JSON.parse(watchedEl.textContent);

  function cell(text) {
    const td = document.createElement("td");
    if (text) td.textContent = text;
    return td;
  }

  function row(a) {
    const tr = document.createElement("tr");
    tr.dataset.appointment = a.id;
    tr.dataset.starts = a.starts_at;
    const when = cell("");
    const link = document.createElement("a");
    link.href = a.url;
    // As the page writes it: the locale's date and time, in the clinic's time zone.
    link.textContent = window.aviso.format.dateTime(a.starts_at);
    when.append(link);
    const actions = cell("");
    // Every watcher of a schedule acts for the clinic (clinic.states.actions_by_side).
    (a.actions.clinic || []).forEach((name) => {
      const form = ClinicActions.form(name, a.id);
      if (form) actions.append(form, " ");
    });
    tr.append(when, cell(a.patient_name), cell(a.type_name), cell(a.dentist_name), actions);
    return tr;
  }

  function place(a) {
    body.querySelectorAll('tr[data-appointment="' + a.id + '"]').forEach((tr) => tr.remove());
    if (a.awaiting_answer) {
      const next = Array.from(body.querySelectorAll("tr[data-appointment]")).find(
        (tr) => tr.dataset.starts > a.starts_at
      );
      body.insertBefore(row(a), next || empty);
    }
    empty.hidden = body.querySelector("tr[data-appointment]") !== null;
  }

  async function reload() {
    const fresh = [];
    for (const id of watched) {
      const url = table.dataset.dataUrl + "?dentist=" + encodeURIComponent(id);
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      fresh.push(...(await response.json()).pending);
    }
    body.querySelectorAll("tr[data-appointment]").forEach((tr) => tr.remove());
    fresh.forEach(place);
    empty.hidden = fresh.length > 0;
  }

  watched.forEach((id) =>
    window.aviso.subscribe("clinic.schedule", { object_id: id }, (event) => {
      if (event.type === "appointment.changed") place(event.appointment);
    })
  );
  window.aviso.onReconnect(reload);
})();
