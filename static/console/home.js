/* Tenants list: status, sockets and users online follow the monitor frames in place. */
(function () {
  "use strict";
  const f = window.avisoFigures;

  function set(row, field, value) {
    const cell = row.querySelector('[data-field="' + field + '"]');
    if (cell && cell.textContent !== String(value)) cell.textContent = value;
    return cell;
  }

  window.avisoOps.on("monitor", function (frame) {
    let unknown = false;
    frame.monitor.tenants.forEach(function (t) {
      const row = document.querySelector('#tenants tr[data-slug="' + t.schema + '"]');
      if (!row) { unknown = true; return; }
      const status = set(row, "status", f.label("status", t.status));
      if (status) status.className = "status status-" + t.status;
      set(row, "sockets", t.sockets);
      set(row, "online_users", t.online_users);
    });
    // A tenant onboarded elsewhere: its row needs the server's rendering (domains, users).
    if (unknown && !document.hidden) location.reload();
  });
})();
