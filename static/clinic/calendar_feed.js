// The calendar feed page's "Copy link" button: shown only where the page can copy (the
// link's field stays selectable by hand everywhere).
(function () {
  "use strict";
  const button = document.getElementById("calendar-feed-copy");
  const said = document.getElementById("calendar-feed-copied");
  if (!button || !said) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(
      function () { said.textContent = gettext("Link copied."); },
      function () {
        field.select();
        said.textContent = gettext("Copying was refused: the link is selected, copy it by hand.");
      }
    );
  });
  field.addEventListener("focus", function () { field.select(); });
})();
