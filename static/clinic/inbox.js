// The staff's messages inbox, live (the clinic.inbox topic: each staff member watches their own,
// whose rows carry their own unread counts). On every staff page it keeps the nav's count; on
// the inbox page it also moves a thread with a new message to the top, with its count, and
// clears a count its reader read elsewhere. Topic events are live only: after a reconnect the
// page re-reads its rows (clinic:inbox_data).
(function () {
  "use strict";
  if (!window.aviso) return;
  const badge = document.getElementById("clinic-inbox-unread");
  const list = document.getElementById("threads");
  const roleEl = document.getElementById("clinic-inbox-role");
  const dentist = roleEl ? JSON.parse(roleEl.textContent) === "dentist" : false;

  function showBadge(total) {
    if (!badge) return;
    badge.textContent = window.aviso.format.number(total);
    badge.hidden = total === 0;
  }

  function unreadText(n) {
    return interpolate(ngettext("%s unread", "%s unread", n), [window.aviso.format.number(n)]);
  }

  function field(li, name) {
    return li.querySelector('[data-field="' + name + '"]');
  }

  function text(tag, name, value) {
    const el = document.createElement(tag);
    el.dataset.field = name;
    el.textContent = value;
    return el;
  }

  function when(name, iso) {
    const el = text("time", name, window.aviso.format.dateTime(iso));
    el.dateTime = iso;
    return el;
  }

  // One row, drawn as templates/clinic/inbox.html draws it.
  function row(t) {
    const li = document.createElement("li");
    li.dataset.appointment = t.appointment_id;
    li.dataset.last = t.last_at;
    const link = document.createElement("a");
    link.href = t.url;
    const head = document.createElement("span");
    head.className = "thread-head";
    const count = text("span", "unread", "");
    count.className = "count";
    head.append(text("strong", "patient", t.patient_name), " ", count, " ", when("last", t.last_at));
    const appointment = document.createElement("span");
    appointment.className = "thread-appointment muted";
    appointment.append(text("span", "type", t.type_name), " · ", when("starts", t.starts_at));
    if (!dentist) appointment.append(" · ", text("span", "dentist", t.dentist_name));
    const last = document.createElement("span");
    last.className = "thread-last";
    last.append(text("span", "author", t.author_name), ": ", text("span", "excerpt", t.excerpt));
    link.append(head, appointment, last);
    li.append(link);
    setCount(li, t.unread);
    return li;
  }

  function setCount(li, n) {
    const count = field(li, "unread");
    count.textContent = unreadText(n);
    count.hidden = n === 0;
    li.classList.toggle("unread", n > 0);
  }

  function rows() {
    return list ? Array.from(list.querySelectorAll("li[data-appointment]")) : [];
  }

  function place(t, moveUp) {
    if (!list) return;
    const old = list.querySelector('li[data-appointment="' + t.appointment_id + '"]');
    if (!moveUp) {
      if (old) setCount(old, t.unread);
      return;
    }
    const li = row(t);
    if (old) old.remove();
    // Newest message first: before the first row whose last message is older.
    const next = rows().find((r) => new Date(r.dataset.last) < new Date(t.last_at));
    list.insertBefore(li, next || list.querySelector("li.empty"));
    if (moveUp) li.classList.add("flash");
    list.querySelector("li.empty").hidden = true;
  }

  window.aviso.subscribe("clinic.inbox", {}, (event) => {
    if (!event.thread) return;
    place(event.thread, event.type === "thread.changed");
    // The reader's unread messages over all their threads (the nav's number).
    showBadge(event.total);
  });

  async function reload() {
    if (!badge) return;
    const response = await fetch(badge.dataset.dataUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    const fresh = data.threads;
    if (list) {
      rows().forEach((li) => li.remove());
      fresh.forEach((t) => place(t, false));
      list.querySelector("li.empty").hidden = fresh.length > 0;
    }
    showBadge(data.unread_total);
  }
  window.aviso.onReconnect(reload);
})();
