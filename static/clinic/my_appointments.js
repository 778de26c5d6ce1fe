// The patient's list follows their appointment notifications (live or replayed): states
// change in place; a moved or newly booked appointment re-reads the list.
(function () {
  "use strict";
  const table = document.getElementById("my-appointments");
  if (!table || !window.aviso) return;
  const TYPES = ["confirmed", "declined", "rescheduled", "cancelled"];

  function update(notification) {
    const data = notification.data || {};
    const tr = table.querySelector('tr[data-appointment="' + data.appointment_id + '"]');
    if (!tr || (notification.type === "appointment.rescheduled" && data.previous_id)) {
      window.location.reload();
      return;
    }
    const cell = tr.querySelector('[data-field="state"]');
    cell.textContent = data.state_label;
    cell.className = "state state-" + data.state;
    if (data.state !== "confirmed") {
      tr.querySelector('[data-field="actions"]').replaceChildren();
    }
  }

  TYPES.forEach((t) => window.aviso.onNotification("appointment." + t, update));
})();
