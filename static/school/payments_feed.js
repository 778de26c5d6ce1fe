// The administrators' live payments feed: topic "school.payments" (object 0). Topic events
// are not durable, so after a reconnect the page re-reads the latest payments.
(function () {
  "use strict";
  const root = document.getElementById("payments-feed");
  if (!root || !window.aviso) return;
  const body = document.getElementById("payment-rows");
  const status = document.getElementById("feed-status");

  function link(href, text) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }
  function cell(content, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    td.append(content);
    return td;
  }
  function row(p) {
    const tr = document.createElement("tr");
    tr.dataset.paymentId = p.id;
    const when = new Date(p.received_at);
    tr.append(cell(link(p.receipt_url, p.receipt_number)), cell(when.toLocaleString()), cell(p.student),
      cell(link(p.invoice_url, p.invoice_number)), cell(p.method), cell(p.amount_text, "num"),
      cell(`${p.currency} ${Number(p.invoice_balance).toFixed(2)}`, "num"));
    return tr;
  }
  function add(p) {
    if (body.querySelector(`tr[data-payment-id="${p.id}"]`)) return;
    body.querySelectorAll("tr.empty").forEach((tr) => tr.remove());
    const tr = row(p);
    tr.classList.add("fresh");
    body.prepend(tr);
  }
  async function refresh() {
    const response = await fetch(root.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const state = await response.json();
    body.replaceChildren(...state.payments.map(row));
    status.textContent = "live";
  }

  window.aviso.subscribe("school.payments", {}, function (event) {
    if (event.type === "payment.recorded") add(event.payment);
  });
  window.aviso.onReconnect(refresh);
  // Payments recorded between rendering and subscribing are not replayed: re-read once ready.
  document.addEventListener("aviso:ready", refresh, { once: true });
})();
