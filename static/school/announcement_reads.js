// An announcement's read count, live on its author's (and administrators') page: topic
// "school.announcement" for this announcement. Each read sends the new count; topic events
// are not durable, so the page re-reads the count after every reconnect and once ready.
(function () {
  "use strict";
  const counter = document.getElementById("announcement-reads");
  if (!counter || !window.aviso) return;
  const status = document.getElementById("reads-status");
  const objectId = Number(counter.dataset.announcementId);
  let read = Number(counter.dataset.read);
  let recipients = Number(counter.dataset.recipients);

  function show(state) {
    // Events may arrive out of order; the count only grows.
    read = Math.max(read, state.read);
    recipients = state.recipients;
    counter.dataset.read = String(read);
    counter.textContent = interpolate(gettext("%(read)s of %(total)s read"), {read: read, total: recipients}, true);
    if (status) status.textContent = gettext("live");
  }

  function reread() {
    fetch(counter.dataset.url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) { if (state) show(state); })
      .catch(function () {});
  }

  window.aviso.subscribe(counter.dataset.topic, {object_id: objectId}, function (event) {
    if (event.type === "announcement.read") show(event);
  });
  window.aviso.onReconnect(reread);
  document.addEventListener("aviso:ready", reread, {once: true});
})();
