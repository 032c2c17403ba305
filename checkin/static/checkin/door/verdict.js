/* ptce door — what the verdict screen says: from the phone's own list, from the server's
 * answer, outside the door's hours. A view is {tone, message, ticket, detail, admit,
 * sound, overridable}, admit "enabled" | "disabled" | absent (hidden). Pure: tested by node. */

import { TEXT } from "./texts.js";
import { formatWhen } from "./time.js";

/** Server verdicts that refuse an entry. */
export const REFUSALS = new Set([
  "cancelled",
  "waiting",
  "unknown",
  "other_event",
  "device_revoked",
  "id_not_checked",
]);
export const TONES = ["pending", "check", "admitted", "already", "waiting", "refused"];

/** What the phone can say on its own about a ticket (null = not in its list). */
export function localView(ticket) {
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

export function checkView(ticket, source) {
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
export function personFrom(result, ticket) {
  const base = ticket ? { ...ticket } : { first_name: "", last_name: "", organisation: "", category: "" };
  ["first_name", "last_name", "organisation", "category"].forEach((field) => {
    if (typeof result[field] === "string") base[field] = result[field];
  });
  return base.last_name || base.first_name ? base : null;
}

/** What to show for a server verdict. mode: "probe" (id not checked yet) or "admit". */
export function viewFromResult(result, ticket, mode) {
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

/**
 * Outside the door's hours (the event is not today), the phone refuses on its own,
 * offline too: only a supervisor's override, with a reason, admits then.
 * door: {opensAt, closesAt (Dates), before, after (what to say)}.
 */
export function closedView(ticket, door, now = new Date()) {
  const { opensAt, closesAt } = door;
  if (!opensAt || !closesAt || Number.isNaN(opensAt.getTime()) || Number.isNaN(closesAt.getTime())) {
    return null;
  }
  if (now >= opensAt && now <= closesAt) return null;
  const message = now < opensAt ? door.before : door.after;
  return { tone: "refused", message, ticket, sound: "refused", overridable: Boolean(ticket) };
}

export function withDetail(view, extra) {
  return { ...view, detail: [view.detail, extra].filter(Boolean).join(" ") };
}
