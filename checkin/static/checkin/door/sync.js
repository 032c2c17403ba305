/* ptce door — the queue and the list.
 *
 * Every admission is written to the store "queue" (keyed by its nonce) *before* it is
 * sent, and removed only once the server has answered for that nonce. The server treats
 * a nonce sent twice as one scan, so anything unanswered is simply sent again. The list
 * of tickets is downloaded again after a sync and every minute.
 */

import { ApiError, postScans, request, scanError } from "./api.js";
import { refreshPending, renderBanner, showNotice } from "./banner.js";
import { applyServerResult, getTicket, overlayLocalAdmissions, rebuildIndex } from "./list.js";
import { SETTINGS } from "./settings.js";
import { app, readJson, writeJson } from "./state.js";
import { TEXT } from "./texts.js";
import { byScanOrder, normaliseTicket } from "./tickets.js";
import { REFUSALS, viewFromResult } from "./verdict.js";

/** Show, once, the conflicts the server reports for this device. */
export function handleConflicts(data) {
  const conflicts = Array.isArray(data.conflicts) ? data.conflicts : [];
  if (!conflicts.length) return;
  const key = app.storageKey("conflicts-shown");
  const shown = new Set(readJson(key, []));
  const fresh = conflicts.filter((c) => c && c.nonce && !shown.has(c.nonce));
  if (!fresh.length) return;
  fresh.forEach((c) => shown.add(c.nonce));
  writeJson(key, [...shown].slice(-SETTINGS.shownConflictsMax));
  const names = fresh.map((c) => c.last_name).filter(Boolean).join(", ");
  showNotice(`conflict:${fresh[0].nonce}`, TEXT.conflict(fresh.length, names));
}

/** Send the queue, oldest first, in batches; only one sync at a time. */
export function syncQueue({ force = false } = {}) {
  if (!app.syncing) {
    app.syncing = sendQueue(force).finally(() => {
      app.syncing = null;
    });
  }
  return app.syncing;
}

async function sendQueue(force) {
  if (navigator.onLine === false) {
    renderBanner();
    return;
  }
  const queued = (await app.db.getAll("queue"))
    .filter((scan) => !app.inflight.has(scan.nonce))
    .sort(byScanOrder);
  if (!queued.length && !force) return;
  let sent = 0;
  let offset = 0;
  do {
    const batch = queued.slice(offset, offset + SETTINGS.batchMax);
    offset += batch.length;
    let data;
    try {
      data = await postScans(batch, SETTINGS.syncTimeoutMs);
    } catch (error) {
      if (error instanceof ApiError) showNotice("api", error.message);
      break; // kept in the queue: the next tick sends them again (same nonces)
    }
    sent += await applyBatch(batch, data);
    handleConflicts(data);
  } while (offset < queued.length);
  await refreshPending();
  if (sent) scheduleListRefresh(SETTINGS.listAfterSyncMs);
}

/** Apply a batch's answers; a scan leaves the queue only once its nonce was answered. */
async function applyBatch(batch, data) {
  const byNonce = new Map(batch.map((scan) => [scan.nonce, scan]));
  let answered = 0;
  for (const result of Array.isArray(data.results) ? data.results : []) {
    const scan = result && byNonce.get(result.nonce);
    if (!scan) continue;
    const refused = scanError(result);
    if (refused) {
      const known = await getTicket(scan.h);
      showNotice(`refused:${scan.nonce}`, TEXT.scanRejected(known && known.last_name, refused.message));
      try {
        await app.db.delete("queue", scan.nonce);
        answered += 1;
      } catch (error) {
        /* still queued: sent again, answered again the same way */
      }
      continue;
    }
    const ticket = await applyServerResult(scan.h, result);
    if (scan.offline && REFUSALS.has(result.verdict)) {
      const name = ticket ? ticket.last_name : result.last_name;
      showNotice(`refused:${scan.nonce}`, TEXT.offlineRefused(name, viewFromResult(result, ticket, "admit").message));
    }
    try {
      await app.db.delete("queue", scan.nonce);
      answered += 1;
    } catch (error) {
      /* still queued: sent again, answered again the same way */
    }
  }
  return answered;
}

export function scheduleListRefresh(delay) {
  clearTimeout(app.listTimer);
  app.listTimer = setTimeout(() => {
    refreshList().catch(() => {});
  }, delay);
}

export function refreshList() {
  if (!app.listing) {
    app.listing = downloadList().finally(() => {
      app.listing = null;
    });
  }
  return app.listing;
}

async function downloadList() {
  if (navigator.onLine === false) return;
  let data;
  try {
    data = await request("GET", app.listUrl, undefined, SETTINGS.listTimeoutMs);
  } catch (error) {
    if (error instanceof ApiError) showNotice("api", error.message);
    return;
  }
  if (!Array.isArray(data.tickets)) {
    showNotice("api", TEXT.unexpected);
    return;
  }
  if (data.event && data.event.slug && data.event.slug !== app.slug) {
    showNotice("event", TEXT.wrongEvent);
    return; // this database belongs to the page's event: do not fill it with another's
  }
  if (typeof data.door_pass === "string" && Number.isFinite(data.door_pass_max_age)) {
    app.doorPass = data.door_pass;
    app.doorPassUntil = Date.now() + Math.max(0, data.door_pass_max_age - 60) * 1000;
  }
  const tickets = data.tickets.map(normaliseTicket).filter(Boolean);
  let stored;
  try {
    stored = await app.db.replaceTickets(tickets, overlayLocalAdmissions);
  } catch (error) {
    showNotice("storage", TEXT.storageUnavailable);
    return;
  }
  rebuildIndex(stored);
  app.listAt = new Date();
  writeJson(app.storageKey("list-at"), app.listAt.toISOString());
  renderBanner();
}
