// A CSV import's progress (topic "people.import", object: the job). Progress events move the
// bar; when the import ends the page swaps in the job's state as the server renders it. Topic
// events are not durable, so the state is also re-read once the socket is ready and after
// every reconnect; a finished job's page is complete without the socket.
(function () {
  "use strict";
  const root = document.getElementById("import-job");
  if (!root || !window.aviso || !window.AvisoFragments) return;
  const jobId = Number(root.dataset.jobId);
  let finished = "finished" in root.dataset;

  function refresh() {
    return window.AvisoFragments.refresh(root).then(function () {
      const status = root.querySelector("[data-status]");
      finished = status !== null && ["done", "failed"].includes(status.dataset.status);
    });
  }

  function progress(done, total) {
    const bar = document.getElementById("import-progress");
    const count = document.getElementById("import-count");
    if (!bar || !count) return;
    bar.max = total;
    bar.value = done;
    count.textContent = interpolate(gettext("%(done)s of %(total)s rows"), {done: done, total: total}, true);
  }

  window.aviso.subscribe(root.dataset.topic, {job_id: jobId}, function (event) {
    if (event.type === "import.progress" && !finished) progress(event.done, event.total);
    else if (event.type === "import.finished" || event.type === "import.invited") refresh();
  });
  window.aviso.onReconnect(refresh);
  document.addEventListener("aviso:ready", function () { if (!finished) refresh(); }, {once: true});
})();
