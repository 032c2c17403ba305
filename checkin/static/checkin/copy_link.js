// « Copier le lien » beside each enrolment link of the door page: shown only where the
// browser can copy (the link stays selectable in its read-only field otherwise); the
// result is announced in the status line below the button.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = button.closest(".field").querySelector(".copy-status");
    if (!field || !status) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          status.textContent = button.dataset.copied;
        },
        function () {
          field.select();
          status.textContent = button.dataset.failed;
        }
      );
    });
  });
})();
