// Keyboard-friendly grade entry: Enter/↓ next student, ↑ previous, Tab/→ next assessment
// (→/← only when the caret is at the edge), Ctrl+Enter or Ctrl+S saves. Unsaved changes are
// marked and guarded against leaving the page or publishing without saving.
(function () {
  "use strict";
  const form = document.getElementById("gradebook");
  if (!form) return;
  const inputs = Array.from(form.querySelectorAll("input[data-row]"));
  const at = (row, col) => inputs.find((i) => i.dataset.row === String(row) && i.dataset.col === String(col));
  let dirty = false;

  function move(input, dRow, dCol) {
    const target = at(Number(input.dataset.row) + dRow, Number(input.dataset.col) + dCol);
    if (target) {
      target.focus();
      target.select();
      return true;
    }
    return false;
  }

  form.addEventListener("keydown", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.row) return;
    if ((event.key === "Enter" && (event.ctrlKey || event.metaKey)) || (event.key === "s" && (event.ctrlKey || event.metaKey))) {
      event.preventDefault();
      dirty = false;
      form.submit();
      return;
    }
    const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    const atEnd = input.selectionStart === input.value.length;
    if (event.key === "Enter" || event.key === "ArrowDown") {
      event.preventDefault();
      move(input, 1, 0);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      move(input, -1, 0);
    } else if (event.key === "ArrowRight" && atEnd) {
      if (move(input, 0, 1)) event.preventDefault();
    } else if (event.key === "ArrowLeft" && atStart) {
      if (move(input, 0, -1)) event.preventDefault();
    }
  });

  form.addEventListener("input", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement)) return;
    dirty = true;
    input.closest("td").classList.add("changed");
    const value = input.value.trim().replace(",", ".");
    const bad = value !== "" && !/^\d+(\.\d{1,2})?$/.test(value);
    input.setAttribute("aria-invalid", bad ? "true" : "false");
  });
  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  document.querySelectorAll("form.publish, button[form^='publish-']").forEach(function (el) {
    const target = el instanceof HTMLFormElement ? el : document.getElementById(el.getAttribute("form"));
    target.addEventListener("submit", function (event) {
      if (dirty && !window.confirm(gettext("You have unsaved grades; publishing ignores them. Publish anyway?"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      } else {
        dirty = false;
      }
    }, true);
  });
  if (inputs.length) {
    const firstInvalid = inputs.find((i) => i.getAttribute("aria-invalid") === "true");
    (firstInvalid || inputs[0]).focus();
  }
})();
