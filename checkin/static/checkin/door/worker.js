/* ptce door — the service worker (checkin/static/checkin/sw.js, served at /accueil/sw.js)
 * that keeps the page offline. */

import { SETTINGS } from "./settings.js";

/**
 * Same-origin URLs of this page and its assets, for the worker to keep offline: its
 * scripts, every module of the door (<link rel="modulepreload">, as the modules a
 * module imports are in no tag), its styles, manifest and icons.
 */
export function shellUrls() {
  const nodes = document.querySelectorAll(
    "script[src], link[rel='modulepreload'][href], link[rel~='stylesheet'][href], link[rel='manifest'][href], link[rel~='icon'][href], link[rel='apple-touch-icon'][href]"
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

export function registerServiceWorker(url) {
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
