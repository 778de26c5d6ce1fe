/* The operators' socket (wss://<operators' site>/ws/operators/, docs/operations.md).
 * One per console page; reconnects with exponential backoff and full jitter, stops on 4401
 * (signed out). Pages register handlers:
 *   avisoOps.on("monitor" | "provisioning" | "open", fn(frame))
 *   avisoOps.send({type: "watch", slug}) / {type: "refresh"}
 */
(function (global) {
  "use strict";

  const MAX_BACKOFF_MS = 30000;

  function start() {
    const handlers = {};
    let socket = null;
    let attempt = 0;
    let stopped = false;

    function emit(kind, frame) {
      (handlers[kind] || []).forEach(function (fn) {
        try { fn(frame); } catch (err) { console.error("console handler", err); }
      });
    }

    function setOffline(offline, text) {
      const badge = document.getElementById("ops-offline");
      if (badge) {
        badge.hidden = !offline;
        badge.textContent = text || "offline";
      }
    }

    function send(message) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(Object.assign({v: 1}, message)));
      }
    }

    function connect() {
      if (stopped) return;
      const scheme = global.location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(scheme + global.location.host + "/ws/operators/");
      socket.onopen = function () {
        attempt = 0;
        setOffline(false);
        emit("open", {});
      };
      socket.onmessage = function (event) {
        let frame;
        try { frame = JSON.parse(event.data); } catch (err) { return; }
        emit(frame.type, frame);
      };
      socket.onclose = function (event) {
        socket = null;
        if (event.code === 4401) {
          stopped = true;
          setOffline(true, "signed out");
          return;
        }
        setOffline(true);
        const ceiling = Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, attempt));
        attempt += 1;
        setTimeout(connect, Math.random() * ceiling);
      };
    }

    connect();
    return {
      on: function (kind, fn) { (handlers[kind] = handlers[kind] || []).push(fn); },
      send: send,
    };
  }

  global.avisoOps = start();
})(window);
