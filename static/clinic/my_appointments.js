// The patient's list follows their appointment notifications, live or replayed. A replayed
// notification older than what the page was rendered with is ignored (rows carry the time
// of their last change), so replaying history never rolls a row back.
(function () {
  "use strict";
  const table = document.getElementById("my-appointments");
  if (!table || !window.aviso) return;
  const body = table.tBodies[0];
  const TYPES = ["confirmed", "declined", "rescheduled", "cancelled", "proposed"];

  function find(id) {
    return body.querySelector('tr[data-appointment="' + id + '"]');
  }

  function cell(text, field) {
    const td = document.createElement("td");
    if (field) td.dataset.field = field;
    if (text) td.textContent = text;
    return td;
  }

  function build(data, at) {
    const tr = document.createElement("tr");
    tr.dataset.appointment = data.appointment_id;
    tr.dataset.updated = at;
    const when = cell("", "when");
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = data.when;
    when.append(link);
    tr.append(when, cell(data.type_name), cell(data.dentist_name), cell("", "state"), cell("", "actions"));
    const empty = body.querySelector("tr.empty");
    if (empty) empty.remove();
    body.prepend(tr);
    return tr;
  }

  function fresh(tr, at) {
    return !tr.dataset.updated || new Date(at) >= new Date(tr.dataset.updated);
  }

  // Which actions the patient has in each state (clinic.states, sent with the page), and the
  // forms the server draws for them as templates whose URL carries id 0.
  const actionsEl = document.getElementById("clinic-actions");
  const ACTIONS = actionsEl ? JSON.parse(actionsEl.textContent) : {};
  // Each state's label in the patient's language, sent with the page (clinic.states).
  const labelsEl = document.getElementById("clinic-state-labels");
  const STATE_LABELS = labelsEl ? JSON.parse(labelsEl.textContent) : {};

  function setState(tr, state, label, at, proposed) {
    const td = tr.querySelector('[data-field="state"]');
    // A proposal shows its time next to the state, as the server writes it.
    td.textContent = proposed ? label + ": " + proposed : label;
    td.className = "state state-" + state;
    const actions = tr.querySelector('[data-field="actions"]');
    const wanted = ACTIONS[state] || [];
    const shown = Array.from(actions.querySelectorAll("form"), (f) => f.dataset.action);
    if (shown.join() !== wanted.join()) {
      const forms = wanted.map((name) => ClinicActions.form(name, tr.dataset.appointment));
      actions.replaceChildren(...forms.filter(Boolean));
    }
    tr.dataset.updated = at;
  }

  function update(notification) {
    const data = notification.data || {};
    const at = notification.created_at;
    if (data.previous_id) {
      const old = find(data.previous_id);
      if (old && fresh(old, at)) setState(old, "rescheduled", STATE_LABELS.rescheduled, at);
    }
    const tr = find(data.appointment_id) || build(data, at);
    if (!fresh(tr, at)) return;
    const link = tr.querySelector('[data-field="when"] a');
    if (link && data.when) link.textContent = data.when;
    const proposing = notification.type === "appointment.proposed";
    setState(tr, data.state, data.state_label, at, proposing ? data.proposed_when : "");
  }

  TYPES.forEach((t) => window.aviso.onNotification("appointment." + t, update));
})();
