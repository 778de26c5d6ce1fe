// A dentist's day/week schedule that follows the clinic.schedule topic: rows appear, move and
// change state in place; after a reconnect the page re-reads the schedule (topic events are
// live only, never replayed).
(function () {
  "use strict";
  const root = document.getElementById("schedule");
  if (!root || !window.aviso) return;
  const dentistId = Number(root.dataset.dentist);
  const dataUrl = root.dataset.dataUrl;
  const pending = document.getElementById("pending");
  // Summaries carry the actions of each side; the page says which side its viewer acts on.
  const side = root.dataset.side;
  // A summary carries no text in a language (its watchers may read different ones): the
  // state's label comes with the page, times are written by window.aviso.format as the
  // viewer's locale writes them, in the clinic's time zone.
  const labelsEl = document.getElementById("clinic-state-labels");
  const STATE_LABELS = labelsEl ? JSON.parse(labelsEl.textContent) : {};
  // Looked up when used, not at load: the formatter belongs to the page's shared scripts.
  const format = {
    time: (iso) => window.aviso.format.time(iso),
    dateTime: (iso) => window.aviso.format.dateTime(iso),
  };

  function row(a) {
    const li = document.createElement("li");
    li.dataset.appointment = a.id;
    li.dataset.starts = a.starts_at;
    li.className = "state-" + a.state;
    const link = document.createElement("a");
    link.href = a.url;
    link.textContent =
      format.time(a.starts_at) + "–" + format.time(a.ends_at) + " " + a.patient_name;
    const state = document.createElement("span");
    state.className = "state state-" + a.state;
    state.textContent = STATE_LABELS[a.state];
    li.append(link, " · " + a.type_name + " · " + a.chair_name + " ", state);
    return li;
  }

  function pendingRow(a) {
    const li = document.createElement("li");
    li.dataset.appointment = a.id;
    const link = document.createElement("a");
    link.href = a.url;
    link.textContent = format.dateTime(a.starts_at) + " " + a.patient_name;
    li.append(link, " · " + a.type_name + " ");
    (a.actions[side] || []).forEach((name) => {
      const form = ClinicActions.form(name, a.id);
      if (form) li.append(form, " ");
    });
    return li;
  }

  function place(a) {
    root.querySelectorAll('[data-appointment="' + a.id + '"]').forEach((el) => el.remove());
    if (!a.on_schedule) return;
    const day = root.querySelector('section[data-day="' + a.day + '"] ul');
    if (!day) return; // not on the days shown
    const next = Array.from(day.children).find((el) => el.dataset.starts > a.starts_at);
    day.insertBefore(row(a), next || null);
  }

  function placePending(a) {
    if (!pending) return;
    pending.querySelectorAll('[data-appointment="' + a.id + '"]').forEach((el) => el.remove());
    if (a.awaiting_answer) pending.append(pendingRow(a));
    const empty = pending.querySelector(".empty");
    if (empty && pending.children.length > 1) empty.remove();
  }

  async function reload() {
    const response = await fetch(dataUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    root.querySelectorAll("section.day ul").forEach((ul) => ul.replaceChildren());
    data.appointments.forEach(place);
    if (pending) {
      pending.replaceChildren();
      data.pending.forEach(placePending);
    }
  }

  window.aviso.subscribe("clinic.schedule", { object_id: dentistId }, (event) => {
    if (event.type !== "appointment.changed" || event.appointment.dentist_id !== dentistId) return;
    place(event.appointment);
    placePending(event.appointment);
  });
  window.aviso.onReconnect(reload);
})();
