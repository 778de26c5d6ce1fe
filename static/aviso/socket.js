/* The one browser socket of Aviso's pages (docs/realtime-protocol.md): tenant pages
 * (static/aviso/realtime.js) and the operators' console (static/console/console.js) both
 * open theirs with it.
 *
 * It connects to wss://<this page's host><path>, parses every frame as JSON, reconnects with
 * exponential backoff and full jitter (0.5 s doubling to 30 s), reconnects at once when the
 * browser says it is back online, shows the offline badge while the socket is down, and stops
 * for good on the close codes the server's table marks terminal. That table is the server's
 * own (realtime/protocol.py CLOSE_CODES), rendered into the page by {% aviso_close_codes %}:
 * no close code is written here. What is said after opening (tenant pages: hello with their
 * cursor) is the caller's business:
 *
 *   const socket = AvisoSocket.open({
 *     path: "/ws/",
 *     badge: "aviso-offline",            // id of the offline badge (optional)
 *     onOpen: function () {},           // a socket opened: say hello, emit "open"
 *     onFrame: function (frame) {},     // every parsed frame
 *     onOffline: function (offline) {}, // the socket went down / came back (optional)
 *   });
 *   socket.send({type: ...});          // sent with v: 1 if the socket is open; else dropped
 */
(function (global) {
  "use strict";

  const BASE_BACKOFF_MS = 500;
  const MAX_BACKOFF_MS = 30000;

  function closeCodes() {
    const element = document.getElementById("aviso-close-codes");
    if (!element) {
      console.error("aviso: the page has no close-code table; every close will be retried");
      return {};
    }
    return JSON.parse(element.textContent);
  }

  function open(options) {
    const table = closeCodes();
    let socket = null;
    let retryTimer = null; // the pending backoff reconnect, if any
    let attempt = 0;
    let stopped = false;

    function setOffline(offline, text) {
      const badge = options.badge && document.getElementById(options.badge);
      if (badge) {
        badge.hidden = !offline;
        badge.textContent = text || gettext("offline");
      }
      if (options.onOffline) options.onOffline(offline);
    }

    function send(message) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(Object.assign({v: 1}, message)));
      }
    }

    function connect() {
      if (stopped || socket) return; // one socket per page, whoever asks
      clearTimeout(retryTimer);
      retryTimer = null;
      const scheme = global.location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(scheme + global.location.host + options.path);
      socket.onopen = function () {
        attempt = 0;
        setOffline(false);
        options.onOpen();
      };
      socket.onmessage = function (event) {
        let frame;
        try { frame = JSON.parse(event.data); } catch (err) { return; }
        options.onFrame(frame);
      };
      socket.onclose = function (event) {
        socket = null;
        const close = table[String(event.code)];
        if (close && close.terminal) {
          stopped = true;
          setOffline(true, close.message);
          return;
        }
        setOffline(true);
        // Full jitter: spread a reconnect storm over the whole backoff window.
        const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * Math.pow(2, attempt));
        attempt += 1;
        retryTimer = setTimeout(connect, Math.random() * ceiling);
      };
    }

    // Back online: reconnect now instead of waiting out the backoff (connect() cancels it).
    global.addEventListener("online", function () { attempt = 0; connect(); });
    connect();

    return {
      send: send,
      get open() { return socket !== null && socket.readyState === WebSocket.OPEN; },
    };
  }

  global.AvisoSocket = {open: open};
})(window);
