/* Aviso real-time client (protocol v1, docs/realtime-protocol.md).
 *
 * One socket per page to wss://<this tenant's domain>/ws/, opened with static/aviso/socket.js
 * (backoff, offline badge, and the server's terminal close codes: signed out, suspended...).
 * Its texts come from the page's JS catalogue (gettext, ngettext: templates/base.html).
 * This file is the tenant side of the protocol: it resumes from the last seq the page has seen
 * (starting at the seq the server rendered the page with) by saying hello with it on every
 * (re)connect. Pages register handlers:
 *   aviso.onNotification(type | "*", fn(notification))
 *   aviso.subscribe(topic, params, fn(event, objectId))
 *   aviso.onReconnect(fn)   // after every reconnect: re-read page state topics may have missed
 */
(function (global) {
  "use strict";

  function start(options) {
    const handlers = {};
    const topics = new Map(); // "topic|json(params)" -> {topic, params, fn, objectId}
    const reconnectHandlers = [];
    let socket = null;
    let connectedOnce = false;
    let ready = false;
    let unread = null;
    let replayedThisConnect = 0;
    // This page's cursor: the server rendered the page as of options.lastSeq, so everything
    // after it is news to this page (and is replayed if it happened while offline).
    let cursor = Number.isInteger(options.lastSeq) && options.lastSeq >= 0 ? options.lastSeq : 0;

    function send(message) {
      if (socket) socket.send(message);
    }

    function setOffline(offline) {
      if (offline) ready = false;
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

    function onMessage(frame) {
      switch (frame.type) {
        case "notification":
          dispatchNotification(frame.notification);
          break;
        case "ready":
          ready = true;
          setUnread(frame.unread);
          if (replayedThisConnect > 3) {
            const more = replayedThisConnect - 3;
            toast(interpolate(ngettext("%s more notification", "%s more notifications", more), [more]), "", "/notifications/");
          }
          topics.forEach(function (entry) { send({type: "subscribe", topic: entry.topic, params: entry.params}); });
          if (connectedOnce) reconnectHandlers.forEach(function (fn) { try { fn(); } catch (err) { console.error(err); } });
          connectedOnce = true;
          document.dispatchEvent(new CustomEvent("aviso:ready", {detail: frame}));
          break;
        case "unread":
          setUnread(frame.unread);
          break;
        case "subscribed":
          // A page may watch several objects of one topic (the clinic's Requests page watches
          // every dentist's schedule): an entry that named its object takes only that one.
          topics.forEach(function (entry) {
            const named = entry.params.object_id;
            if (entry.topic === frame.topic && (named === undefined || named === frame.object_id)) {
              entry.objectId = frame.object_id;
            }
          });
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

    socket = global.AvisoSocket.open({
      path: "/ws/",
      badge: "aviso-offline",
      onOffline: setOffline,
      onOpen: function () {
        ready = false;
        replayedThisConnect = 0;
        send({type: "hello", last_seq: cursor});
      },
      onFrame: onMessage,
    });

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
