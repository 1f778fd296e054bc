// Behaviour of the pages that htmx does not cover. Loaded from a file: the Content-Security-Policy
// allows no inline script or event handler.
"use strict";

// A <select data-submit-on-change> submits its form when a choice is made (the workspace
// switcher); without JavaScript the form's <noscript> button does it.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-submit-on-change") && field.form) {
    field.form.requestSubmit();
  }
});

// A <textarea data-submit-on-enter> (the inbox composer, the phone simulator) sends on Enter;
// Shift+Enter adds a line, and Enter while an input method composes a character does neither.
// An empty text is not sent.
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLTextAreaElement) || !field.hasAttribute("data-submit-on-enter")) {
    return;
  }
  if (event.key !== "Enter" || event.shiftKey || event.isComposing) {
    return;
  }
  event.preventDefault();
  if (field.value.trim() && field.form) {
    field.form.requestSubmit();
  }
});
