/* ptce door — the server: JSON API version 1 (checkin/views/api.py),
 * `Authorization: Device <secret>`. Errors are {"error": {"code", "message", "field"}}. */

import { clearNotice, setReachable } from "./banner.js";
import { INVALID_SCAN } from "./codes.js";
import { app } from "./state.js";
import { TEXT } from "./texts.js";
import { wireScan } from "./tickets.js";

/** No answer (no network, cut, too slow, a server down or a captive portal). */
export class NetworkError extends Error {}

/** The server answered with an error: its status, code, message and field. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || "";
  }
}

export async function request(method, url, payload, timeoutMs) {
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

export function postScans(scans, timeoutMs) {
  return request(
    "POST",
    app.syncUrl,
    { version: 1, device_time: new Date().toISOString(), scans: scans.map(wireScan) },
    timeoutMs
  );
}

export function resultFor(data, nonce) {
  return (Array.isArray(data.results) ? data.results : []).find((r) => r && r.nonce === nonce) || null;
}

/**
 * A scan the server refused on its own (its time or its form, e.g. a phone's date far
 * off): {nonce, error: {code, message}}. It was not recorded and never will be: sending
 * it again gets the same answer, so it leaves the queue.
 */
export function scanError(result) {
  const error = result && result.error;
  if (!error || typeof error !== "object") return null;
  return new ApiError(400, String(error.code || INVALID_SCAN), String(error.message || TEXT.unexpected));
}
