// What the verdict screen says, from the phone's list, from the server, outside the hours.
import assert from "node:assert/strict";
import test from "node:test";

import { TEXT } from "../../static/checkin/door/texts.js";
import { formatWhen } from "../../static/checkin/door/time.js";
import {
  REFUSALS,
  checkView,
  closedView,
  localView,
  personFrom,
  viewFromResult,
  withDetail,
} from "../../static/checkin/door/verdict.js";

const ticket = (fields = {}) => ({
  h: "a".repeat(64),
  first_name: "Zoé",
  last_name: "Lefèvre",
  organisation: "Pôle",
  category: "press",
  status: "confirmed",
  admitted_at: null,
  ...fields,
});

test("the phone's own verdicts", () => {
  assert.deepEqual(localView(null), { tone: "refused", message: TEXT.unknown, sound: "refused" });
  const confirmed = ticket();
  assert.deepEqual(localView(confirmed), {
    tone: "check",
    message: TEXT.check,
    ticket: confirmed,
    detail: "",
    admit: "enabled",
    sound: "check",
  });
  const admitted = ticket({ admitted_at: "2026-06-13T09:00:00Z", admitted_by_device: "Poste 2" });
  const already = localView(admitted);
  assert.equal(already.tone, "already");
  assert.equal(already.sound, "already");
  assert.equal(already.detail, TEXT.admittedWhen(formatWhen(admitted.admitted_at), "Poste 2"));
  assert.ok(already.detail.includes("Poste 2"));
  // an admitted ticket is "already admitted" whatever its status
  assert.equal(localView(ticket({ status: "cancelled", admitted_at: "2026-06-13T09:00:00Z" })).tone, "already");
  assert.deepEqual(localView(ticket({ status: "cancelled" })), {
    tone: "refused",
    message: TEXT.cancelled,
    ticket: ticket({ status: "cancelled" }),
    sound: "refused",
    overridable: true,
  });
  const waiting = localView(ticket({ status: "waiting" }));
  assert.equal(waiting.tone, "waiting");
  assert.equal(waiting.overridable, true);
  assert.equal(waiting.admit, undefined);
  const odd = localView(ticket({ status: "" }));
  assert.deepEqual([odd.tone, odd.message, odd.overridable], ["refused", TEXT.badStatus, undefined]);
});

test("found by name: the photo ID to check with care", () => {
  assert.equal(checkView(ticket(), "search").detail, TEXT.checkFromSearch);
  assert.equal(checkView(ticket(), "camera").detail, "");
});

test("the person from the server's answer, completed by the phone's ticket", () => {
  assert.deepEqual(personFrom({ last_name: "Martin", category: "staff" }, ticket()), ticket({ last_name: "Martin", category: "staff" }));
  assert.deepEqual(personFrom({ first_name: "Paul" }, null), { first_name: "Paul", last_name: "", organisation: "", category: "" });
  assert.equal(personFrom({}, null), null);
  assert.equal(personFrom({ last_name: 3 }, null), null);
});

test("the server's verdicts", () => {
  const local = ticket();
  const view = (verdict, extra = {}, mode = "admit", own = local) => viewFromResult({ verdict, ...extra }, own, mode);
  assert.deepEqual(view("admitted"), { tone: "admitted", message: TEXT.admitted, ticket: local, sound: "admitted" });
  const already = view("already_admitted", { admitted_at: "2026-06-13T09:00:00Z", admitted_by_device: "Poste 2", conflict: true });
  assert.equal(already.tone, "already");
  assert.equal(
    already.detail,
    `${TEXT.admittedWhen(formatWhen("2026-06-13T09:00:00Z"), "Poste 2")} ${TEXT.conflictDetail}`
  );
  assert.equal(view("already_admitted", { admitted_at: "2026-06-13T09:00:00Z" }).detail.includes(TEXT.conflictDetail), false);
  assert.deepEqual([view("cancelled").tone, view("cancelled").overridable], ["refused", true]);
  assert.deepEqual([view("waiting").tone, view("waiting").overridable], ["waiting", true]);
  assert.deepEqual(view("unknown"), { tone: "refused", message: TEXT.unknown, sound: "refused" });
  assert.deepEqual(view("other_event"), { tone: "refused", message: TEXT.otherEvent, sound: "refused" });
  assert.deepEqual(view("device_revoked", { message: "Révoqué." }), {
    tone: "refused",
    message: TEXT.deviceRevoked,
    detail: "Révoqué.",
    sound: "refused",
  });
  // id_not_checked: the answer to a probe (a valid ticket), a refusal to an admission
  assert.equal(view("id_not_checked", {}, "probe").admit, "enabled");
  assert.deepEqual(view("id_not_checked"), { tone: "waiting", message: TEXT.idNotChecked, ticket: local, sound: "refused" });
  assert.deepEqual(view("something_new", { message: "Nouveau." }), {
    tone: "refused",
    message: "Nouveau.",
    ticket: local,
    sound: "refused",
  });
  assert.equal(view("something_new").message, TEXT.unexpected);
  // a refusal names the person when the server does
  assert.equal(view("cancelled", { last_name: "Martin" }, "admit", null).ticket.last_name, "Martin");
});

test("verdicts that refuse an entry made offline", () => {
  assert.deepEqual(
    [...REFUSALS].sort(),
    ["cancelled", "device_revoked", "id_not_checked", "other_event", "unknown", "waiting"]
  );
  assert.ok(!REFUSALS.has("admitted") && !REFUSALS.has("already_admitted"));
});

test("outside the door's hours the phone refuses on its own", () => {
  const door = {
    opensAt: new Date("2026-06-13T06:00:00Z"),
    closesAt: new Date("2026-06-13T20:00:00Z"),
    before: "Pas aujourd’hui — avant",
    after: "Pas aujourd’hui — après",
  };
  const person = ticket();
  assert.equal(closedView(person, door, new Date("2026-06-13T06:00:00Z")), null);
  assert.equal(closedView(person, door, new Date("2026-06-13T20:00:00Z")), null);
  assert.deepEqual(closedView(person, door, new Date("2026-06-12T20:00:00Z")), {
    tone: "refused",
    message: door.before,
    ticket: person,
    sound: "refused",
    overridable: true,
  });
  const after = closedView(null, door, new Date("2026-06-14T08:00:00Z"));
  assert.deepEqual([after.message, after.overridable], [door.after, false]);
  // unknown hours: never closed
  assert.equal(closedView(person, { ...door, opensAt: new Date("") }, new Date(0)), null);
  assert.equal(closedView(person, { opensAt: null, closesAt: null }, new Date(0)), null);
});

test("a detail added to a view", () => {
  assert.equal(withDetail({ detail: "Un." }, "Deux.").detail, "Un. Deux.");
  assert.equal(withDetail({}, "Deux.").detail, "Deux.");
  assert.equal(withDetail({ detail: "Un." }, "").detail, "Un.");
});
