/* ptce door — the phone's list of tickets: in IndexedDB, indexed in memory for the
 * search and the typed references, kept in line with what the server says. */

import { indexEntry } from "./search.js";
import { SETTINGS } from "./settings.js";
import { app } from "./state.js";

export function rebuildIndex(tickets) {
  app.index = new Map(tickets.map((ticket) => [ticket.h, indexEntry(ticket)]));
  app.byRef = new Map(tickets.filter((ticket) => ticket.ref).map((ticket) => [ticket.ref, ticket.h]));
  renderCounts();
}

export function renderCounts() {
  let admitted = 0;
  let expected = 0;
  app.index.forEach(({ ticket }) => {
    if (ticket.admitted_at) admitted += 1;
    if (ticket.status === "confirmed") expected += 1;
  });
  app.el.admittedCount.textContent = String(admitted);
  app.el.expectedCount.textContent = String(expected);
}

export async function getTicket(h) {
  try {
    const ticket = await app.db.get("tickets", h);
    if (ticket) return ticket;
  } catch (error) {
    /* fall back on the copy in memory */
  }
  const entry = app.index.get(h);
  return entry ? { ...entry.ticket } : null;
}

export async function saveTicket(ticket) {
  try {
    await app.db.put("tickets", ticket);
  } catch (error) {
    /* the copy in memory still serves this session */
  }
  app.index.set(ticket.h, indexEntry(ticket));
  renderCounts();
}

/** Bring the local ticket in line with what the server said about it. */
export async function applyServerResult(h, result) {
  if (!h || !result) return null;
  const verdict = result.verdict;
  const existing = await getTicket(h);
  const hasPerson = typeof result.last_name === "string";
  let ticket = existing ? { ...existing } : null;
  if (!ticket) {
    // A ticket this phone did not know yet (registered after the last list).
    if (!hasPerson || ["unknown", "other_event", "device_revoked"].includes(verdict)) return null;
    ticket = { h, first_name: "", last_name: "", organisation: "", category: "", status: "confirmed", admitted_at: null };
  }
  if (hasPerson) {
    ["first_name", "last_name", "organisation", "category"].forEach((field) => {
      if (typeof result[field] === "string") ticket[field] = result[field];
    });
  }
  if (verdict === "cancelled" || verdict === "waiting") ticket.status = verdict;
  if (["admitted", "already_admitted", "id_not_checked"].includes(verdict)) ticket.status = "confirmed";
  if (result.admitted_at) {
    ticket.admitted_at = result.admitted_at;
    ticket.admitted_by_device = result.admitted_by_device || null;
    app.recentAdmits.set(h, {
      admitted_at: result.admitted_at,
      admitted_by_device: ticket.admitted_by_device,
      at: Date.now(),
    });
  }
  await saveTicket(ticket);
  return ticket;
}

/** Lay the admissions the list may not show yet over a freshly downloaded list. */
export function overlayLocalAdmissions(byHash, queue) {
  queue.forEach((scan) => {
    const ticket = byHash.get(scan.h);
    if (scan.offline && ticket && !ticket.admitted_at) {
      ticket.admitted_at = scan.admitted_locally_at || scan.scanned_at;
    }
  });
  const now = Date.now();
  app.recentAdmits.forEach((admit, h) => {
    if (now - admit.at > SETTINGS.recentAdmitMs) {
      app.recentAdmits.delete(h);
      return;
    }
    const ticket = byHash.get(h);
    if (ticket && !ticket.admitted_at) {
      ticket.admitted_at = admit.admitted_at;
      ticket.admitted_by_device = admit.admitted_by_device;
    }
  });
}
