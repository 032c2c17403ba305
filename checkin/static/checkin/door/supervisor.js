/* ptce door — what only a supervisor may do, online only: admit by override (with a
 * reason, under a refusal) and register a walk-in. */

import { ApiError, request } from "./api.js";
import { applyServerResult } from "./list.js";
import { newContext, render, setText } from "./screen.js";
import { SETTINGS } from "./settings.js";
import { app } from "./state.js";
import { scheduleListRefresh } from "./sync.js";
import { TEXT } from "./texts.js";
import { newNonce } from "./tickets.js";
import { viewFromResult, withDetail } from "./verdict.js";

/** « Pièce d’identité vérifiée — admettre par dérogation »: online only, with a reason. */
export async function submitOverride(event) {
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
    setText(overrideError, error instanceof ApiError ? error.message : TEXT.overrideNeedsNetwork);
    reason.setAttribute("aria-invalid", "true");
    reason.focus();
  } finally {
    ctx.busy = false;
    button.disabled = false;
  }
}

/** Register a walk-in and admit them (online only: the server holds the places). */
export async function submitWalkIn(event) {
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
  setText(walkInError, "");
  try {
    const data = await request("POST", app.walkInUrl, payload, SETTINGS.admitTimeoutMs);
    form.reset();
    delete form.dataset.nonce;
    walkIn.open = false;
    const ctx = newContext({ token: "", h: null, source: "walk-in" });
    render(ctx, withDetail(viewFromResult(data.result || {}, null, "admit"), TEXT.walkInAdmitted));
    scheduleListRefresh(SETTINGS.listAfterSyncMs);
  } catch (error) {
    setText(walkInError, error instanceof ApiError ? error.message : TEXT.walkInNeedsNetwork);
    const field = error instanceof ApiError && error.field ? form.elements.namedItem(error.field) : null;
    const target = field && field.focus ? field : walkInError;
    if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
    if (target === walkInError) walkInError.tabIndex = -1;
    target.focus();
  } finally {
    delete form.dataset.busy;
  }
}
