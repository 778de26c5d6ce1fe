/* The operators' socket (wss://<operators' site>/ws/operators/, docs/operations.md).
 * One per console page, opened with static/aviso/socket.js (backoff with full jitter, the
 * offline badge, and the server's terminal close codes). Pages register handlers:
 *   avisoOps.on("monitor" | "provisioning" | "open", fn(frame))
 *   avisoOps.send({type: "watch", slug}) / {type: "refresh"}
 */
(function (global) {
  "use strict";

  function start() {
    const handlers = {};

    function emit(kind, frame) {
      (handlers[kind] || []).forEach(function (fn) {
        try { fn(frame); } catch (err) { console.error("console handler", err); }
      });
    }

    const socket = global.AvisoSocket.open({
      path: "/ws/operators/",
      badge: "ops-offline",
      onOpen: function () { emit("open", {}); },
      onFrame: function (frame) { emit(frame.type, frame); },
    });

    return {
      on: function (kind, fn) { (handlers[kind] = handlers[kind] || []).push(fn); },
      send: socket.send,
    };
  }

  global.avisoOps = start();
})(window);
