// "My invoices": any invoice or payment notification, and any reconnect, makes the page swap
// in its balance and invoices as the server renders them (the balance is a sum over invoices,
// so the server's figure is the one to show), then highlights the invoice concerned.
(function () {
  "use strict";
  const root = document.getElementById("my-invoices");
  if (!root || !window.aviso || !window.AvisoFragments) return;
  const TYPES = ["payment.recorded", "invoice.issued", "invoice.cancelled", "invoice.due_soon", "invoice.overdue"];

  function apply(notification) {
    const data = notification.data || {};
    const id = data.invoice && data.invoice.id;
    window.AvisoFragments.refresh(root).then(function () {
      const row = id && root.querySelector(`tr[data-invoice-id="${id}"]`);
      if (row) row.classList.add("fresh");
    });
  }

  TYPES.forEach((type) => window.aviso.onNotification(type, apply));
  window.aviso.onReconnect(() => window.AvisoFragments.refresh(root));
})();
