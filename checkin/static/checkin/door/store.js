/* ptce door — the phone's storage: IndexedDB "ptce-door-<slug>", store "tickets" keyed by
 * "h" (a SHA-256 of each ticket code, never the code itself) and store "queue" keyed by
 * the scan's nonce; the same interface in memory when IndexedDB cannot be opened. */

/** IndexedDB, promise-shaped; each call is one transaction. */
export class IdbStore {
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
export class MemoryStore {
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

export function openStore(name) {
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
