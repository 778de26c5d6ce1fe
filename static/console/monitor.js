/* The monitoring panel: one row per tenant, rebuilt from each monitor frame. */
(function () {
  "use strict";
  const f = window.avisoFigures;
  const body = document.querySelector("#monitor tbody");

  function cell(row, value, cls) {
    const td = document.createElement("td");
    td.textContent = value;
    if (cls) td.className = cls;
    row.appendChild(td);
  }

  function render(m) {
    const rows = m.tenants.map(function (t) {
      const tr = document.createElement("tr");
      tr.dataset.slug = t.schema;
      const name = document.createElement("td");
      const link = document.createElement("a");
      link.href = "/tenants/" + encodeURIComponent(t.schema) + "/";
      link.textContent = t.name;
      name.appendChild(link);
      tr.appendChild(name);
      cell(tr, f.label("status", t.status), "status-" + t.status);
      cell(tr, t.sockets, "num");
      cell(tr, t.online_users, "num");
      cell(tr, f.perMinute(t.created));
      cell(tr, f.perMinute(t.delivered));
      cell(tr, f.latency(t.latency_ms.p50));
      cell(tr, f.latency(t.latency_ms.p95));
      cell(tr, f.latency(t.latency_ms.p99));
      cell(tr, t.replays, "num");
      cell(tr, f.errors(t.errors), Object.keys(t.errors).length ? "error" : "");
      cell(tr, t.failed_tasks, t.failed_tasks ? "num error" : "num");
      return tr;
    });
    body.replaceChildren.apply(body, rows);
    const queues = Object.keys(m.celery.queues).map(function (q) {
      const n = m.celery.queues[q];
      return q + ": " + (n === null ? gettext("broker unreachable") : f.number(n));
    });
    f.text(document.getElementById("mon-queues"), queues.join(", ") || "–");
    f.text(document.getElementById("mon-failed"), m.celery.failed);
    f.text(document.getElementById("mon-platform-errors"), f.errors(m.platform.errors));
    f.text(document.getElementById("mon-publish-failed"), m.platform.publish_failed);
    // In the page's language (the browser's own may differ).
    document.getElementById("mon-at").textContent = new Date(m.at).toLocaleTimeString(f.lang());
    document.getElementById("mon-window").textContent = interpolate(ngettext(
      "the current and the last complete minute (of %(count)s kept on screen)",
      "the current and the last complete minute (of %(count)s kept on screen)",
      m.window_minutes), {count: m.window_minutes}, true);
  }

  window.avisoOps.on("monitor", function (frame) { render(frame.monitor); });
})();
