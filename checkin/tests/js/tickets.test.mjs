// Tickets and scans as the phone keeps them and the API takes them.
import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import test from "node:test";

import {
  asReference,
  byScanOrder,
  newNonce,
  normaliseTicket,
  wireScan,
} from "../../static/checkin/door/tickets.js";

const H = "a".repeat(64);

test("a reference as a person types it", () => {
  assert.equal(asReference("k7mx q4tr"), "K7MXQ4TR");
  assert.equal(asReference("K7MX-Q4TR"), "K7MXQ4TR");
  assert.equal(asReference(" k7mx\u2013q4tr "), "K7MXQ4TR");
  assert.equal(asReference("K7MXQ4T"), null); // 7 characters
  assert.equal(asReference("K7MXQ4T0"), null); // no 0, O, 1, I, L, U
  assert.equal(asReference("K7MXQ4TU"), null);
  assert.equal(asReference("x".repeat(41)), null);
  assert.equal(asReference(null), null);
});

test("a list row becomes a ticket, or nothing", () => {
  assert.deepEqual(
    normaliseTicket({ h: H, ref: "k7mx-q4tr", first_name: "Zoé", last_name: 3, status: "confirmed", admitted_at: "" }),
    {
      h: H,
      ref: "K7MXQ4TR",
      first_name: "Zoé",
      last_name: "",
      organisation: "",
      category: "",
      status: "confirmed",
      admitted_at: null,
    }
  );
  assert.equal(normaliseTicket({ ...{ h: H }, admitted_at: "2026-06-13T09:00:00Z" }).admitted_at, "2026-06-13T09:00:00Z");
  assert.equal(normaliseTicket({ h: "A".repeat(64) }), null); // hex in small letters only
  assert.equal(normaliseTicket({ h: "a".repeat(63) }), null);
  assert.equal(normaliseTicket(null), null);
});

test("scans in order of time, then of creation on the phone", () => {
  const scans = [
    { nonce: "c", scanned_at: "2026-06-13T10:00:00Z", seq: 2 },
    { nonce: "a", scanned_at: "2026-06-13T09:00:00Z", seq: 9 },
    { nonce: "b", scanned_at: "2026-06-13T10:00:00Z", seq: 1 },
    { nonce: "d", scanned_at: "2026-06-13T10:00:00Z" },
  ];
  assert.deepEqual(scans.sort(byScanOrder).map((s) => s.nonce), ["a", "d", "b", "c"]);
});

test("only the API's fields go over the wire", () => {
  const scan = { nonce: "n", token: "t", scanned_at: "s", id_checked: 1, offline: true, h: H, seq: 3 };
  assert.deepEqual(wireScan(scan), { nonce: "n", token: "t", scanned_at: "s", id_checked: false, offline: true });
});

test("a nonce of 36 characters, with or without crypto.randomUUID", (t) => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.match(newNonce(), uuid);
  const original = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  Object.defineProperty(globalThis, "crypto", {
    configurable: true,
    value: { getRandomValues: (array) => webcrypto.getRandomValues(array) },
  });
  t.after(() => Object.defineProperty(globalThis, "crypto", original));
  const nonces = new Set(Array.from({ length: 50 }, newNonce));
  assert.equal(nonces.size, 50);
  for (const nonce of nonces) assert.match(nonce, uuid);
});
