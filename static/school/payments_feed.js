// The administrators' live payments feed: topic "school.payments" (object 0). Each payment
// event makes the page swap in the feed as the server renders it; topic events are not
// durable, so the page also re-reads it after every reconnect and once the socket is ready.
(function () {
  "use strict";
  const root = document.getElementById("payments-feed");
  if (!root || !window.aviso || !window.AvisoFragments) return;
  const status = document.getElementById("feed-status");

  function refresh(freshId) {
    return window.AvisoFragments.refresh(root).then(function () {
      status.textContent = gettext("live");
      const row = freshId && root.querySelector(`tr[data-payment-id="${freshId}"]`);
      if (row) row.classList.add("fresh");
    });
  }

  window.aviso.subscribe("school.payments", {}, function (event) {
    if (event.type === "payment.recorded") refresh(event.payment.id);
  });
  window.aviso.onReconnect(() => refresh(null));
  // Payments recorded between rendering and subscribing are not replayed: re-read once ready.
  document.addEventListener("aviso:ready", () => refresh(null), { once: true });
})();
