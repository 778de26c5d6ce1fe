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
  });

  function fresh(at) {
    return !state.dataset.updated || new Date(at) >= new Date(state.dataset.updated);
  }

  ["confirmed", "declined", "rescheduled", "cancelled"].forEach((t) =>
    window.aviso.onNotification("appointment." + t, (notification) => {
      const data = notification.data || {};
      const at = notification.created_at;
      if (!state || !fresh(at)) return;
      if (data.appointment_id === appointmentId) {
        state.textContent = data.state_label;
        state.className = "state state-" + data.state;
        state.dataset.updated = at;
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
