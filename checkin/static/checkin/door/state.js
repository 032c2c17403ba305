/* ptce door — the state of the page, shared by its modules, and what it keeps in
 * localStorage (the device's secret, small conveniences). */

export const app = {
  root: null,
  el: {},
  slug: "",
  secret: "",
  csrf: "",
  listUrl: "",
  syncUrl: "",
  qrDecoderUrl: "",
  doorPass: "", // signed by the server with the list: this phone + this person
  doorPassUntil: 0,
  overrideUrl: "",
  walkInUrl: "",
  // the door's hours; a refusal outside them (before, after) and the standing notice
  door: { opensAt: null, closesAt: null, before: "", after: "", closedBefore: "", closedAfter: "" },
  db: null,
  ready: null, // promise: store opened and tickets loaded
  index: new Map(), // h → search entry (holds the ticket as stored)
  byRef: new Map(), // ticket reference → h (the typed entry)
  pending: 0, // scans in the queue
  reachable: true, // false after a request failed for network reasons
  inflight: new Set(), // nonces being sent right now by an admission
  recentAdmits: new Map(), // h → {admitted_at, admitted_by_device, at}: confirmed, maybe not yet in the list
  notices: new Map(), // key → text shown under the status line until dismissed
  current: null, // the ticket on the verdict screen
  contextSeq: 0,
  scanSeq: 0,
  syncing: null,
  listing: null,
  listTimer: 0,
  listAt: null,
  lastInput: "keyboard",
  storageKey: (what) => `ptce.door.${what}.${app.slug}`,
};

export function readSecret(slug) {
  try {
    return window.localStorage.getItem(`ptce.device.${slug}`) || "";
  } catch (error) {
    return "";
  }
}

export function readJson(key, fallback) {
  try {
    const raw = window.localStorage.getItem(key);
    return raw ? JSON.parse(raw) : fallback;
  } catch (error) {
    return fallback;
  }
}

export function writeJson(key, value) {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
  } catch (error) {
    /* storage full or disabled: only a convenience is lost */
  }
}
