/* ptce door — dates and times as core/dates.py writes them: « 9 h 30 », « 14 h »,
 * « samedi 1er juin » in French; "9:30", "Saturday 1 June" in English (never « 09:30 »
 * nor « 1 juin »). Times are the event's (the server's time zone, #door[data-time-zone]),
 * whatever the phone is set to. Pure apart from reading that zone: tested by node. */

import { LANGUAGE, TEXT } from "./texts.js";

/** The zone as Intl spells it, or undefined (the phone's own) when it is unknown. */
export function resolveTimeZone(zone) {
  try {
    return zone ? new Intl.DateTimeFormat("en-GB", { timeZone: zone }).resolvedOptions().timeZone : undefined;
  } catch (error) {
    return undefined; // an unknown zone: the phone's own
  }
}

/** clock, longDay and formatWhen in `language`, for times in `timeZone`. */
export function timeFormats({ language = LANGUAGE, timeZone } = {}) {
  const french = language.toLowerCase().startsWith("fr");
  const dayFormat = new Intl.DateTimeFormat(french ? "fr-FR" : "en-GB", {
    weekday: "long",
    day: "numeric",
    month: "long",
    timeZone,
  });
  const timeFormat = new Intl.DateTimeFormat("en-GB", {
    hour: "numeric",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone,
  });
  const dayKeyFormat = new Intl.DateTimeFormat("en-CA", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    timeZone,
  });

  /** « 9 h 30 », « 14 h » (French); "9:30", "14:00" (English). */
  function clock(date) {
    const parts = {};
    for (const part of timeFormat.formatToParts(date)) parts[part.type] = part.value;
    const hours = String(Number(parts.hour));
    const minutes = parts.minute;
    if (!french) return `${hours}:${minutes}`;
    return minutes === "00" ? `${hours}\u00a0h` : `${hours}\u00a0h\u00a0${minutes}`;
  }

  /** « samedi 1er juin », « samedi 14 juin » (French); "Saturday 1 June" (English). */
  function longDay(date) {
    return dayFormat
      .formatToParts(date)
      .map((part) => (french && part.type === "day" && part.value === "1" ? "1er" : part.value))
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

  return { clock, longDay, formatWhen };
}

const page = globalThis.document && globalThis.document.getElementById("door");

/** The page's: its language, the event's time zone. */
export const { clock, longDay, formatWhen } = timeFormats({
  language: LANGUAGE,
  timeZone: resolveTimeZone(page ? page.dataset.timeZone : undefined),
});
