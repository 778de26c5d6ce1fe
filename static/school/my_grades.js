// "My grades": when grades are published or corrected (a notification), and after a
// reconnect, the page swaps in its grades as the server renders them (rows, course and term
// averages: one source), then highlights the rows the notification named.
(function () {
  "use strict";
  const root = document.getElementById("my-grades");
  if (!root || !window.aviso || !window.AvisoFragments) return;

  function highlight(ids) {
    ids.forEach(function (id) {
      const row = root.querySelector(`tr[data-grade-id="${id}"]`);
      if (row) row.classList.add("fresh");
    });
  }

  function apply(notification) {
    const data = notification.data || {};
    const ids = (data.grades || []).map((g) => g.id);
    window.AvisoFragments.refresh(root).then(() => highlight(ids));
  }

  window.aviso.onNotification("grade.published", apply);
  window.aviso.onNotification("grade.updated", apply);
  window.aviso.onReconnect(() => window.AvisoFragments.refresh(root));
})();
