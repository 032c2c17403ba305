/* ptce — the door: scan or find a ticket, check the photo ID, admit. Works offline.
 *
 * Page contract (rendered by Django): #door[data-event][data-list-url][data-sync-url]
 * [data-csrf][data-sw-url][data-qr-decoder-url] (and, for supervisors,
 * [data-override-url][data-walk-in-url]) holding the elements read in `elements()`.
 *
 * Camera: the browser's BarcodeDetector where it reads QR codes (Android, macOS…),
 * otherwise jsQR (npm package "jsqr", served from our static files, loaded only then).
 * Server: JSON API version 1 (checkin/views/api.py), `Authorization: Device <secret>`.
 *
 * Offline model
 * - The list of tickets (a SHA-256 of each ticket code, never the code itself) is kept in
 *   IndexedDB "ptce-door-<slug>", store "tickets" keyed by "h".
 * - Every admission is written to the store "queue" (keyed by its nonce) *before* it is
 *   sent, and removed only once the server has answered for that nonce. The server treats
 *   a nonce sent twice as one scan, so anything unanswered is simply sent again.
 * - Online, the server decides (a ticket the phone does not know may be a new
 *   registration); offline, the phone decides with its list and queues the admission.
 *
 * Plain ES2020, no inline code (CSP script-src 'self').
 */
(() => {
  "use strict";

  // ------------------------------------------------------------------ texts and settings

  // Translations: Django's JavaScript catalogue (/accueil/jsi18n/<lang>/, loaded before this file
  // and kept offline by the service worker). English msgids, French first.
  const _ = typeof window.gettext === "function" ? window.gettext : (text) => text;
  const ngettext =
    typeof window.ngettext === "function"
      ? window.ngettext
      : (one, many, n) => (n === 1 ? one : many);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, key) => String(values[key]));
  const LANGUAGE = document.documentElement.lang || "fr";

  /** Every user-visible string. */
  const TEXT = {
    online: _("Online"),
    onlinePending: (n) =>
      fmt(ngettext("Online — %(n)s entry to send", "Online — %(n)s entries to send", n), { n }),
    offline: (n) =>
      fmt(ngettext("Offline — %(n)s entry waiting", "Offline — %(n)s entries waiting", n), { n }),
    listAge: (time) => fmt(_("list of %(time)s"), { time }),
    dismiss: _("OK"),
    dismissLabel: _("Hide this message"),

    pending: _("Checking online…"),
    check: _("Check the photo ID"),
    checkFromSearch: _("Found by a name search: check the photo ID with care."),
    admitted: _("Admitted"),
    admittedOffline: _("Admitted (offline)"),
    already: _("Already admitted"),
    unknown: _("Unknown or forged ticket"),
    cancelled: _("Registration cancelled"),
    waiting: _("On the waiting list"),
    otherEvent: _("Ticket of another event"),
    deviceRevoked: _("Device revoked"),
    deviceUnknown: _("Device not recognised"),
    idNotChecked: _("Photo ID not checked"),
    badStatus: _("Registration in an unexpected state"),
    unexpected: _("Unexpected answer from the server."),
    httpError: (status) => fmt(_("The server refused the request (error %(status)s)."), { status }),

    admittedWhen: (when, device) =>
      device
        ? fmt(_("Admitted %(when)s by the device “%(device)s”."), { when, device })
        : fmt(_("Admitted %(when)s."), { when }),
    todayAt: (time) => fmt(_("at %(time)s"), { time }),
    dayAt: (day, time) => fmt(_("on %(day)s at %(time)s"), { day, time }),
    localDecision: _("Offline: decided with the list kept on this phone."),
    unknownOffline: _("Offline: a very recent registration may be missing from this phone's list."),
    savedForSync: _("Kept on this phone; it will be sent as soon as the network is back."),
    savedInMemory: _(
      "Kept in memory only (local storage unavailable): do not close this page before the network is back."
    ),
    notSaved: _(
      "Warning: the entry could not be saved on this phone. Write the name down and tell the organisers."
    ),
    conflictDetail: _("Conflict: another device had admitted this person earlier."),
    conflict: (n, names) =>
      fmt(
        ngettext(
          "Conflict: %(n)s entry already admitted by another device",
          "Conflict: %(n)s entries already admitted by another device",
          n
        ),
        { n }
      ) + (names ? ` (${names})` : ""),
    offlineRefused: (name, reason) =>
      fmt(_("Offline entry refused by the server: %(name)s — %(reason)s"), {
        name: name || _("unknown person"),
        reason,
      }),
    notRecorded: _("Entry not recorded"),
    scanRejected: (name, reason) =>
      fmt(_("Entry refused by the server, not recorded: %(name)s — %(reason)s"), {
        name: name || _("unknown person"),
        reason,
      }),
    wrongEvent: _("This phone is enrolled for another event than this page."),
    storageUnavailable: _("Local storage unavailable: offline entries will be lost if the page is closed."),

    searchEmpty: _("No result"),
    searchMore: (n) =>
      fmt(ngettext("… and %(n)s more: narrow the search", "… and %(n)s more: narrow the search", n), { n }),
    statusLabels: {
      confirmed: _("registered"),
      waiting: _("waiting list"),
      cancelled: _("cancelled"),
    },
    statusAdmitted: (when) => fmt(_("admitted %(when)s"), { when }),

    cameraStop: _("Stop the camera"),
    cameraUnavailable: _(
      "The camera cannot read QR codes in this browser: type the code or use a USB scanner."
    ),
    cameraDenied: _("Camera access refused: allow it in the browser's settings, or type the code."),
    cameraFailed: _("The camera could not start: type the code or use a USB scanner."),

    overridden: (reason) => fmt(_("Admitted by override: “%(reason)s”."), { reason }),
    overrideNeedsNetwork: _("An override needs the network: try again once online."),
    walkInNeedsNetwork: _("A walk-in registration needs the network: try again once online."),
    walkInAdmitted: _("Registered at the desk; the ticket goes out by email."),
  };

  const CATEGORY_LABELS = {
    ptce_member: _("member of a PTCE"),
    network: _("partner network"),
    local_authority: _("local authority"),
    state: _("State or institution"),
    press: _("press"),
    speaker: _("speaker"),
    staff: _("organising team"),
    other: _("other"),
  };

  const SETTINGS = {
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

  const REFUSALS = new Set([
    "cancelled",
    "waiting",
    "unknown",
    "other_event",
    "device_revoked",
    "id_not_checked",
  ]);
  const TONES = ["pending", "check", "admitted", "already", "waiting", "refused"];

  // ------------------------------------------------------------------ pure helpers

  /** Accent-, case- and punctuation-insensitive form of a name: "Lefèvre-D'Arc" → "lefevre d arc". */
  function fold(value) {
    return String(value == null ? "" : value)
      .replace(/[œŒ]/g, "oe")
      .replace(/[æÆ]/g, "ae")
      .replace(/ß/g, "ss")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  }

  function words(folded) {
    return folded.split(" ").filter(Boolean);
  }

  /**
   * Last row of the edit-distance table of `a` against `b` (insert, delete, substitute and
   * swap of two neighbours, each costing 1), or null as soon as every value exceeds `max`.
   * row[j] is the distance between `a` and the first j characters of `b`.
   */
  function distanceRow(a, b, max) {
    let before = null;
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i += 1) {
      const row = new Array(b.length + 1);
      row[0] = i;
      let rowMin = i;
      for (let j = 1; j <= b.length; j += 1) {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        let value = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          value = Math.min(value, before[j - 2] + 1);
        }
        row[j] = value;
        if (value < rowMin) rowMin = value;
      }
      if (rowMin > max) return null; // row minima never decrease: give up early
      before = previous;
      previous = row;
    }
    return previous;
  }

  /** Edit distance between a and b (capped: anything above `max` is reported as max + 1). */
  function editDistance(a, b, max = Infinity) {
    if (a === b) return 0;
    if (Math.abs(a.length - b.length) > max) return max + 1;
    const row = distanceRow(a, b, max);
    return row ? Math.min(row[b.length], max + 1) : max + 1;
  }

  /** Edit distance between `query` and the closest start of `name` ("lefevr" vs "lefebvre" → 1). */
  function prefixDistance(query, name, max = Infinity) {
    const row = distanceRow(query, name, max);
    return row ? Math.min(Math.min(...row), max + 1) : max + 1;
  }

  /** What the search compares, computed once per ticket. */
  function indexEntry(ticket) {
    const last = fold(ticket.last_name);
    const first = fold(ticket.first_name);
    const lastWords = words(last);
    const lastCompact = lastWords.join("");
    const firstWords = words(first);
    return {
      ticket,
      lastCompact,
      lastWords,
      lastCandidates: [...new Set([lastCompact, ...lastWords])],
      firstCompact: firstWords.join(""),
      firstWords,
    };
  }

  /**
   * Rank of one folded query word against an entry: 0 start of the last name, 1 start of
   * the first name, 2 last name with one typo, 3 start of the last name with one typo;
   * Infinity when it does not match.
   */
  function matchWord(entry, word) {
    const startsWith = (text) => text.startsWith(word);
    if (startsWith(entry.lastCompact) || entry.lastWords.some(startsWith)) return 0;
    if (startsWith(entry.firstCompact) || entry.firstWords.some(startsWith)) return 1;
    if (
      word.length >= SETTINGS.fuzzyWordMin &&
      entry.lastCandidates.some((name) => editDistance(word, name, 1) <= 1)
    ) {
      return 2;
    }
    if (
      word.length >= SETTINGS.fuzzyPrefixMin &&
      entry.lastCandidates.some((name) => prefixDistance(word, name, 1) <= 1)
    ) {
      return 3;
    }
    return Infinity;
  }

  const collator = new Intl.Collator(LANGUAGE, { sensitivity: "base" });

  /**
   * Search entries by name. Several words must each match (in any order: "marie lefe");
   * the words glued together are also tried ("delafon" finds "de La Fontaine").
   */
  function searchTickets(entriesIterable, query, limit = SETTINGS.searchMax) {
    const queryWords = words(fold(query));
    const compact = queryWords.join("");
    if (compact.length < SETTINGS.searchMin) return { results: [], total: 0 };
    const found = [];
    for (const entry of entriesIterable) {
      let rank = matchWord(entry, compact);
      if (queryWords.length > 1) {
        rank = Math.min(rank, Math.max(...queryWords.map((word) => matchWord(entry, word))));
      }
      if (rank !== Infinity) found.push({ entry, rank });
    }
    found.sort(
      (x, y) =>
        x.rank - y.rank ||
        collator.compare(x.entry.ticket.last_name || "", y.entry.ticket.last_name || "") ||
        collator.compare(x.entry.ticket.first_name || "", y.entry.ticket.first_name || "")
    );
    return { results: found.slice(0, limit), total: found.length };
  }

  // SHA-256 without crypto.subtle (which only exists on HTTPS or localhost): constants are
  // the fractional parts of the square and cube roots of the first primes (FIPS 180-4).
  let sha256Constants = null;

  function sha256Tables() {
    if (sha256Constants) return sha256Constants;
    const primes = [];
    for (let n = 2; primes.length < 64; n += 1) {
      if (primes.every((p) => n % p !== 0)) primes.push(n);
    }
    const frac = (x) => ((x - Math.floor(x)) * 2 ** 32) >>> 0;
    sha256Constants = {
      init: Uint32Array.from(primes.slice(0, 8), (p) => frac(Math.sqrt(p))),
      k: Uint32Array.from(primes, (p) => frac(Math.cbrt(p))),
    };
    return sha256Constants;
  }

  function sha256Bytes(bytes) {
    const { init, k } = sha256Tables();
    const length = bytes.length;
    const padded = new Uint8Array((((length + 9 + 63) >> 6) << 6));
    padded.set(bytes);
    padded[length] = 0x80;
    const view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(length / 2 ** 29));
    view.setUint32(padded.length - 4, (length << 3) >>> 0);
    const hash = Uint32Array.from(init);
    const w = new Uint32Array(64);
    const ror = (x, n) => (x >>> n) | (x << (32 - n));
    for (let offset = 0; offset < padded.length; offset += 64) {
      for (let i = 0; i < 16; i += 1) w[i] = view.getUint32(offset + i * 4);
      for (let i = 16; i < 64; i += 1) {
        const s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let [a, b, c, d, e, f, g, h] = hash;
      for (let i = 0; i < 64; i += 1) {
        const t1 = (h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i]) | 0;
        const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
      }
      [a, b, c, d, e, f, g, h].forEach((value, i) => {
        hash[i] = (hash[i] + value) | 0;
      });
    }
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    hash.forEach((value, i) => outView.setUint32(i * 4, value));
    return out;
  }

  function toHex(bytes) {
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  /** Hex SHA-256 of the UTF-8 text: what the server lists as "h" (Python's hashlib.sha256). */
  async function sha256Hex(text) {
    const bytes = new TextEncoder().encode(text);
    const subtle = globalThis.crypto && globalThis.crypto.subtle;
    if (subtle && typeof subtle.digest === "function") {
      return toHex(new Uint8Array(await subtle.digest("SHA-256", bytes)));
    }
    return toHex(sha256Bytes(bytes));
  }

  /** A random nonce of 36 characters (crypto.randomUUID is missing outside HTTPS). */
  function newNonce() {
    const cryptoApi = globalThis.crypto;
    if (cryptoApi && typeof cryptoApi.randomUUID === "function") return cryptoApi.randomUUID();
    const bytes = cryptoApi.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = toHex(bytes);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // Dates and times as core/dates.py writes them: « 9 h 30 », « 14 h », « samedi 1er juin »
  // in French; "9:30", "Saturday 1 June" in English (never « 09:30 » nor « 1 juin »).
  const FRENCH = LANGUAGE.toLowerCase().startsWith("fr");
  // Times are the event's (the server's time zone), whatever the phone is set to.
  const TIME_ZONE = (() => {
    const zone = (document.getElementById("door") || { dataset: {} }).dataset.timeZone;
    try {
      return zone ? new Intl.DateTimeFormat("en-GB", { timeZone: zone }).resolvedOptions().timeZone : undefined;
    } catch (error) {
      return undefined; // an unknown zone: the phone's own
    }
  })();
  const dayFormat = new Intl.DateTimeFormat(FRENCH ? "fr-FR" : "en-GB", {
    weekday: "long",
    day: "numeric",
    month: "long",
    timeZone: TIME_ZONE,
  });
  const timeFormat = new Intl.DateTimeFormat("en-GB", {
    hour: "numeric",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: TIME_ZONE,
  });
  const dayKeyFormat = new Intl.DateTimeFormat("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    timeZone: TIME_ZONE,
  });

  /** « 9 h 30 », « 14 h » (French); "9:30", "14:00" (English). */
  function clock(date) {
    const parts = {};
    for (const part of timeFormat.formatToParts(date)) parts[part.type] = part.value;
    const hours = String(Number(parts.hour));
    const minutes = parts.minute;
    if (!FRENCH) return `${hours}:${minutes}`;
    return minutes === "00" ? `${hours}\u00a0h` : `${hours}\u00a0h\u00a0${minutes}`;
  }

  /** « samedi 1er juin », « samedi 14 juin » (French); "Saturday 1 June" (English). */
  function longDay(date) {
    return dayFormat
      .formatToParts(date)
      .map((part) => (FRENCH && part.type === "day" && part.value === "1" ? "1er" : part.value))
      .join("");
  }

  /** "à 14 h 32" today, "le samedi 14 juin à 14 h 32" another day, "" when unreadable. */
  function formatWhen(iso, now = new Date()) {
    const date = new Date(iso);
    if (!iso || Number.isNaN(date.getTime())) return "";
    const time = clock(date);
    return dayKeyFormat.format(date) === dayKeyFormat.format(now)
      ? TEXT.todayAt(time)
      : TEXT.dayAt(longDay(date), time);
  }

  /**
   * The stored form of a ticket reference as a person types it (« k7mx q4tr »,
   * « K7MX-Q4TR » → « K7MXQ4TR »: any case, spaces and dashes ignored), or null when the
   * text is not one (events/references.py: 8 characters, no 0/O/1/I/L/U).
   */
  function asReference(text) {
    if (typeof text !== "string" || text.length > 40) return null;
    const candidate = text.replace(/[\s\-\u2010-\u2015\u2212]+/g, "").toUpperCase();
    return /^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$/.test(candidate) ? candidate : null;
  }

  /** A list row as stored, or null when it is not a ticket. */
  function normaliseTicket(row) {
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
  function byScanOrder(x, y) {
    return (
      String(x.scanned_at).localeCompare(String(y.scanned_at)) || (x.seq || 0) - (y.seq || 0)
    );
  }

  /** The fields of a queued scan that the API takes (the queue also keeps "h", "seq"…). */
  function wireScan(scan) {
    return {
      nonce: scan.nonce,
      token: scan.token,
      scanned_at: scan.scanned_at,
      id_checked: scan.id_checked === true,
      offline: scan.offline === true,
    };
  }

  // Exported for a node test harness; the browser goes on to start().
  if (typeof module === "object" && module && module.exports) {
    module.exports = {
      TEXT,
      CATEGORY_LABELS,
      fold,
      editDistance,
      prefixDistance,
      indexEntry,
      matchWord,
      searchTickets,
      sha256Bytes,
      sha256Hex,
      toHex,
      newNonce,
      formatWhen,
      normaliseTicket,
      asReference,
      byScanOrder,
      wireScan,
    };
  }
  if (typeof document === "undefined") return;

  // ------------------------------------------------------------------ local storage

  class NetworkError extends Error {}

  class ApiError extends Error {
    constructor(status, code, message, field) {
      super(message);
      this.status = status;
      this.code = code;
      this.field = field || "";
    }
  }

  /** IndexedDB, promise-shaped; each call is one transaction. */
  class IdbStore {
    constructor(db) {
      this.db = db;
      this.durable = true;
    }

    run(storeName, mode, action) {
      return new Promise((resolve, reject) => {
        // "strict": a queued admission must be on disk when the promise resolves.
        const tx = this.db.transaction(storeName, mode, { durability: "strict" });
        let result;
        const request = action(tx.objectStore(storeName));
        if (request) {
          request.onsuccess = () => {
            result = request.result;
          };
        }
        tx.oncomplete = () => resolve(result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
      });
    }

    get(storeName, key) {
      return this.run(storeName, "readonly", (store) => store.get(key));
    }

    getAll(storeName) {
      return this.run(storeName, "readonly", (store) => store.getAll()).then((rows) => rows || []);
    }

    count(storeName) {
      return this.run(storeName, "readonly", (store) => store.count());
    }

    put(storeName, value) {
      return this.run(storeName, "readwrite", (store) => store.put(value));
    }

    delete(storeName, key) {
      return this.run(storeName, "readwrite", (store) => store.delete(key));
    }

    /**
     * Replace every ticket in one transaction that also reads the queue, so that the local
     * admissions not yet confirmed can be laid over the fresh list (`patch(byHash, queue)`).
     */
    replaceTickets(tickets, patch) {
      return new Promise((resolve, reject) => {
        const tx = this.db.transaction(["tickets", "queue"], "readwrite");
        const byHash = new Map(tickets.map((ticket) => [ticket.h, ticket]));
        const queued = tx.objectStore("queue").getAll();
        queued.onsuccess = () => {
          patch(byHash, queued.result || []);
          const store = tx.objectStore("tickets");
          store.clear();
          byHash.forEach((ticket) => store.put(ticket));
        };
        tx.oncomplete = () => resolve([...byHash.values()]);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
      });
    }
  }

  /** Same interface in memory, when IndexedDB cannot be opened (nothing survives a reload). */
  class MemoryStore {
    constructor() {
      this.durable = false;
      this.stores = { tickets: new Map(), queue: new Map() };
      this.keys = { tickets: "h", queue: "nonce" };
    }

    async get(storeName, key) {
      const value = this.stores[storeName].get(key);
      return value ? { ...value } : undefined;
    }

    async getAll(storeName) {
      return [...this.stores[storeName].values()].map((value) => ({ ...value }));
    }

    async count(storeName) {
      return this.stores[storeName].size;
    }

    async put(storeName, value) {
      this.stores[storeName].set(value[this.keys[storeName]], { ...value });
    }

    async delete(storeName, key) {
      this.stores[storeName].delete(key);
    }

    async replaceTickets(tickets, patch) {
      const byHash = new Map(tickets.map((ticket) => [ticket.h, ticket]));
      patch(byHash, await this.getAll("queue"));
      this.stores.tickets = new Map([...byHash].map(([h, ticket]) => [h, { ...ticket }]));
      return [...byHash.values()];
    }
  }

  function openStore(name) {
    return new Promise((resolve, reject) => {
      if (!globalThis.indexedDB) {
        reject(new Error("IndexedDB unavailable"));
        return;
      }
      const request = globalThis.indexedDB.open(name, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("tickets")) db.createObjectStore("tickets", { keyPath: "h" });
        if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "nonce" });
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => db.close(); // let a newer version of this page upgrade
        resolve(new IdbStore(db));
      };
      request.onerror = () => reject(request.error);
    });
  }

  // ------------------------------------------------------------------ application state

  const app = {
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
    door: { opensAt: null, closesAt: null, before: "", after: "" }, // the door's hours
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

  function isOnline() {
    return navigator.onLine !== false && app.reachable;
  }

  function setReachable(value) {
    if (app.reachable === value) return;
    app.reachable = value;
    renderBanner();
  }

  /** Run an async handler from an event without leaving an unhandled rejection behind. */
  function guard(task) {
    return (...args) => {
      Promise.resolve()
        .then(() => task(...args))
        .catch((error) => showNotice("error", (error && error.message) || TEXT.unexpected));
    };
  }

  function readSecret(slug) {
    try {
      return window.localStorage.getItem(`ptce.device.${slug}`) || "";
    } catch (error) {
      return "";
    }
  }

  function readJson(key, fallback) {
    try {
      const raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function writeJson(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      /* storage full or disabled: only a convenience is lost */
    }
  }

  // ------------------------------------------------------------------ status banner

  function setupBanner() {
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

  function renderBanner() {
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

  function showNotice(key, text) {
    app.notices.set(key, text);
    renderBanner();
  }

  function clearNotice(key) {
    if (app.notices.delete(key)) renderBanner();
  }

  async function refreshPending() {
    try {
      app.pending = await app.db.count("queue");
    } catch (error) {
      /* keep the last known count */
    }
    renderBanner();
  }

  // ------------------------------------------------------------------ tickets and counts

  function rebuildIndex(tickets) {
    app.index = new Map(tickets.map((ticket) => [ticket.h, indexEntry(ticket)]));
    app.byRef = new Map(tickets.filter((ticket) => ticket.ref).map((ticket) => [ticket.ref, ticket.h]));
    renderCounts();
  }

  function renderCounts() {
    let admitted = 0;
    let expected = 0;
    app.index.forEach(({ ticket }) => {
      if (ticket.admitted_at) admitted += 1;
      if (ticket.status === "confirmed") expected += 1;
    });
    app.el.admittedCount.textContent = String(admitted);
    app.el.expectedCount.textContent = String(expected);
  }

  async function getTicket(h) {
    try {
      const ticket = await app.db.get("tickets", h);
      if (ticket) return ticket;
    } catch (error) {
      /* fall back on the copy in memory */
    }
    const entry = app.index.get(h);
    return entry ? { ...entry.ticket } : null;
  }

  async function saveTicket(ticket) {
    try {
      await app.db.put("tickets", ticket);
    } catch (error) {
      /* the copy in memory still serves this session */
    }
    app.index.set(ticket.h, indexEntry(ticket));
    renderCounts();
  }

  /** Bring the local ticket in line with what the server said about it. */
  async function applyServerResult(h, result) {
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
  function overlayLocalAdmissions(byHash, queue) {
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

  // ------------------------------------------------------------------ server

  async function request(method, url, payload, timeoutMs) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const headers = { Accept: "application/json", Authorization: `Device ${app.secret}` };
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    if (app.csrf) headers["X-CSRFToken"] = app.csrf;
    // The pass that came with the list saves the server the session and role checks of
    // each scan; without it (expired, page just opened) the session cookie does the job.
    if (app.doorPass && Date.now() < app.doorPassUntil) headers["X-Door-Pass"] = app.doorPass;
    let response;
    let data = null;
    try {
      response = await fetch(url, {
        method,
        headers,
        credentials: "same-origin",
        cache: "no-store",
        body: payload === undefined ? undefined : JSON.stringify(payload),
        signal: controller.signal,
      });
      data = await response.json().catch(() => null);
    } catch (error) {
      setReachable(false); // no network, or cut, or too slow
      throw new NetworkError((error && error.message) || "network");
    } finally {
      clearTimeout(timer);
    }
    const isObject = data !== null && typeof data === "object";
    if (response.status >= 500 || (response.ok && !isObject)) {
      // Server down behind a proxy, or a captive portal answering in HTML: as good as offline.
      setReachable(false);
      throw new NetworkError(`HTTP ${response.status}`);
    }
    setReachable(true);
    if (!response.ok || data.error) {
      const error = (isObject && data.error) || {};
      throw new ApiError(
        response.status,
        error.code || `http_${response.status}`,
        error.message || TEXT.httpError(response.status),
        error.field
      );
    }
    clearNotice("api");
    return data;
  }

  function postScans(scans, timeoutMs) {
    return request(
      "POST",
      app.syncUrl,
      { version: 1, device_time: new Date().toISOString(), scans: scans.map(wireScan) },
      timeoutMs
    );
  }

  function resultFor(data, nonce) {
    return (Array.isArray(data.results) ? data.results : []).find((r) => r && r.nonce === nonce) || null;
  }

  /**
   * A scan the server refused on its own (its time or its form, e.g. a phone's date far
   * off): {nonce, error: {code, message}}. It was not recorded and never will be: sending
   * it again gets the same answer, so it leaves the queue.
   */
  function scanError(result) {
    const error = result && result.error;
    if (!error || typeof error !== "object") return null;
    return new ApiError(400, String(error.code || "invalid_scan"), String(error.message || TEXT.unexpected));
  }

  /** Show, once, the conflicts the server reports for this device. */
  function handleConflicts(data) {
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
  function syncQueue({ force = false } = {}) {
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

  function scheduleListRefresh(delay) {
    clearTimeout(app.listTimer);
    app.listTimer = setTimeout(() => {
      refreshList().catch(() => {});
    }, delay);
  }

  function refreshList() {
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

  // ------------------------------------------------------------------ verdict screen

  /** What the phone can say on its own about a ticket (null = not in its list). */
  function localView(ticket) {
    if (!ticket) return { tone: "refused", message: TEXT.unknown, sound: "refused" };
    if (ticket.admitted_at) {
      return {
        tone: "already",
        message: TEXT.already,
        ticket,
        detail: TEXT.admittedWhen(formatWhen(ticket.admitted_at), ticket.admitted_by_device),
        sound: "already",
      };
    }
    if (ticket.status === "cancelled") {
      return { tone: "refused", message: TEXT.cancelled, ticket, sound: "refused", overridable: true };
    }
    if (ticket.status === "waiting") {
      return { tone: "waiting", message: TEXT.waiting, ticket, sound: "refused", overridable: true };
    }
    if (ticket.status === "confirmed") return checkView(ticket);
    return { tone: "refused", message: TEXT.badStatus, ticket, sound: "refused" };
  }

  function checkView(ticket, source) {
    return {
      tone: "check",
      message: TEXT.check,
      ticket,
      detail: source === "search" ? TEXT.checkFromSearch : "",
      admit: "enabled",
      sound: "check",
    };
  }

  /** Person fields from the server's answer, completed by the local ticket. */
  function personFrom(result, ticket) {
    const base = ticket ? { ...ticket } : { first_name: "", last_name: "", organisation: "", category: "" };
    ["first_name", "last_name", "organisation", "category"].forEach((field) => {
      if (typeof result[field] === "string") base[field] = result[field];
    });
    return base.last_name || base.first_name ? base : null;
  }

  /** What to show for a server verdict. mode: "probe" (id not checked yet) or "admit". */
  function viewFromResult(result, ticket, mode) {
    const person = personFrom(result, ticket);
    switch (result.verdict) {
      case "admitted":
        return { tone: "admitted", message: TEXT.admitted, ticket: person, sound: "admitted" };
      case "already_admitted":
        return {
          tone: "already",
          message: TEXT.already,
          ticket: person,
          detail: [
            TEXT.admittedWhen(formatWhen(result.admitted_at), result.admitted_by_device),
            result.conflict ? TEXT.conflictDetail : "",
          ].filter(Boolean).join(" "),
          sound: "already",
        };
      case "cancelled":
        return { tone: "refused", message: TEXT.cancelled, ticket: person, sound: "refused", overridable: true };
      case "waiting":
        return { tone: "waiting", message: TEXT.waiting, ticket: person, sound: "refused", overridable: true };
      case "unknown":
        return { tone: "refused", message: TEXT.unknown, sound: "refused" };
      case "other_event":
        return { tone: "refused", message: TEXT.otherEvent, sound: "refused" };
      case "device_revoked":
        return { tone: "refused", message: TEXT.deviceRevoked, detail: result.message || "", sound: "refused" };
      case "id_not_checked":
        return mode === "probe"
          ? checkView(person)
          : { tone: "waiting", message: TEXT.idNotChecked, ticket: person, sound: "refused" };
      default:
        return { tone: "refused", message: result.message || TEXT.unexpected, ticket: person, sound: "refused" };
    }
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

  function setText(node, text) {
    node.textContent = text || "";
    node.hidden = !text;
  }

  function categoryClass(category) {
    return `cat-${Object.prototype.hasOwnProperty.call(CATEGORY_LABELS, category) ? category : "other"}`;
  }

  /**
   * Fill and show the verdict screen. view: {tone, message, ticket, detail, admit, sound}
   * with admit "enabled" | "disabled" | hidden when absent.
   */
  function showVerdict(view, { sound = true } = {}) {
    const { verdict, message, org, category, detail, admit } = app.el;
    const ticket = view.ticket || null;
    TONES.forEach((tone) => verdict.classList.remove(`verdict--${tone}`));
    verdict.classList.add(`verdict--${view.tone}`);
    [...verdict.classList].filter((name) => name.startsWith("cat-")).forEach((name) => verdict.classList.remove(name));
    if (ticket) verdict.classList.add(categoryClass(ticket.category));
    setText(message, view.message);
    renderName(ticket);
    setText(org, ticket ? ticket.organisation : "");
    setText(category, ticket ? CATEGORY_LABELS[ticket.category] || ticket.category : "");
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

  function closeVerdict() {
    app.current = null;
    app.el.verdict.hidden = true;
    app.root.classList.remove("door--verdict");
  }

  /** A new ticket on screen; any earlier one still being checked is dropped from view. */
  function newContext({ token, h, source }) {
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
  function render(ctx, view, options) {
    if (ctx !== app.current) return;
    ctx.phase = view.admit === "enabled" ? "check" : view.tone === "pending" ? "pending" : "done";
    showVerdict(view, options);
  }

  async function handleCode(raw, source) {
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

  async function chooseSearchResult(h) {
    await app.ready;
    // The phone only knows the hash of this person's ticket: the server accepts "h:<hash>".
    await openContext(newContext({ token: `h:${h}`, h, source: "search" }));
  }

  /**
   * Outside the door's hours (the event is not today), the phone refuses on its own,
   * offline too: only a supervisor's override, with a reason, admits then.
   */
  function closedView(ticket, now = new Date()) {
    const { opensAt, closesAt } = app.door;
    if (!opensAt || !closesAt || Number.isNaN(opensAt.getTime()) || Number.isNaN(closesAt.getTime())) {
      return null;
    }
    if (now >= opensAt && now <= closesAt) return null;
    const message = now < opensAt ? app.door.before : app.door.after;
    return { tone: "refused", message, ticket, sound: "refused", overridable: Boolean(ticket) };
  }

  /**
   * A standing notice while the door is closed (the event is not today), worked out on
   * the phone every minute: the page kept offline stays right on the event's day.
   */
  function renderClosedNotice() {
    const notice = document.getElementById("door-closed");
    if (!notice) return;
    const closed = closedView(null);
    notice.hidden = !closed;
    const text = closed ? closed.message : "";
    if (notice.textContent !== text) notice.textContent = text;
  }

  /** Look the ticket up; online, let the server confirm anything the phone would refuse. */
  async function openContext(ctx) {
    const ticket = await getTicket(ctx.h);
    if (ctx !== app.current) return;
    ctx.ticket = ticket;
    const closed = closedView(ticket);
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

  function withDetail(view, extra) {
    return { ...view, detail: [view.detail, extra].filter(Boolean).join(" ") };
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
  async function admit() {
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
          if (error.code === "device_revoked" || error.code === "device_unknown") {
            // This phone may not admit anyone: nothing to keep for later.
            await app.db.delete("queue", scan.nonce).catch(() => {});
            await refreshPending();
            render(ctx, {
              tone: "refused",
              message: error.code === "device_revoked" ? TEXT.deviceRevoked : TEXT.deviceUnknown,
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

  function next() {
    const source = app.current && app.current.source;
    closeVerdict();
    app.el.code.value = "";
    app.el.code.focus();
    if (source === "camera") guard(startCamera)(); // one hand: go straight on to the next ticket
  }

  // ------------------------------------------------------------------ supervisors

  function showError(node, text) {
    node.textContent = text || "";
    node.hidden = !text;
  }

  /** The override form, under a refusal a supervisor may overrule (cancelled, waiting). */
  function renderOverride(view) {
    const { overrideForm: form, overrideReason: reason, overrideError, overrideOffline } = app.el;
    if (!form) return;
    const show = Boolean(view.overridable && app.current && app.current.token && view.ticket);
    form.hidden = !show;
    if (!show) return;
    overrideOffline.hidden = isOnline();
    showError(overrideError, "");
    reason.removeAttribute("aria-invalid");
    reason.value = "";
  }

  /** « Pièce d’identité vérifiée — admettre par dérogation »: online only, with a reason. */
  async function submitOverride(event) {
    event.preventDefault();
    const ctx = app.current;
    const { overrideReason: reason, overrideError, overrideButton: button } = app.el;
    if (!ctx || ctx.busy || !ctx.token) return;
    ctx.busy = true;
    button.disabled = true;
    ctx.overrideNonce = ctx.overrideNonce || newNonce(); // a retry is the same override
    try {
      const data = await request(
        "POST",
        app.overrideUrl,
        { version: 1, nonce: ctx.overrideNonce, token: ctx.token, reason: reason.value, id_checked: true },
        SETTINGS.admitTimeoutMs
      );
      const result = data.result || {};
      const ticket = await applyServerResult(ctx.h, result);
      const view = viewFromResult(result, ticket || ctx.ticket, "admit");
      render(ctx, withDetail(view, TEXT.overridden(reason.value.trim())));
      scheduleListRefresh(SETTINGS.listAfterSyncMs);
    } catch (error) {
      if (ctx !== app.current) return;
      showError(overrideError, error instanceof ApiError ? error.message : TEXT.overrideNeedsNetwork);
      reason.setAttribute("aria-invalid", "true");
      reason.focus();
    } finally {
      ctx.busy = false;
      button.disabled = false;
    }
  }

  /** Register a walk-in and admit them (online only: the server holds the places). */
  async function submitWalkIn(event) {
    event.preventDefault();
    const { walkIn, walkInForm: form, walkInError } = app.el;
    if (form.dataset.busy) return;
    form.dataset.busy = "1";
    form.dataset.nonce = form.dataset.nonce || newNonce(); // a retry is the same person
    const fields = new FormData(form);
    const payload = { version: 1, nonce: form.dataset.nonce };
    ["first_name", "last_name", "email", "organisation", "category"].forEach((name) => {
      payload[name] = String(fields.get(name) || "");
    });
    payload.consent = fields.get("consent") === "on";
    payload.id_checked = fields.get("id_checked") === "on";
    form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
    showError(walkInError, "");
    try {
      const data = await request("POST", app.walkInUrl, payload, SETTINGS.admitTimeoutMs);
      form.reset();
      delete form.dataset.nonce;
      walkIn.open = false;
      const ctx = newContext({ token: "", h: null, source: "walk-in" });
      render(ctx, withDetail(viewFromResult(data.result || {}, null, "admit"), TEXT.walkInAdmitted));
      scheduleListRefresh(SETTINGS.listAfterSyncMs);
    } catch (error) {
      showError(walkInError, error instanceof ApiError ? error.message : TEXT.walkInNeedsNetwork);
      const field = error instanceof ApiError && error.field ? form.elements.namedItem(error.field) : null;
      const target = field && field.focus ? field : walkInError;
      if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
      if (target === walkInError) walkInError.tabIndex = -1;
      target.focus();
    } finally {
      delete form.dataset.busy;
    }
  }

  // ------------------------------------------------------------------ search

  let searchTimer = 0;

  function renderResults() {
    const list = app.el.results;
    list.textContent = "";
    const { results, total } = searchTickets(app.index.values(), app.el.search.value);
    if (!total) {
      if (fold(app.el.search.value).replace(/ /g, "").length >= SETTINGS.searchMin) {
        list.append(listItem("door-results__empty", TEXT.searchEmpty));
      }
      return;
    }
    results.forEach(({ entry }) => list.append(resultItem(entry.ticket)));
    if (total > results.length) list.append(listItem("door-results__more", TEXT.searchMore(total - results.length)));
  }

  function listItem(className, text) {
    const item = document.createElement("li");
    item.className = className;
    item.textContent = text;
    return item;
  }

  function resultItem(ticket) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = `door-result ${categoryClass(ticket.category)}`;
    button.dataset.h = ticket.h;
    const name = document.createElement("span");
    name.className = "door-result__name";
    const last = document.createElement("span");
    last.className = "verdict-last";
    last.textContent = ticket.last_name;
    name.append(last, ` ${ticket.first_name}`);
    const org = document.createElement("span");
    org.className = "door-result__org";
    org.textContent = ticket.organisation;
    const status = document.createElement("span");
    const admitted = Boolean(ticket.admitted_at) && ticket.status === "confirmed";
    status.className = `badge ${admitted ? "admitted" : ticket.status}`;
    status.textContent = admitted
      ? TEXT.statusAdmitted(formatWhen(ticket.admitted_at))
      : TEXT.statusLabels[ticket.status] || ticket.status;
    button.append(name, org, status);
    item.append(button);
    return item;
  }

  // ------------------------------------------------------------------ camera

  const camera = {
    decode: null, // async (video) → the code read in the current frame, or null
    canvas: null,
    context: null,
    stream: null,
    running: false,
    starting: false,
    timer: 0,
    label: "",
  };

  async function nativeDecoder() {
    if (!("BarcodeDetector" in window)) return null;
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return null;
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return async (video) => {
      const found = (await detector.detect(video)).find((code) => code && code.rawValue);
      return found ? found.rawValue : null;
    };
  }

  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`could not load ${url}`));
      document.head.append(script);
    });
  }

  /** jsQR on a scaled-down copy of the current frame. */
  async function jsqrDecoder() {
    if (!app.qrDecoderUrl) return null;
    if (typeof window.jsQR !== "function") await loadScript(app.qrDecoderUrl);
    if (typeof window.jsQR !== "function") return null;
    return async (video) => {
      const { videoWidth: width, videoHeight: height } = video;
      if (!width || !height) return null;
      const scale = Math.min(1, SETTINGS.decodeMaxWidth / width);
      const w = Math.round(width * scale);
      const h = Math.round(height * scale);
      if (!camera.canvas) {
        camera.canvas = document.createElement("canvas");
        camera.context = camera.canvas.getContext("2d", { willReadFrequently: true });
      }
      if (camera.canvas.width !== w) camera.canvas.width = w;
      if (camera.canvas.height !== h) camera.canvas.height = h;
      camera.context.drawImage(video, 0, 0, w, h);
      const image = camera.context.getImageData(0, 0, w, h);
      const code = window.jsQR(image.data, w, h, { inversionAttempts: "dontInvert" });
      return code && code.data ? code.data : null;
    };
  }

  async function setupCamera() {
    const button = app.el.cameraButton;
    camera.label = button.textContent;
    button.setAttribute("aria-pressed", "false");
    if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
      for (const make of [nativeDecoder, jsqrDecoder]) {
        try {
          camera.decode = await make();
        } catch (error) {
          camera.decode = null;
        }
        if (camera.decode) break;
      }
    }
    if (!camera.decode) {
      button.hidden = true;
      cameraNote(TEXT.cameraUnavailable);
    }
  }

  function cameraNote(text) {
    let note = document.getElementById("camera-note");
    if (!note) {
      note = document.createElement("p");
      note.id = "camera-note";
      note.className = "door-note";
      app.el.cameraButton.insertAdjacentElement("afterend", note);
    }
    setText(note, text);
  }

  async function startCamera() {
    if (!camera.decode || camera.running || camera.starting) return;
    const { cameraButton: button, video } = app.el;
    camera.starting = true;
    button.disabled = true;
    try {
      camera.stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false,
      });
      video.srcObject = camera.stream;
      video.hidden = false;
      camera.running = true;
      await video.play();
      button.textContent = TEXT.cameraStop;
      button.setAttribute("aria-pressed", "true");
      cameraNote("");
      camera.timer = setTimeout(detect, SETTINGS.detectEveryMs);
    } catch (error) {
      stopCamera();
      cameraNote(error && error.name === "NotAllowedError" ? TEXT.cameraDenied : TEXT.cameraFailed);
    } finally {
      camera.starting = false;
      button.disabled = false;
    }
  }

  function stopCamera() {
    clearTimeout(camera.timer);
    camera.running = false;
    if (camera.stream) camera.stream.getTracks().forEach((track) => track.stop());
    camera.stream = null;
    const { cameraButton: button, video } = app.el;
    if (!video || !button) return;
    video.pause();
    video.srcObject = null;
    video.hidden = true;
    if (camera.label) button.textContent = camera.label;
    button.setAttribute("aria-pressed", "false");
  }

  async function detect() {
    if (!camera.running) return;
    if (app.el.video.readyState >= 2) {
      try {
        const value = await camera.decode(app.el.video);
        if (value && camera.running) {
          stopCamera();
          guard(handleCode)(value, "camera");
          return;
        }
      } catch (error) {
        /* an unreadable frame: try the next one */
      }
    }
    if (camera.running) camera.timer = setTimeout(detect, SETTINGS.detectEveryMs);
  }

  // ------------------------------------------------------------------ sound and vibration

  const SOUNDS = {
    check: { notes: [[660, 0, 0.09]], wave: "sine", gain: 0.25, vibrate: [40] },
    admitted: { notes: [[1320, 0, 0.16]], wave: "sine", gain: 0.35, vibrate: [120] },
    // already admitted: two long falling notes, loud; refused: two long low notes
    already: { notes: [[392, 0, 0.4], [262, 0.5, 0.55]], wave: "square", gain: 0.35, vibrate: [400, 150, 400, 150, 400] },
    refused: { notes: [[220, 0, 0.4], [220, 0.55, 0.4]], wave: "sawtooth", gain: 0.3, vibrate: [400, 150, 400] },
  };
  let audio = null;

  /** Browsers only let a page make sound after a gesture: create the context then. */
  function unlockAudio() {
    const AudioContextClass = window.AudioContext || window.webkitAudioContext;
    if (!AudioContextClass) return;
    try {
      if (!audio) audio = new AudioContextClass();
      if (audio.state === "suspended") audio.resume().catch(() => {});
    } catch (error) {
      audio = null;
    }
  }

  function play(kind) {
    const sound = SOUNDS[kind];
    if (!sound) return;
    const activated = !navigator.userActivation || navigator.userActivation.hasBeenActive;
    if (typeof navigator.vibrate === "function" && activated) {
      try {
        navigator.vibrate(sound.vibrate);
      } catch (error) {
        /* vibration is a bonus */
      }
    }
    if (!audio || audio.state !== "running") return;
    const start = audio.currentTime + 0.01;
    sound.notes.forEach(([frequency, delay, duration]) => {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      const t = start + delay;
      oscillator.type = sound.wave;
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(sound.gain, t + 0.015);
      gain.gain.setValueAtTime(sound.gain, t + duration - 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + duration);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(t);
      oscillator.stop(t + duration + 0.02);
    });
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

  // ------------------------------------------------------------------ service worker

  /** Same-origin URLs of this page and its assets, for the worker to keep offline. */
  function shellUrls() {
    const nodes = document.querySelectorAll(
      "script[src], link[rel~='stylesheet'][href], link[rel='manifest'][href], link[rel~='icon'][href], link[rel='apple-touch-icon'][href]"
    );
    const urls = [window.location.href.split("#")[0], ...Array.from(nodes, (node) => node.src || node.href)];
    return urls.filter((url) => {
      try {
        return new URL(url, window.location.href).origin === window.location.origin;
      } catch (error) {
        return false;
      }
    });
  }

  function registerServiceWorker(url) {
    if (!url || !("serviceWorker" in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker
      .register(url, { scope: SETTINGS.swScope })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        // The first visit loaded its assets before the worker existed: hand them over.
        if (registration.active) registration.active.postMessage({ type: "ptce-door-cache", urls: shellUrls() });
      })
      .catch(() => {
        /* no offline page on this browser; the open page still works offline */
      });
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
    guard(setupCamera)();
    registerServiceWorker(root.dataset.swUrl);
    app.el.code.focus({ preventScroll: true });
    startTimers();
    app.ready
      .then(() => (navigator.onLine !== false ? syncQueue({ force: true }).then(refreshList) : null))
      .catch(() => {});
  }

  start();
})();
