// Dates and times as core/dates.py writes them, in the event's time zone.
import assert from "node:assert/strict";
import test from "node:test";

import { resolveTimeZone, timeFormats } from "../../static/checkin/door/time.js";

const paris = { timeZone: "Europe/Paris" };
const french = timeFormats({ language: "fr", ...paris });
const english = timeFormats({ language: "en", ...paris });
const NBSP = "\u00a0";

test("clock: « 9 h 30 », « 14 h » in French, '9:30', '14:00' in English", () => {
  const morning = new Date("2026-06-13T07:30:00Z"); // 9:30 in Paris (summer time)
  const afternoon = new Date("2026-06-13T12:00:00Z");
  assert.equal(french.clock(morning), `9${NBSP}h${NBSP}30`);
  assert.equal(french.clock(afternoon), `14${NBSP}h`);
  assert.equal(english.clock(morning), "9:30");
  assert.equal(english.clock(afternoon), "14:00");
  assert.equal(french.clock(new Date("2026-01-10T23:05:00Z")), `0${NBSP}h${NBSP}05`);
});

test("the event's time zone, whatever the phone's", () => {
  const instant = new Date("2026-06-13T07:30:00Z");
  assert.equal(timeFormats({ language: "en", timeZone: "Pacific/Auckland" }).clock(instant), "19:30");
  assert.equal(resolveTimeZone("Europe/Paris"), "Europe/Paris");
  assert.equal(resolveTimeZone("Not/AZone"), undefined);
  assert.equal(resolveTimeZone(""), undefined);
});

test("long day: « samedi 1er juin », « samedi 13 juin »; 'Saturday 13 June'", () => {
  assert.equal(french.longDay(new Date("2024-06-01T10:00:00Z")), "samedi 1er juin");
  assert.equal(french.longDay(new Date("2026-06-13T10:00:00Z")), "samedi 13 juin");
  assert.equal(english.longDay(new Date("2026-06-13T10:00:00Z")), "Saturday 13 June");
  assert.equal(english.longDay(new Date("2024-06-01T10:00:00Z")), "Saturday 1 June");
});

test("formatWhen: the time today, the day and time another day, nothing when unreadable", () => {
  const now = new Date("2026-06-13T15:00:00Z");
  // (node has no catalogue: the English msgids)
  assert.equal(french.formatWhen("2026-06-13T12:32:00Z", now), `at 14${NBSP}h${NBSP}32`);
  assert.equal(french.formatWhen("2026-06-12T12:00:00Z", now), `on vendredi 12 juin at 14${NBSP}h`);
  assert.equal(english.formatWhen("2026-06-12T12:00:00+02:00", now), "on Friday 12 June at 12:00");
  // today is the event's day: 23:30 in Paris is still the 13th there
  assert.equal(english.formatWhen("2026-06-13T21:30:00Z", now), "at 23:30");
  assert.equal(french.formatWhen("", now), "");
  assert.equal(french.formatWhen(null, now), "");
  assert.equal(french.formatWhen("not a date", now), "");
});
