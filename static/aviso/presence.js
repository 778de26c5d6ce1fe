/* Refreshes the "Online now" box ({% online_staff refresh_url %}) from its JSON endpoint
 * whenever the server says a staff member's sockets came or went (topic "presence"). */
(function () {
  "use strict";
  const box = document.getElementById("online-staff");
  if (!box || !box.dataset.url) return;
  const list = box.querySelector("ul");

  function render(users) {
    list.replaceChildren();
    if (!users.length) {
      const li = document.createElement("li");
      li.className = "none";
      li.textContent = gettext("Nobody else is online.");
      list.appendChild(li);
      return;
    }
    users.forEach(function (u) {
      const li = document.createElement("li");
      li.dataset.user = u.id;
      const dot = document.createElement("span");
      dot.className = "dot";
      const role = document.createElement("small");
      role.textContent = u.role_label;
      li.append(dot, u.name + " ", role);
      list.appendChild(li);
    });
  }

  async function refresh() {
    try {
      const r = await fetch(box.dataset.url, {credentials: "same-origin"});
      if (r.ok) render((await r.json()).users);
    } catch (err) { /* offline: the next round or reconnect tries again */ }
  }

  // Re-read when someone's sockets come or go (pushed), and after each reconnect (missed
  // pushes). A crashed server's users drop out at the next change or page load.
  if (window.aviso) {
    window.aviso.subscribe("presence", {}, refresh);
    window.aviso.onReconnect(refresh);
  }
})();
