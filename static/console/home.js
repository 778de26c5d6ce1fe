/* Tenants list: name, status, sockets and users online follow the monitor frames in place;
 * a deleted tenant's row goes. */
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
    const present = new Set();
    frame.monitor.tenants.forEach(function (t) {
      present.add(t.schema);
      const row = document.querySelector('#tenants tr[data-slug="' + t.schema + '"]');
      if (!row) { unknown = true; return; }
      // Renamed elsewhere: the new name at once.
      const link = row.querySelector("td a");
      if (link && link.textContent !== t.name) link.textContent = t.name;
      const status = set(row, "status", f.label("status", t.status));
      if (status) status.className = "status status-" + t.status;
      set(row, "sockets", t.sockets);
      set(row, "online_users", t.online_users);
    });
    // A tenant deleted elsewhere: its row goes.
    document.querySelectorAll("#tenants tr[data-slug]").forEach(function (row) {
      if (!present.has(row.dataset.slug)) row.remove();
    });
    // A tenant onboarded elsewhere: its row needs the server's rendering (domains, users).
    if (unknown && !document.hidden) location.reload();
  });
})();
