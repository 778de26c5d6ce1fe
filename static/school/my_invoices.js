// "My invoices": any invoice or payment notification makes the page re-read its state (the
// balance is a sum over invoices, so the server's figure is the one to show); likewise after
// a reconnect.
(function () {
  "use strict";
  const root = document.getElementById("my-invoices");
  if (!root || !window.aviso) return;
  const TYPES = ["payment.recorded", "invoice.issued", "invoice.cancelled", "invoice.due_soon", "invoice.overdue"];
  let pending = null;

  const money = (amount, currency) =>
    `${currency} ${Number(amount).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const cell = (text, cls) => {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text;
    return td;
  };

  function render(state, changedId) {
    document.getElementById("balance").textContent = state.balance_text;
    const body = document.getElementById("invoice-rows");
    const receipts = {};
    body.querySelectorAll("tr[data-invoice-id]").forEach(function (tr) {
      receipts[tr.dataset.invoiceId] = tr.lastElementChild.innerHTML;
    });
    body.replaceChildren();
    state.invoices.forEach(function (i) {
      const tr = document.createElement("tr");
      tr.dataset.invoiceId = i.id;
      tr.className = `status-${i.status}${String(i.id) === String(changedId) ? " fresh" : ""}`;
      const status = cell("");
      const badge = document.createElement("span");
      badge.className = "status";
      badge.textContent = i.status_label;
      status.append(badge);
      const receiptCell = document.createElement("td");
      receiptCell.innerHTML = receipts[i.id] || "";
      tr.append(cell(i.number), cell(i.description), cell(money(i.amount, i.currency), "num"),
        cell(money(i.amount_paid, i.currency), "num"), cell(money(i.balance, i.currency), "num"),
        cell(i.due_on), status, receiptCell);
      body.append(tr);
    });
  }

  function refresh(notification) {
    const data = (notification && notification.data) || {};
    clearTimeout(pending);
    pending = setTimeout(async function () {
      const response = await fetch(root.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      render(await response.json(), data.invoice && data.invoice.id);
      if (data.receipt_url && data.invoice) {
        const tr = document.querySelector(`tr[data-invoice-id="${data.invoice.id}"]`);
        if (tr && !tr.lastElementChild.querySelector(`a[href="${data.receipt_url}"]`)) {
          const a = document.createElement("a");
          a.href = data.receipt_url;
          a.textContent = data.receipt_number;
          tr.lastElementChild.append(a, " ");
        }
      }
    }, 150);
  }

  TYPES.forEach((type) => window.aviso.onNotification(type, refresh));
  window.aviso.onReconnect(() => refresh(null));
})();
