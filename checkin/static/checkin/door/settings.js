/* ptce door — timings and limits. */

export const SETTINGS = {
  swScope: "/accueil/",
  syncEveryMs: 15000, // queue retry (and reachability check when a request failed)
  listEveryMs: 60000, // list refresh and a heartbeat sync that also brings conflicts
  listAfterSyncMs: 3000, // debounce of the list refresh after a sync
  batchMax: 500,
  admitTimeoutMs: 8000, // someone is waiting at the door: do not hang longer
  probeTimeoutMs: 5000,
  syncTimeoutMs: 20000,
  listTimeoutMs: 30000,
  detectEveryMs: 200,
  decodeMaxWidth: 640, // jsQR: frames scaled down to this width (speed; a ticket fills the frame)
  searchMin: 2,
  searchDebounceMs: 120,
  searchMax: 30,
  fuzzyWordMin: 3, // one edit against a whole last name from 3 letters on
  fuzzyPrefixMin: 4, // one edit against the start of a last name from 4 letters on
  tokenMax: 200, // the server refuses longer codes
  recentAdmitMs: 5 * 60000,
  shownConflictsMax: 2000,
};
