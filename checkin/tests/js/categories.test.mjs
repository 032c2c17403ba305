// Category labels and colours, from the server's data in the page.
import assert from "node:assert/strict";
import test from "node:test";

import { parseCategories, readCategories } from "../../static/checkin/door/categories.js";

const DATA = {
  labels: { press: "presse", other: "autre" },
  colours: { press: "#b0306a", other: "#6b7280", staff: "red; background: url(x)" },
  fallback: "other",
};

test("labels and colours of known categories", () => {
  const categories = parseCategories(DATA);
  assert.equal(categories.label("press"), "presse");
  assert.equal(categories.colour("press"), "#b0306a");
});

test("an unknown category reads as itself and takes the fallback's colour", () => {
  const categories = parseCategories(DATA);
  assert.equal(categories.label("martian"), "martian");
  assert.equal(categories.label(""), "");
  assert.equal(categories.colour("martian"), "#6b7280");
  assert.equal(categories.colour(""), "#6b7280");
  assert.equal(categories.label("toString"), "toString"); // own keys only
  assert.equal(categories.colour("staff"), "#6b7280"); // not a colour: not used
});

test("no data: plain labels, no colour", () => {
  for (const data of [null, {}, { labels: null, colours: 3 }]) {
    const categories = parseCategories(data);
    assert.equal(categories.label("press"), "press");
    assert.equal(categories.colour("press"), "");
  }
});

test("read from the page's JSON script, or nothing when it is missing or broken", () => {
  const page = (text) => ({ getElementById: (id) => (id === "door-categories" && text !== null ? { textContent: text } : null) });
  assert.equal(readCategories(page(JSON.stringify(DATA))).label("press"), "presse");
  assert.equal(readCategories(page("{not json")).label("press"), "press");
  assert.equal(readCategories(page(null)).colour("press"), "");
  assert.equal(readCategories(undefined).label("press"), "press");
});
