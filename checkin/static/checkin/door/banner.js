/* ptce door — the status line (online or not, entries waiting, age of the list) and the
 * notices under it until dismissed. */

import { app } from "./state.js";
import { TEXT } from "./texts.js";
import { clock } from "./time.js";

export function isOnline() {
  return navigator.onLine !== false && app.reachable;
}

export function setReachable(value) {
  if (app.reachable === value) return;
  app.reachable = value;
  renderBanner();
}

/** Run an async handler from an event without leaving an unhandled rejection behind. */
export function guard(task) {
  return (...args) => {
    Promise.resolve()
      .then(() => task(...args))
      .catch((error) => showNotice("error", (error && error.message) || TEXT.unexpected));
  };
}

export function setupBanner() {
  const banner = app.el.banner;
  banner.textContent = "";
  const state = document.createElement("span");
  state.className = "door-status__state";
  const notice = document.createElement("span");
  notice.className = "door-status__notice";
  notice.hidden = true;
  const dismiss = document.createElement("button");
  dismiss.type = "button";
  dismiss.className = "door-status__dismiss";
  dismiss.textContent = TEXT.dismiss;
  dismiss.setAttribute("aria-label", TEXT.dismissLabel);
  dismiss.hidden = true;
  dismiss.addEventListener("click", () => {
    app.notices.clear();
    renderBanner();
    app.el.code.focus();
  });
  banner.append(state, notice, dismiss);
  app.el.bannerState = state;
  app.el.bannerNotice = notice;
  app.el.bannerDismiss = dismiss;
}

export function renderBanner() {
  const { banner, bannerState, bannerNotice, bannerDismiss } = app.el;
  if (!bannerState) return;
  const online = isOnline();
  let text;
  if (online) {
    text = app.pending ? TEXT.onlinePending(app.pending) : TEXT.online;
  } else {
    text = TEXT.offline(app.pending);
    if (app.listAt) text += ` · ${TEXT.listAge(clock(new Date(app.listAt)))}`;
  }
  // Only touch the live region when something changed, so it is announced once.
  if (bannerState.textContent !== text) bannerState.textContent = text;
  banner.classList.toggle("door-status--online", online);
  banner.classList.toggle("door-status--offline", !online);
  banner.classList.toggle("door-status--pending", app.pending > 0);
  const notices = [...app.notices.values()].join(" · ");
  if (bannerNotice.textContent !== notices) bannerNotice.textContent = notices;
  bannerNotice.hidden = !notices;
  bannerDismiss.hidden = !notices;
  banner.classList.toggle("door-status--notice", Boolean(notices));
}

export function showNotice(key, text) {
  app.notices.set(key, text);
  renderBanner();
}

export function clearNotice(key) {
  if (app.notices.delete(key)) renderBanner();
}

export async function refreshPending() {
  try {
    app.pending = await app.db.count("queue");
  } catch (error) {
    /* keep the last known count */
  }
  renderBanner();
}
