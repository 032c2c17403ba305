/* ptce — service worker of the door, served at /accueil/sw.js (scope /accueil/).
 *
 * - Pages under /accueil/ (the scanning page): network first, the last good copy when
 *   the network fails or is too slow.
 * - The other files under /accueil/ the page loads — the JavaScript catalogue
 *   (/accueil/jsi18n/<language>/: the language is in the address, so each language is
 *   kept under its own key) and the manifest: network first too, the copy offline (or
 *   the verdicts would read in English after an offline reload).
 * - /static/* (the door's modules and styles, the site's styles, the icons, the QR
 *   decoder): cache first, refreshed in the background, so a new deployment is picked up
 *   on the next visit.
 * - /api/ and anything else: never touched, never cached.
 * The page posts the exact URLs it loaded ({type: "ptce-door-cache", urls}: the page, its
 * scripts, every module of the door — each named in a <link rel="modulepreload"> — its
 * styles and icons) so that the first visit, made before this worker existed, is
 * available offline too (static file names carry a hash in production, and so do the
 * modules' imports of each other).
 * Bump VERSION to drop every older cache on activation.
 */
"use strict";

const VERSION = "5";
const CACHE_PREFIX = "ptce-door-";
const CACHE = `${CACHE_PREFIX}v${VERSION}`;
const NAVIGATION_TIMEOUT_MS = 4000;
const OFFLINE_TEXT =
  "Hors ligne : cette page n’a pas encore été enregistrée sur ce téléphone. " +
  "Ouvrez-la une fois avec du réseau, puis elle fonctionnera sans.";

const scopePath = new URL(self.registration.scope).pathname; // "/accueil/"

function isApi(url) {
  return url.pathname.startsWith("/api/");
}

function isStatic(url) {
  return url.pathname.startsWith("/static/");
}

function isPage(url) {
  return url.pathname.startsWith(scopePath) && !isStatic(url) && !isApi(url);
}

/** Only complete, direct, same-origin answers are worth keeping, and never one the
 *  server marked no-store (an attendance certificate or an enrolment page under the
 *  scope: a person's name, a one-time link — not for the phone's storage). */
function cacheable(response) {
  return (
    Boolean(response) &&
    response.ok &&
    response.type === "basic" &&
    !response.redirected &&
    !/no-store/i.test(response.headers.get("Cache-Control") || "")
  );
}

async function put(request, response) {
  if (!cacheable(response)) return;
  const cache = await caches.open(CACHE);
  await cache.put(request, response);
}

/** Exactly this address (the catalogue of another language is not a stand-in). */
function matchExact(request) {
  return caches.match(request, { ignoreVary: true });
}

function match(request) {
  // Django varies on Cookie and Accept-Language: a stored page still serves offline.
  return caches
    .match(request, { ignoreVary: true })
    .then((hit) => hit || caches.match(request, { ignoreVary: true, ignoreSearch: true }));
}

/**
 * Fetch from the network and keep a copy when it is worth it. The copy is taken in the
 * first callback on the response (before anyone reads its body), and the worker is kept
 * alive until it is stored, even when the cached copy answered first.
 */
function fetchAndStore(event) {
  const network = fetch(event.request);
  event.waitUntil(
    network.then((response) => put(event.request, response.clone())).catch(() => undefined)
  );
  return network;
}

/** Network first, with a time limit; the last good copy when the network fails. */
async function page(event) {
  const network = fetchAndStore(event);
  const timeout = new Promise((resolve) => setTimeout(resolve, NAVIGATION_TIMEOUT_MS, null));
  try {
    const fast = await Promise.race([network, timeout]);
    if (fast && fast.status < 500) return fast;
    const cached = await match(event.request);
    if (cached) return cached; // too slow, or a server error: the stored page does the job
    return fast || (await network);
  } catch (error) {
    const cached = await match(event.request);
    if (cached) return cached;
    return new Response(OFFLINE_TEXT, {
      status: 503,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
}

/** A file of the page under the scope (catalogue, manifest): network first, the copy
 *  of this very address when the network fails or is too slow. */
async function pageFile(event) {
  const network = fetchAndStore(event);
  const timeout = new Promise((resolve) => setTimeout(resolve, NAVIGATION_TIMEOUT_MS, null));
  try {
    const fast = await Promise.race([network, timeout]);
    if (fast && fast.ok) return fast;
    const cached = await matchExact(event.request);
    return cached || fast || (await network);
  } catch (error) {
    const cached = await matchExact(event.request);
    return cached || Response.error();
  }
}

/** Cache first; the network copy refreshes the cache in the background. */
async function asset(event) {
  const network = fetchAndStore(event);
  const cached = await match(event.request);
  if (cached) return cached;
  return network;
}

/** Store the URLs the page reports, if they are ones this worker serves. */
async function cacheUrls(urls) {
  const cache = await caches.open(CACHE);
  await Promise.all(
    urls.map(async (raw) => {
      let url;
      try {
        url = new URL(raw, self.location.origin);
      } catch (error) {
        return;
      }
      url.hash = "";
      if (url.origin !== self.location.origin || !(isStatic(url) || isPage(url))) return;
      try {
        const response = await fetch(url.href, { credentials: "same-origin", cache: "no-cache" });
        if (cacheable(response)) await cache.put(url.href, response);
      } catch (error) {
        /* offline right now: the next visit will fill the cache */
      }
    })
  );
}

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith(CACHE_PREFIX) && key !== CACHE)
            .map((key) => caches.delete(key))
        )
      )
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  const data = event.data;
  if (!data || data.type !== "ptce-door-cache" || !Array.isArray(data.urls)) return;
  event.waitUntil(cacheUrls(data.urls.slice(0, 50)));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || isApi(url)) return; // never /api/
  if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(page(event));
  } else if (isPage(url) && url.pathname !== new URL(self.location.href).pathname) {
    event.respondWith(pageFile(event));
  } else if (isStatic(url)) {
    event.respondWith(asset(event));
  }
});
