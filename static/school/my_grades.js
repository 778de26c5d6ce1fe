// "My grades": published and corrected grades arrive as notifications and are applied in
// place (new row, averages recomputed); after a reconnect the page re-reads its JSON state.
(function () {
  "use strict";
  const root = document.getElementById("my-grades");
  if (!root || !window.aviso) return;

  const num = (s) => (s === null || s === undefined || s === "" ? null : Number(s));
  const show = (n) => (n === null ? "—" : String(Math.round(n * 100) / 100));
  const el = (tag, attrs, text) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  };

  // Same rule as school/grading.py: weighted mean of percentages; term = mean of courses.
  function courseAverage(section) {
    let total = 0;
    let weights = 0;
    section.querySelectorAll("tr[data-grade-id]").forEach(function (tr) {
      const weight = num(tr.dataset.weight);
      total += (num(tr.dataset.score) * 100) / num(tr.dataset.max) * weight;
      weights += weight;
    });
    return weights ? total / weights : null;
  }

  function recompute() {
    root.querySelectorAll("section.term").forEach(function (term) {
      const averages = [];
      term.querySelectorAll("section.course").forEach(function (course) {
        const avg = courseAverage(course);
        course.querySelector(".course-average").textContent = show(avg);
        if (avg !== null) averages.push(avg);
      });
      const termAvg = averages.length ? averages.reduce((a, b) => a + b, 0) / averages.length : null;
      term.querySelector(".term-average").textContent = show(termAvg);
    });
  }

  function gradeRow(g) {
    const tr = el("tr", {
      "data-grade-id": g.id, "data-version": g.version, "data-position": g.position,
      "data-score": g.score, "data-max": g.max_score, "data-weight": g.weight,
    });
    tr.append(el("td", {}, g.assessment), el("td", { class: "num" }, `${g.score} / ${g.max_score}`),
      el("td", { class: "num" }, g.percent), el("td", { class: "num" }, g.weight));
    return tr;
  }

  function courseSection(c) {
    const section = el("section", { class: "course", "data-course-id": c.id });
    const h3 = el("h3", {}, `${c.name} `);
    h3.append(el("small", {}, c.subject));
    const avg = el("span", { class: "avg" }, "average ");
    avg.append(el("strong", { class: "course-average" }, show(num(c.average))));
    h3.append(" ", avg);
    const table = el("table", { class: "data grades" });
    table.innerHTML = '<thead><tr><th>Assessment</th><th class="num">Score</th><th class="num">%</th><th class="num">Weight</th></tr></thead>';
    const body = el("tbody");
    c.grades.forEach((g) => body.append(gradeRow(g)));
    if (!c.grades.length) body.innerHTML = '<tr class="empty"><td colspan="4">No grades published yet.</td></tr>';
    table.append(body);
    section.append(h3, table);
    return section;
  }

  function render(state) {
    root.replaceChildren();
    if (!state.terms.length) {
      root.append(el("p", { class: "empty" }, "You are not enrolled in any course yet."));
      return;
    }
    state.terms.forEach(function (t) {
      const section = el("section", { class: "term", "data-term-id": t.id });
      const h2 = el("h2", {}, `${t.name} `);
      const avg = el("span", { class: "avg" }, "average ");
      avg.append(el("strong", { class: "term-average" }, show(num(t.average))));
      const report = el("a", { class: "print", href: root.dataset.reportUrl.replace("/0/", `/${t.id}/`) }, "term report");
      h2.append(avg, " ", report);
      section.append(h2);
      t.courses.forEach((c) => section.append(courseSection(c)));
      root.append(section);
    });
  }

  async function refresh() {
    const response = await fetch(root.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok) render(await response.json());
  }

  function apply(notification) {
    const data = notification.data || {};
    const section = root.querySelector(`section.course[data-course-id="${data.course_id}"]`);
    if (!section) {
      refresh();  // a course this page does not show yet
      return;
    }
    const body = section.querySelector("tbody");
    (data.grades || []).forEach(function (g) {
      const existing = body.querySelector(`tr[data-grade-id="${g.id}"]`);
      // Replayed notifications may be older than what the page already shows.
      if (existing && Date.parse(existing.dataset.version) >= Date.parse(g.version)) return;
      const row = gradeRow(g);
      row.classList.add("fresh");
      if (existing) {
        existing.replaceWith(row);
      } else {
        body.querySelectorAll("tr.empty").forEach((tr) => tr.remove());
        const after = Array.from(body.querySelectorAll("tr[data-grade-id]"))
          .find((tr) => Number(tr.dataset.position) > Number(g.position));
        body.insertBefore(row, after || null);
      }
    });
    recompute();
  }

  window.aviso.onNotification("grade.published", apply);
  window.aviso.onNotification("grade.updated", apply);
  window.aviso.onReconnect(refresh);
})();
