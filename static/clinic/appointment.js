// One appointment: new messages of its thread and changes of its state appear in place.
// Replayed notifications are harmless: messages are de-duplicated by id, and a state change
// older than the page's last change is ignored.
(function () {
  "use strict";
  const thread = document.getElementById("thread");
  if (!thread || !window.aviso) return;
  const appointmentId = Number(thread.dataset.appointment);
  const state = document.getElementById("appointment-state");
  const moved = document.getElementById("appointment-moved");
  // Each state's label in the reader's language, sent with the page (clinic.states).
  const labelsEl = document.getElementById("clinic-state-labels");
  const STATE_LABELS = labelsEl ? JSON.parse(labelsEl.textContent) : {};
  // The viewer's actions in each state (clinic.states, sent with the page) and the forms the
  // server draws for them, cloned when a change arrives live.
  const actionsEl = document.getElementById("clinic-actions");
  const ACTIONS = actionsEl ? JSON.parse(actionsEl.textContent) : {};
  const actions = document.getElementById("appointment-actions");
  const proposal = document.getElementById("appointment-proposal");

  // `proposing`: the notification is the proposal itself (the patient is asked to answer).
  function redraw(stateName, data, proposing) {
    if (proposal) {
      proposal.hidden = !proposing;
      const text = proposal.querySelector('[data-field="proposed"]');
      if (text && data.proposed_when) text.textContent = data.proposed_when;
    }
    if (!actions || !window.ClinicActions) return;
    const forms = (ACTIONS[stateName] || []).map((name) => ClinicActions.form(name, appointmentId));
    actions.replaceChildren(...forms.filter(Boolean));
  }

  window.aviso.onNotification("appointment.message", (notification) => {
    const data = notification.data || {};
    if (data.appointment_id !== appointmentId) return;
    if (thread.querySelector('[data-message="' + data.message_id + '"]')) return;
    const empty = thread.querySelector(".empty");
    if (empty) empty.remove();
    const li = document.createElement("li");
    li.dataset.message = data.message_id;
    const who = document.createElement("strong");
    who.textContent = data.author_name;
    const time = document.createElement("time");
    time.dateTime = data.created_at;
    // As the page writes it: the locale's date and time, in the clinic's time zone.
    time.textContent = window.aviso.format.dateTime(data.created_at);
    const text = document.createElement("p");
    text.textContent = data.text;
    li.append(who, " ", time, text);
    thread.append(li);
    // The staff's inbox counts a message shown here as read (clinic.services.threads).
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (thread.dataset.readUrl && token) {
      const body = new FormData();
      body.append("csrfmiddlewaretoken", token.value);
      body.append("message", data.message_id);
      fetch(thread.dataset.readUrl, { method: "POST", body: body, credentials: "same-origin" });
    }
  });

  function fresh(at) {
    return !state.dataset.updated || new Date(at) >= new Date(state.dataset.updated);
  }

  [
    "requested",
    "confirmed",
    "declined",
    "rescheduled",
    "cancelled",
    "proposed",
    "proposal_accepted",
    "proposal_declined",
    "withdrawn",
  ].forEach((t) =>
    window.aviso.onNotification("appointment." + t, (notification) => {
      const data = notification.data || {};
      const at = notification.created_at;
      if (!state || !fresh(at)) return;
      if (data.appointment_id === appointmentId) {
        state.textContent = data.state_label;
        state.className = "state state-" + data.state;
        state.dataset.updated = at;
        redraw(data.state, data, notification.type === "appointment.proposed");
        // An accepted proposal moved it: the heading follows.
        const when = document.getElementById("appointment-when");
        if (when && data.when) when.textContent = data.when;
      } else if (data.previous_id === appointmentId) {
        state.textContent = STATE_LABELS.rescheduled;
        state.className = "state state-rescheduled";
        state.dataset.updated = at;
        if (moved) {
          const link = document.createElement("a");
          link.href = data.url;
          link.textContent = data.when;
          // The sentence is translated whole; the link takes the place of its %(when)s.
          const [before, after] = gettext("Moved to %(when)s.").split("%(when)s");
          moved.replaceChildren(before, link, after);
          moved.hidden = false;
        }
      }
    })
  );
})();
