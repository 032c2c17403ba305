/* ptce — the door: scan or find a ticket, check the photo ID, admit. Works offline.
 *
 * Page contract (rendered by Django, checkin/templates/checkin/scanner.html):
 * #door[data-event][data-list-url][data-sync-url][data-csrf][data-sw-url]
 * [data-qr-decoder-url][data-time-zone][data-door-opens][data-door-closes]
 * [data-not-today-before][data-not-today-after] (and, for supervisors,
 * [data-override-url][data-walk-in-url]) holding the elements read in `elements()`;
 * the categories in <script id="door-categories" type="application/json">.
 *
 * ES modules, this one the entry (<script type="module">; no inline code: CSP
 * script-src 'self'). Each module's own comment says what it holds: texts, settings,
 * search, sha256, time, tickets, verdict, codes and categories are pure (tested by
 * node: checkin/tests/js/); store (IndexedDB), state, banner, api, list, sync, screen,
 * camera, sound, scan, supervisor, results and worker work the page. Imports are
 * relative ("./x.js"), with no cycle: collectstatic rewrites them to the hashed names.
 */

import { guard, refreshPending, renderBanner, setupBanner, showNotice } from "./banner.js";
import { camera, setupCamera, startCamera, stopCamera } from "./camera.js";
import { rebuildIndex } from "./list.js";
import { renderResults } from "./results.js";
import { admit, chooseSearchResult, handleCode, next } from "./scan.js";
import { closeVerdict, renderClosedNotice } from "./screen.js";
import { SETTINGS } from "./settings.js";
import { unlockAudio } from "./sound.js";
import { app, readJson, readSecret } from "./state.js";
import { MemoryStore, openStore } from "./store.js";
import { submitOverride, submitWalkIn } from "./supervisor.js";
import { refreshList, syncQueue } from "./sync.js";
import { TEXT } from "./texts.js";
import { registerServiceWorker } from "./worker.js";

function elements() {
  const byId = (id) => document.getElementById(id);
  return {
    missing: byId("device-missing"),
    banner: byId("status-banner"),
    admittedCount: byId("count-admitted"),
    expectedCount: byId("count-expected"),
    form: byId("code-form"),
    code: byId("code"),
    cameraButton: byId("camera-button"),
    video: byId("camera"),
    search: byId("search"),
    results: byId("search-results"),
    verdict: byId("verdict"),
    message: byId("verdict-message"),
    name: byId("verdict-name"),
    org: byId("verdict-org"),
    category: byId("verdict-category"),
    detail: byId("verdict-detail"),
    admit: byId("admit-button"),
    next: byId("next-button"),
    overrideForm: byId("override-form"), // supervisors only
    overrideReason: byId("override-reason"),
    overrideError: byId("override-error"),
    overrideOffline: byId("override-offline"),
    overrideButton: byId("override-button"),
    walkIn: byId("walk-in"), // supervisors, when the organiser opened walk-ins
    walkInForm: byId("walk-in-form"),
    walkInError: byId("walk-in-error"),
  };
}

// ------------------------------------------------------------------ focus and keyboard

/** Keep the code field ready for a USB scanner when nothing else holds the focus. */
function keepFocus() {
  const active = document.activeElement;
  if (active && active !== document.body && active !== document.documentElement) return;
  if (!app.el.verdict.hidden) app.el.verdict.focus();
  else if (!camera.running && app.lastInput === "keyboard") app.el.code.focus({ preventScroll: true });
}

/**
 * A USB scanner types into whatever has the focus. Characters typed outside a field
 * (verdict on screen, a button focused) go to the code field instead, so the next
 * ticket can be scanned without touching the phone.
 */
function redirectTyping(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key.length !== 1 || event.key === " ") return;
  const target = event.target;
  if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
  if (!app.el.verdict.hidden) closeVerdict();
  app.el.code.value += event.key;
  app.el.code.focus();
  event.preventDefault();
}

// ------------------------------------------------------------------ start

function showDeviceMissing() {
  const { root, el } = app;
  if (el.missing) el.missing.hidden = false;
  root.classList.add("door--disabled");
  root.querySelectorAll("input, button, select, textarea").forEach((control) => {
    if (!el.missing || !el.missing.contains(control)) control.disabled = true;
  });
  if (el.banner) el.banner.textContent = "";
}

async function loadLocal() {
  try {
    app.db = await openStore(`ptce-door-${app.slug}`);
  } catch (error) {
    app.db = new MemoryStore();
    showNotice("storage", TEXT.storageUnavailable);
  }
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persist().catch(() => {}); // ask the browser not to evict the queue
  }
  try {
    rebuildIndex(await app.db.getAll("tickets"));
  } catch (error) {
    rebuildIndex([]);
  }
  const listAt = readJson(app.storageKey("list-at"), null);
  app.listAt = listAt ? new Date(listAt) : null;
  await refreshPending();
}

let searchTimer = 0;

function bindEvents() {
  const { el } = app;
  el.form.addEventListener("submit", (event) => {
    event.preventDefault(); // never a real submission: the code stays on the phone
    const code = el.code.value;
    el.code.value = "";
    guard(handleCode)(code, "typed");
  });
  el.cameraButton.addEventListener("click", () => {
    if (camera.running) stopCamera();
    else guard(startCamera)();
  });
  el.search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => app.ready.then(renderResults), SETTINGS.searchDebounceMs);
  });
  el.results.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-h]");
    if (button) guard(chooseSearchResult)(button.dataset.h);
  });
  el.admit.addEventListener("click", guard(admit));
  if (el.overrideForm) el.overrideForm.addEventListener("submit", guard(submitOverride));
  if (el.walkInForm) el.walkInForm.addEventListener("submit", guard(submitWalkIn));
  el.next.addEventListener("click", next);
  el.verdict.addEventListener("keydown", (event) => {
    if (event.key === "Escape") next();
  });

  document.addEventListener("pointerdown", () => {
    app.lastInput = "pointer";
    unlockAudio();
  }, true);
  document.addEventListener("keydown", () => {
    app.lastInput = "keyboard";
    unlockAudio();
  }, true);
  document.addEventListener("keydown", redirectTyping);
  document.addEventListener("focusout", () => setTimeout(keepFocus, 0));
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      stopCamera();
    } else if (navigator.onLine !== false) {
      syncQueue({ force: true }).then(refreshList).catch(() => {});
    }
  });
  window.addEventListener("online", () => {
    app.reachable = true;
    renderBanner();
    syncQueue({ force: true }).then(refreshList).catch(() => {});
  });
  window.addEventListener("offline", renderBanner);
}

function startTimers() {
  setInterval(renderClosedNotice, 60 * 1000);
  setInterval(() => {
    // Send what waits; when the last request failed, an empty batch tests the network.
    if (app.pending > 0 || !app.reachable) syncQueue({ force: !app.reachable }).catch(() => {});
  }, SETTINGS.syncEveryMs);
  setInterval(() => {
    // Heartbeat: also brings conflicts caused by other phones' later syncs.
    syncQueue({ force: true }).then(refreshList).catch(() => {});
  }, SETTINGS.listEveryMs);
}

function start() {
  const root = document.getElementById("door");
  if (!root) return;
  app.root = root;
  app.el = elements();
  app.slug = root.dataset.event || "";
  app.listUrl = root.dataset.listUrl || "";
  app.syncUrl = root.dataset.syncUrl || "";
  app.csrf = root.dataset.csrf || "";
  app.qrDecoderUrl = root.dataset.qrDecoderUrl || "";
  app.overrideUrl = root.dataset.overrideUrl || "";
  app.walkInUrl = root.dataset.walkInUrl || "";
  app.door = {
    opensAt: new Date(root.dataset.doorOpens || ""),
    closesAt: new Date(root.dataset.doorCloses || ""),
    before: root.dataset.notTodayBefore || "",
    after: root.dataset.notTodayAfter || "",
    closedBefore: root.dataset.closedBefore || "",
    closedAfter: root.dataset.closedAfter || "",
  };
  app.secret = readSecret(app.slug);
  if (!app.slug || !app.secret) {
    showDeviceMissing();
    return;
  }
  app.el.verdict.tabIndex = -1;
  setupBanner();
  renderClosedNotice();
  app.ready = loadLocal();
  bindEvents();
  renderBanner();
  guard(setupCamera)({ onCode: (code) => guard(handleCode)(code, "camera") });
  registerServiceWorker(root.dataset.swUrl);
  app.el.code.focus({ preventScroll: true });
  startTimers();
  app.ready
    .then(() => (navigator.onLine !== false ? syncQueue({ force: true }).then(refreshList) : null))
    .catch(() => {});
}

start();
