// The calendar feed page's "Copy link" button (shown only where a script runs; the link's
// field stays selectable by hand everywhere). The Clipboard API needs a secure page (https,
// or localhost); elsewhere the browser's older copy command does it.
(function () {
  "use strict";
  const button = document.getElementById("calendar-feed-copy");
  const said = document.getElementById("calendar-feed-copied");
  if (!button || !said) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  const copied = function () { said.textContent = gettext("Link copied."); };
  const refused = function () {
    field.focus();
    field.select();
    said.textContent = gettext("Copying was refused: the link is selected, copy it by hand.");
  };
  const copyByCommand = function () {
    field.focus();
    field.select();
    let done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    if (done) copied(); else refused();
  };
  button.hidden = false;
  button.addEventListener("click", function () {
    if (window.isSecureContext && navigator.clipboard) {
      navigator.clipboard.writeText(field.value).then(copied, copyByCommand);
    } else {
      copyByCommand();
    }
  });
  field.addEventListener("focus", function () { field.select(); });
})();
