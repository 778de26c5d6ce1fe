/* Aviso real-time client (protocol v1, docs/realtime-protocol.md).
 *
 * One socket per page to wss://<this tenant's domain>/ws/. It resumes from the last seq the
 * page has seen (starting at the seq the server rendered the page with), reconnects with exponential backoff and jitter, and stops retrying on 4401 (signed out) and
 * 4423 (suspended). Pages register handlers:
 *   aviso.onNotification(type | "*", fn(notification))
 *   aviso.subscribe(topic, params, fn(event, objectId))
 *   aviso.onReconnect(fn)   // after every reconnect: re-read page state topics may have missed
 */
(function (global) {
  "use strict";

  const MAX_BACKOFF_MS = 30000;
  const TERMINAL = {4401: "Signed out", 4423: "This site is suspended", 4429: "Too many messages"};

  function start(options) {
    const handlers = {};
    const topics = new Map(); // "topic|json(params)" -> {topic, params, fn, objectId}
    const reconnectHandlers = [];
    let socket = null;
    let retryTimer = null; // the pending backoff reconnect, if any
    let attempt = 0;
    let connectedOnce = false;
    let stopped = false;
    let ready = false;
    let unread = null;
    let replayedThisConnect = 0;
    // This page's cursor: the server rendered the page as of options.lastSeq, so everything
    // after it is news to this page (and is replayed if it happened while offline).
    let cursor = Number.isInteger(options.lastSeq) && options.lastSeq >= 0 ? options.lastSeq : 0;

    function url() {
      const scheme = global.location.protocol === "https:" ? "wss://" : "ws://";
      return scheme + global.location.host + "/ws/";
    }

    function send(message) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(Object.assign({v: 1}, message)));
      }
    }

    function setOffline(offline, reason) {
      const badge = document.getElementById("aviso-offline");
      if (badge) {
        badge.hidden = !offline;
        badge.textContent = reason || "offline";
      }
      document.body.classList.toggle("aviso-offline", offline);
    }

    function setUnread(count) {
      unread = count;
      const badge = document.getElementById("aviso-unread");
      if (badge) {
        badge.textContent = String(count);
        badge.hidden = count === 0;
      }
    }

    function toast(text, detail, href) {
      const box = document.getElementById("aviso-toasts");
      if (!box) return;
      const item = document.createElement(href ? "a" : "div");
      item.className = "toast";
      if (href) item.href = href;
      const title = document.createElement("strong");
      title.textContent = text;
      item.appendChild(title);
      if (detail) {
        const body = document.createElement("span");
        body.textContent = detail;
        item.appendChild(body);
      }
      box.appendChild(item);
      setTimeout(function () { item.classList.add("leaving"); }, 6000);
      setTimeout(function () { item.remove(); }, 6600);
    }

    function dispatchNotification(n) {
      if (n.seq <= cursor) return; // already shown on this page
      cursor = n.seq;
      const data = n.data || {};
      if (ready) {
        if (!n.read) setUnread((unread || 0) + 1);
        toast(data.title || n.type, data.body || "", data.url);
      } else {
        replayedThisConnect += 1;
        if (replayedThisConnect <= 3) toast(data.title || n.type, data.body || "", data.url);
      }
      [n.type, "*"].forEach(function (key) {
        (handlers[key] || []).forEach(function (fn) {
          try { fn(n); } catch (err) { console.error("aviso handler", err); }
        });
      });
      document.dispatchEvent(new CustomEvent("aviso:notification", {detail: n}));
    }

    function onMessage(event) {
      let frame;
      try { frame = JSON.parse(event.data); } catch (err) { return; }
      switch (frame.type) {
        case "notification":
          dispatchNotification(frame.notification);
          break;
        case "ready":
          ready = true;
          setUnread(frame.unread);
          if (replayedThisConnect > 3) toast((replayedThisConnect - 3) + " more notifications", "", "/notifications/");
          topics.forEach(function (entry) { send({type: "subscribe", topic: entry.topic, params: entry.params}); });
          if (connectedOnce) reconnectHandlers.forEach(function (fn) { try { fn(); } catch (err) { console.error(err); } });
          connectedOnce = true;
          document.dispatchEvent(new CustomEvent("aviso:ready", {detail: frame}));
          break;
        case "unread":
          setUnread(frame.unread);
          break;
        case "subscribed":
          topics.forEach(function (entry) { if (entry.topic === frame.topic) entry.objectId = frame.object_id; });
          break;
        case "event":
          topics.forEach(function (entry) {
            if (entry.topic === frame.topic && entry.objectId === frame.object_id) {
              try { entry.fn(frame.event, frame.object_id); } catch (err) { console.error(err); }
            }
          });
          break;
        case "error":
          console.warn("aviso:", frame.code, frame.message);
          break;
      }
    }

    function connect() {
      if (stopped || socket) return; // one socket per page, whoever asks
      clearTimeout(retryTimer);
      retryTimer = null;
      ready = false;
      replayedThisConnect = 0;
      socket = new WebSocket(url());
      socket.onopen = function () {
        attempt = 0;
        setOffline(false);
        send({type: "hello", last_seq: cursor});
      };
      socket.onmessage = onMessage;
      socket.onclose = function (event) {
        socket = null;
        if (TERMINAL[event.code]) {
          stopped = true;
          setOffline(true, TERMINAL[event.code]);
          return;
        }
        setOffline(true);
        // Full jitter: spread a reconnect storm over the whole backoff window.
        const ceiling = Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, attempt));
        attempt += 1;
        retryTimer = setTimeout(connect, Math.random() * ceiling);
      };
    }

    // Back online: reconnect now instead of waiting out the backoff (connect() cancels it).
    global.addEventListener("online", function () { attempt = 0; connect(); });
    connect();

    return {
      onNotification: function (type, fn) { (handlers[type] = handlers[type] || []).push(fn); },
      subscribe: function (topic, params, fn) {
        const key = topic + "|" + JSON.stringify(params || {});
        topics.set(key, {topic: topic, params: params || {}, fn: fn, objectId: null});
        if (ready) send({type: "subscribe", topic: topic, params: params || {}});
      },
      onReconnect: function (fn) { reconnectHandlers.push(fn); },
      markRead: function (seq) { send({type: "mark_read", seq: seq}); },
      markAllRead: function () { send({type: "mark_all_read"}); },
      toast: toast,
      get unread() { return unread; },
      get connected() { return ready; },
      get cursor() { return cursor; },
    };
  }

  global.AvisoRealtime = {start: start};
})(window);
