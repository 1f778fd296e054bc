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

// A <button data-copy="#value"> copies that element's text (or a field's value) to the clipboard
// (a new API token, an invitation link, a webhook URL) and says so; where the clipboard is
// refused, the text is selected for Ctrl+C.
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  if (!button) {
    return;
  }
  const source = document.querySelector(button.getAttribute("data-copy"));
  if (!source) {
    return;
  }
  const text = "value" in source ? source.value : source.textContent.trim();
  if ("select" in source) {
    source.select();
  } else {
    const range = document.createRange();
    range.selectNodeContents(source);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
  }
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch (error) {
    button.textContent = document.execCommand("copy") ? "Copied" : "Selected: press Ctrl+C";
  }
  button.classList.add("copied");
});

// An <input data-browser-time-zone> left empty gets the browser's time zone (sign-up: the new
// workspace shows dates in the owner's time, not UTC).
document.addEventListener("DOMContentLoaded", () => {
  for (const field of document.querySelectorAll("input[data-browser-time-zone]")) {
    if (!field.value) {
      field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    }
  }
});

// A <form data-confirm="Sentence?"> asks before it is sent (removing a member, revoking a token).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }
});

// A phone number is shown in its national format ("(415) 555-0100") with its E.164 form in
// data-e164: copying it (Ctrl+C, or the context menu's Copy) copies the E.164 form, which every
// other tool reads whatever its country. Only when the selection lies inside that one number.
document.addEventListener("copy", (event) => {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !event.clipboardData) {
    return;
  }
  const within = (node) => (node instanceof Element ? node : node && node.parentElement)?.closest("[data-e164]");
  const start = within(selection.anchorNode);
  if (start && start === within(selection.focusNode)) {
    event.clipboardData.setData("text/plain", start.getAttribute("data-e164"));
    event.preventDefault();
  }
});

// The inbox composer is swapped by the thread's live poll when the contact opts out or back in
// (messaging/views.py, thread_live). The agent's draft is carried into the new composer: kept,
// disabled, when a STOP arrives (with a note saying so), editable again after a START.
document.addEventListener("htmx:oobBeforeSwap", (event) => {
  const old = event.detail.target;
  if (!(old instanceof Element) || old.id !== "composer") {
    return;
  }
  const draft = old.querySelector("textarea[name=body]")?.value || "";
  const fresh = event.detail.fragment;
  const field = fresh?.querySelector?.("textarea[name=body]");
  if (!draft || !field) {
    return;
  }
  field.textContent = draft;
  const note = fresh.querySelector("[data-draft-kept]");
  if (note) {
    note.hidden = false;
  }
});
// Once htmx has wired the new composer, a draft carried into it is counted again (an event of
// its own: "input changed" ignores a value the field was created with).
document.addEventListener("htmx:load", (event) => {
  const root = event.detail?.elt;
  const field = root instanceof Element ? (root.id === "composer-body" ? root : root.querySelector("#composer-body")) : null;
  if (field && field.value && !field.disabled) {
    field.dispatchEvent(new Event("draft-restored"));
  }
});
