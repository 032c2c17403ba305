/* ptce door — a ticket from the code field, the camera or the search: look it up, let the
 * server confirm online, and admit once the photo ID is checked.
 *
 * Online, the server decides (a ticket the phone does not know may be a new
 * registration); offline, the phone decides with its list and queues the admission.
 */

import { ApiError, NetworkError, postScans, resultFor, scanError } from "./api.js";
import { guard, isOnline, refreshPending, showNotice } from "./banner.js";
import { startCamera, stopCamera } from "./camera.js";
import { DEVICE_REVOKED, DEVICE_UNKNOWN } from "./codes.js";
import { applyServerResult, getTicket, saveTicket } from "./list.js";
import { closeVerdict, newContext, render } from "./screen.js";
import { SETTINGS } from "./settings.js";
import { sha256Hex } from "./sha256.js";
import { app } from "./state.js";
import { handleConflicts, scheduleListRefresh } from "./sync.js";
import { TEXT } from "./texts.js";
import { asReference, newNonce } from "./tickets.js";
import { checkView, closedView, localView, viewFromResult, withDetail } from "./verdict.js";

export async function handleCode(raw, source) {
  await app.ready;
  stopCamera();
  const code = String(raw == null ? "" : raw).trim();
  if (!code) return;
  // A reference typed by hand: the phone finds its ticket in its list; the server
  // takes the reference as the ticket's code (of this event only).
  const reference = asReference(code);
  const ctx = newContext({ token: reference || code, h: null, source });
  if (code.length > SETTINGS.tokenMax) {
    render(ctx, localView(null));
    return;
  }
  ctx.h = (reference && app.byRef.get(reference)) || (await sha256Hex(code));
  if (ctx !== app.current) return;
  await openContext(ctx);
}

export async function chooseSearchResult(h) {
  await app.ready;
  // The phone only knows the hash of this person's ticket: the server accepts "h:<hash>".
  await openContext(newContext({ token: `h:${h}`, h, source: "search" }));
}

/** Look the ticket up; online, let the server confirm anything the phone would refuse. */
async function openContext(ctx) {
  const ticket = await getTicket(ctx.h);
  if (ctx !== app.current) return;
  ctx.ticket = ticket;
  const closed = closedView(ticket, app.door);
  if (closed) {
    render(ctx, closed);
    return;
  }
  const local = localView(ticket);
  if (local.admit === "enabled") {
    render(ctx, checkView(ticket, ctx.source));
    return;
  }
  if (!isOnline()) {
    render(ctx, withDetail(local, ticket ? TEXT.localDecision : TEXT.unknownOffline));
    return;
  }
  render(ctx, { tone: "pending", message: TEXT.pending, ticket, admit: "disabled" });
  await probe(ctx, local);
}

/**
 * Ask the server about a ticket without admitting it (id_checked false): it answers
 * "id_not_checked" with the person for a valid ticket, or the reason for a refusal.
 */
async function probe(ctx, local) {
  const scan = {
    nonce: newNonce(),
    token: ctx.token,
    scanned_at: ctx.scannedAt,
    id_checked: false,
    offline: false,
  };
  try {
    const data = await postScans([scan], SETTINGS.probeTimeoutMs);
    handleConflicts(data);
    const result = resultFor(data, scan.nonce);
    if (!result) throw new NetworkError("no result");
    const refused = scanError(result);
    if (refused) throw refused;
    const ticket = await applyServerResult(ctx.h, result);
    if (ctx !== app.current) return;
    ctx.ticket = ticket || ctx.ticket;
    const view = viewFromResult(result, ctx.ticket, "probe");
    render(ctx, view.admit === "enabled" ? checkView(view.ticket, ctx.source) : view);
  } catch (error) {
    if (ctx !== app.current) return;
    if (error instanceof ApiError) {
      showNotice("api", error.message);
      render(ctx, withDetail(local, error.message));
    } else {
      render(ctx, withDetail(local, ctx.ticket ? TEXT.localDecision : TEXT.unknownOffline));
    }
  }
}

/** « Pièce d’identité vérifiée — entrée »: record the admission, online or not. */
export async function admit() {
  const ctx = app.current;
  if (!ctx || ctx.phase !== "check" || ctx.busy) return;
  ctx.busy = true;
  app.el.admit.disabled = true; // no double admission from a double tap
  app.scanSeq += 1;
  const scan = {
    nonce: newNonce(),
    token: ctx.token,
    scanned_at: ctx.scannedAt,
    id_checked: true,
    offline: false,
    h: ctx.h,
    seq: Date.now() * 1000 + (app.scanSeq % 1000),
  };
  // Written before it is sent: a closed page or a cut request loses nothing.
  let saved = await app.db.put("queue", scan).then(() => true, () => false);
  await refreshPending();
  if (isOnline()) {
    app.inflight.add(scan.nonce);
    try {
      const data = await postScans([scan], SETTINGS.admitTimeoutMs);
      const result = resultFor(data, scan.nonce);
      const refused = scanError(result);
      if (refused) {
        // Not recorded, and it never will be as it is: nothing to keep for later.
        await app.db.delete("queue", scan.nonce).catch(() => {});
        await refreshPending();
        showNotice("api", refused.message);
        render(ctx, {
          tone: "refused",
          message: TEXT.notRecorded,
          ticket: ctx.ticket,
          detail: refused.message,
          sound: "refused",
        });
        return;
      }
      if (result) {
        const ticket = await applyServerResult(scan.h, result);
        await app.db.delete("queue", scan.nonce).catch(() => {});
        await refreshPending();
        handleConflicts(data);
        render(ctx, viewFromResult(result, ticket || ctx.ticket, "admit"));
        scheduleListRefresh(SETTINGS.listAfterSyncMs);
        return;
      }
      handleConflicts(data);
    } catch (error) {
      if (error instanceof ApiError) {
        showNotice("api", error.message);
        if (error.code === DEVICE_REVOKED || error.code === DEVICE_UNKNOWN) {
          // This phone may not admit anyone: nothing to keep for later.
          await app.db.delete("queue", scan.nonce).catch(() => {});
          await refreshPending();
          render(ctx, {
            tone: "refused",
            message: error.code === DEVICE_REVOKED ? TEXT.deviceRevoked : TEXT.deviceUnknown,
            ticket: ctx.ticket,
            detail: error.message,
            sound: "refused",
          });
          return;
        }
      }
    } finally {
      app.inflight.delete(scan.nonce);
    }
  }
  // Decided here, with the local list: queue it as an offline admission.
  scan.offline = true;
  scan.admitted_locally_at = new Date().toISOString();
  saved = (await app.db.put("queue", scan).then(() => true, () => false)) || saved;
  const ticket = ctx.ticket ? { ...ctx.ticket, admitted_at: scan.admitted_locally_at, admitted_by_device: null } : null;
  if (ticket) await saveTicket(ticket);
  await refreshPending();
  render(ctx, {
    tone: "admitted",
    message: TEXT.admittedOffline,
    ticket: ticket || ctx.ticket,
    detail: !saved ? TEXT.notSaved : app.db.durable ? TEXT.savedForSync : TEXT.savedInMemory,
    sound: "admitted",
  });
}

export function next() {
  const source = app.current && app.current.source;
  closeVerdict();
  app.el.code.value = "";
  app.el.code.focus();
  if (source === "camera") guard(startCamera)(); // one hand: go straight on to the next ticket
}
