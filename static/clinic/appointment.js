// One appointment: new messages of its thread and changes of its state appear in place.
(function () {
  "use strict";
  const thread = document.getElementById("thread");
  if (!thread || !window.aviso) return;
  const appointmentId = Number(thread.dataset.appointment);
  const state = document.getElementById("appointment-state");

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
    time.textContent = new Date(data.created_at).toLocaleString();
    const body = document.createElement("p");
    body.textContent = data.text;
    li.append(who, " ", time, body);
    thread.append(li);
  });

  ["confirmed", "declined", "rescheduled", "cancelled"].forEach((t) =>
    window.aviso.onNotification("appointment." + t, (notification) => {
      const data = notification.data || {};
      if (data.appointment_id === appointmentId && state) {
        state.textContent = data.state_label;
        state.className = "state state-" + data.state;
      } else if (data.previous_id === appointmentId) {
        window.location.href = data.url;
      }
    })
  );
})();
