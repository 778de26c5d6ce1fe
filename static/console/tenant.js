/* A tenant's page: provisioning progress and live figures, pushed over the operators' socket.
 * On every (re)connect it asks for the current provisioning state, so a step written while the
 * page was loading or offline is never missed. */
(function () {
  "use strict";
  const f = window.avisoFigures;
  const box = document.getElementById("provisioning");
  const slug = box.dataset.slug;
  const live = document.getElementById("live");

  function showProgress(p) {
    if (!p) return;
    box.hidden = false;
    document.getElementById("progress-bar").value = p.percent;
    document.getElementById("progress-step").textContent = f.label("step", p.step);
    document.getElementById("progress-error").textContent = p.error;
    if (p.state === "done") location.reload();
  }

  window.avisoOps.on("open", function () {
    if (!box.hidden) window.avisoOps.send({type: "watch", slug: slug});
  });
  window.avisoOps.on("provisioning", function (frame) {
    if (frame.slug === slug && frame.progress && (!box.hidden || frame.progress.state !== "done")) {
      showProgress(frame.progress);
    }
  });

  if (!live) return;
  function field(name) { return live.querySelector('[data-field="' + name + '"]'); }
  window.avisoOps.on("monitor", function (frame) {
    const t = frame.monitor.tenants.find(function (x) { return x.schema === slug; });
    const newer = Date.parse(frame.monitor.at) > Date.parse(live.dataset.renderedAt);
    // Deleted by another operator (or the command line) after this page was made: show so.
    if (!t) { if (newer) location.reload(); return; }
    f.text(field("sockets"), t.sockets);
    f.text(field("online_users"), t.online_users);
    f.text(field("created"), f.perMinute(t.created));
    f.text(field("delivered"), f.perMinute(t.delivered));
    f.text(field("latency"), [t.latency_ms.p50, t.latency_ms.p95, t.latency_ms.p99].map(f.latency).join(" / "));
    f.text(field("replays"), t.replays);
    f.text(field("errors"), f.errors(t.errors));
    f.text(field("failed_tasks"), t.failed_tasks);
    // Another operator (or the command line) changed the status after this page was made:
    // its buttons are stale, so show the page as it is now. Older frames are ignored.
    const renderedAt = Date.parse(live.dataset.renderedAt);
    if (t.status !== live.dataset.status && Date.parse(frame.monitor.at) > renderedAt) {
      location.reload();
    }
  });
})();
