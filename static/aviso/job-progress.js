// The live progress of a job a worker runs (a CSV import, a billing run) on the job's page:
//
//   <div data-job-progress data-topic="people.import" data-topic-params='{"job_id": 7}'
//        data-progress-event="import.progress" data-fragment-url="…" [data-finished]>
//     <… data-status="running">  <progress data-progress-bar>  <… data-progress-count
//        data-count-text="%(done)s of %(total)s rows">
//   </div>
//
// Progress events move the bar and the count (the sentence comes translated from the
// server, with %(name)s for each of the event's numbers); any other event of the topic means
// the job's state changed, and the page swaps in the state as the server renders it. Topic
// events are not durable, so the state is also re-read once the socket is ready and after
// every reconnect; a finished job's page is complete without the socket.
(function () {
  "use strict";
  if (!window.aviso || !window.AvisoFragments) return;
  const ENDED = ["done", "failed"];

  document.querySelectorAll("[data-job-progress]").forEach(function (root) {
    let finished = "finished" in root.dataset;

    function refresh() {
      return window.AvisoFragments.refresh(root).then(function () {
        const status = root.querySelector("[data-status]");
        finished = status !== null && ENDED.includes(status.dataset.status);
      });
    }

    function progress(event) {
      const bar = root.querySelector("[data-progress-bar]");
      const count = root.querySelector("[data-progress-count]");
      if (!bar || !count) return;
      bar.max = event.total;
      bar.value = event.done;
      count.textContent = interpolate(count.dataset.countText, event, true);
    }

    const params = JSON.parse(root.dataset.topicParams || "{}");
    window.aviso.subscribe(root.dataset.topic, params, function (event) {
      if (event.type === root.dataset.progressEvent) {
        if (!finished) progress(event);
      } else {
        refresh();
      }
    });
    window.aviso.onReconnect(refresh);
    document.addEventListener("aviso:ready", function () { if (!finished) refresh(); }, {once: true});
  });
})();
