/* ptce door — the verdict screen, the override form under it, and the notice shown while
 * the door is closed. */

import { isOnline } from "./banner.js";
import { categories, paintCategory } from "./categories.js";
import { play } from "./sound.js";
import { app } from "./state.js";
import { closedView, TONES } from "./verdict.js";

/** Show `text` in `node`, or hide the node when there is none. */
export function setText(node, text) {
  node.textContent = text || "";
  node.hidden = !text;
}

function renderName(ticket) {
  const node = app.el.name;
  node.textContent = "";
  if (!ticket || !(ticket.last_name || ticket.first_name)) {
    node.hidden = true;
    return;
  }
  const last = document.createElement("span");
  last.className = "verdict-last";
  last.textContent = ticket.last_name; // capitals by CSS: screen readers keep the real name
  const first = document.createElement("span");
  first.className = "verdict-first";
  first.textContent = ticket.first_name;
  node.append(last, " ", first);
  node.hidden = false;
}

/**
 * Fill and show the verdict screen. view: {tone, message, ticket, detail, admit, sound}
 * with admit "enabled" | "disabled" | hidden when absent.
 */
export function showVerdict(view, { sound = true } = {}) {
  const { verdict, message, org, category, detail, admit } = app.el;
  const ticket = view.ticket || null;
  TONES.forEach((tone) => verdict.classList.remove(`verdict--${tone}`));
  verdict.classList.add(`verdict--${view.tone}`);
  paintCategory(verdict, ticket ? ticket.category : null);
  setText(message, view.message);
  renderName(ticket);
  setText(org, ticket ? ticket.organisation : "");
  setText(category, ticket ? categories.label(ticket.category) : "");
  setText(detail, view.detail);
  admit.hidden = !view.admit;
  admit.disabled = view.admit !== "enabled";
  renderOverride(view);
  verdict.hidden = false;
  app.root.classList.add("door--verdict");
  // Focus the verdict (read out at once), unless "Suivant" already has it.
  if (document.activeElement !== app.el.next) verdict.focus();
  if (sound && view.sound) play(view.sound);
}

export function closeVerdict() {
  app.current = null;
  app.el.verdict.hidden = true;
  app.root.classList.remove("door--verdict");
}

/** A new ticket on screen; any earlier one still being checked is dropped from view. */
export function newContext({ token, h, source }) {
  app.contextSeq += 1;
  app.current = {
    id: app.contextSeq,
    token,
    h,
    source,
    scannedAt: new Date().toISOString(),
    ticket: null,
    phase: "pending",
    busy: false,
  };
  app.el.search.value = "";
  app.el.results.textContent = "";
  return app.current;
}

/** Render a view for a context if it is still the one on screen. */
export function render(ctx, view, options) {
  if (ctx !== app.current) return;
  ctx.phase = view.admit === "enabled" ? "check" : view.tone === "pending" ? "pending" : "done";
  showVerdict(view, options);
}

/** The override form, under a refusal a supervisor may overrule (cancelled, waiting). */
function renderOverride(view) {
  const { overrideForm: form, overrideReason: reason, overrideError, overrideOffline } = app.el;
  if (!form) return;
  const show = Boolean(view.overridable && app.current && app.current.token && view.ticket);
  form.hidden = !show;
  if (!show) return;
  overrideOffline.hidden = isOnline();
  setText(overrideError, "");
  reason.removeAttribute("aria-invalid");
  reason.value = "";
}

/**
 * A standing notice while the door is closed (the event is not today), worked out on
 * the phone every minute: the page kept offline stays right on the event's day. Its own
 * words: nothing was tried yet, so it does not say that an entry was not recorded.
 */
export function renderClosedNotice() {
  const notice = document.getElementById("door-closed");
  if (!notice) return;
  const { closedBefore, closedAfter } = app.door;
  const door = {
    ...app.door,
    before: closedBefore || app.door.before,
    after: closedAfter || app.door.after,
  };
  const closed = closedView(null, door);
  notice.hidden = !closed;
  const text = closed ? closed.message : "";
  if (notice.textContent !== text) notice.textContent = text;
}
