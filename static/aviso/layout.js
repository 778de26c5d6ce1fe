/* Small-screen layout helpers for every page (loaded by templates/base.html).
 *
 * 1. The header's menu button: on narrow screens the navigation folds behind it; its
 *    aria-expanded attribute is the one state, which aviso.css reads. Without this script
 *    the button stays hidden and the navigation simply wraps under the header.
 * 2. The navigation link of the section being shown is marked aria-current="page".
 * 3. Table cells carry their column's name (data-label), which aviso.css shows before each
 *    value when a phone stacks a table's rows as cards. The names are read from the table's
 *    own header row, so they are in the page's language, and rows that arrive later (live
 *    updates, swapped fragments) are labelled as they appear.
 */
(function () {
  "use strict";

  function setUpMenu() {
    const toggle = document.querySelector(".menu-toggle[aria-controls]");
    if (!toggle) return;
    const isOpen = () => toggle.getAttribute("aria-expanded") === "true";
    const setOpen = (open) => toggle.setAttribute("aria-expanded", String(open));
    toggle.addEventListener("click", () => setOpen(!isOpen()));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && isOpen()) {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  function markCurrentLink() {
    // The longest link that the address starts with: /school/courses/ on a gradebook page.
    // A link may also name other sections it leads to (data-sections, paths separated by
    // spaces): the billing runs, reached from Invoices, keep Invoices marked.
    let best = null;
    document.querySelectorAll(".menu nav a[href]").forEach((link) => {
      const own = new URL(link.href, location.href).pathname;
      const paths = [own, ...(link.dataset.sections || "").split(" ").filter(Boolean)];
      paths.forEach((path) => {
        if (location.pathname.startsWith(path) && (!best || path.length > best.path.length)) {
          best = { link, path };
        }
      });
    });
    if (best) best.link.setAttribute("aria-current", "page");
  }

  function columnNames(table) {
    const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return null;
    const names = [];
    for (const cell of head.cells) {
      const name = cell.textContent.replace(/\s+/g, " ").trim();
      for (let i = 0; i < cell.colSpan; i += 1) names.push(name);
    }
    return names;
  }

  function labelTable(table) {
    const names = columnNames(table);
    if (!names) return;
    for (const body of [...table.tBodies, table.tFoot]) {
      if (!body) continue;
      for (const row of body.rows) {
        let column = 0;
        for (const cell of row.cells) {
          // A cell across several columns ("No invoices yet.") speaks for itself.
          if (cell.colSpan === 1 && names[column] && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", names[column]);
          }
          column += cell.colSpan;
        }
      }
    }
  }

  function labelTables() {
    document.querySelectorAll("main table").forEach(labelTable);
  }

  function start() {
    setUpMenu();
    markCurrentLink();
    labelTables();
    const main = document.querySelector("main");
    if (main) new MutationObserver(labelTables).observe(main, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
