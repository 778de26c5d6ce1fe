// The overview's totals stay live: the page swaps them in as the server renders them (the
// figures are sums the server computes once; the page never adds anything up). Administrators
// hear "totals.changed" on the school.totals topic; a student or guardian hears the invoice
// and payment (and grade) notifications they already receive. Every reconnect re-reads them.
(function () {
  "use strict";
  const root = document.getElementById("overview-totals");
  if (!root || !window.aviso || !window.AvisoFragments) return;
  const refresh = () => window.AvisoFragments.refresh(root);
  if (root.dataset.topic) {
    window.aviso.subscribe(root.dataset.topic, {}, function (event) {
      if (event.type === "totals.changed") refresh();
    });
  } else {
    ["invoice.issued", "invoice.cancelled", "invoice.overdue", "invoice.due_soon",
      "payment.recorded", "grade.published", "grade.updated"].forEach(function (type) {
      window.aviso.onNotification(type, refresh);
    });
  }
  window.aviso.onReconnect(refresh);
})();
