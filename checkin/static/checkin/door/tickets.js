/* ptce door — tickets and scans as the phone keeps them and the API takes them. Pure:
 * tested by node. */

import { toHex } from "./sha256.js";

/**
 * The stored form of a ticket reference as a person types it (« k7mx q4tr »,
 * « K7MX-Q4TR » → « K7MXQ4TR »: any case, spaces and dashes ignored), or null when the
 * text is not one (events/references.py: 8 characters, no 0/O/1/I/L/U).
 */
export function asReference(text) {
  if (typeof text !== "string" || text.length > 40) return null;
  const candidate = text.replace(/[\s\-\u2010-\u2015\u2212]+/g, "").toUpperCase();
  return /^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$/.test(candidate) ? candidate : null;
}

/** A list row as stored, or null when it is not a ticket. */
export function normaliseTicket(row) {
  if (!row || typeof row.h !== "string" || !/^[0-9a-f]{64}$/.test(row.h)) return null;
  const text = (value) => (typeof value === "string" ? value : "");
  return {
    h: row.h,
    ref: asReference(text(row.ref)) || "",
    first_name: text(row.first_name),
    last_name: text(row.last_name),
    organisation: text(row.organisation),
    category: text(row.category),
    status: text(row.status),
    admitted_at: typeof row.admitted_at === "string" && row.admitted_at ? row.admitted_at : null,
  };
}

/** Scan order: time of the scan, then order of creation on this phone. */
export function byScanOrder(x, y) {
  return (
    String(x.scanned_at).localeCompare(String(y.scanned_at)) || (x.seq || 0) - (y.seq || 0)
  );
}

/** The fields of a queued scan that the API takes (the queue also keeps "h", "seq"…). */
export function wireScan(scan) {
  return {
    nonce: scan.nonce,
    token: scan.token,
    scanned_at: scan.scanned_at,
    id_checked: scan.id_checked === true,
    offline: scan.offline === true,
  };
}

/** A random nonce of 36 characters (crypto.randomUUID is missing outside HTTPS). */
export function newNonce() {
  const cryptoApi = globalThis.crypto;
  if (cryptoApi && typeof cryptoApi.randomUUID === "function") return cryptoApi.randomUUID();
  const bytes = cryptoApi.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
