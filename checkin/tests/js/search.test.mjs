// Finding a person by name on the phone: folding, edit distance, ranking.
import assert from "node:assert/strict";
import test from "node:test";

import {
  editDistance,
  fold,
  indexEntry,
  matchWord,
  prefixDistance,
  searchTickets,
} from "../../static/checkin/door/search.js";

const people = [
  ["Hélène", "Lefèvre"],
  ["Marie", "Lefebvre"],
  ["Jean", "de La Fontaine"],
  ["Zoé", "N'Diaye-Lefèvre"],
  ["Paul", "Martin"],
  ["Martine", "Dupont"],
  ["Œdipe", "Cœurdelion"],
].map(([first_name, last_name], i) => indexEntry({ h: String(i), first_name, last_name }));

const names = (query, limit) =>
  searchTickets(people, query, limit).results.map(({ entry }) => entry.ticket.last_name);

test("fold: accents, case, ligatures and punctuation", () => {
  assert.equal(fold("Lefèvre-D'Arc"), "lefevre d arc");
  assert.equal(fold("  ŒUVRE  Æsop ß "), "oeuvre aesop ss");
  assert.equal(fold("N’Diaye—Lefèvre"), "n diaye lefevre");
  assert.equal(fold("Zoë 2e"), "zoe 2e");
  assert.equal(fold(null), "");
  assert.equal(fold(undefined), "");
  assert.equal(fold(42), "42");
});

test("edit distance: insertions, deletions, substitutions, swaps of neighbours", () => {
  assert.equal(editDistance("martin", "martin"), 0);
  assert.equal(editDistance("martn", "martin"), 1);
  assert.equal(editDistance("marin", "martin"), 1);
  assert.equal(editDistance("mratin", "martin"), 1); // a swap is one edit
  assert.equal(editDistance("matrin", "martin"), 1);
  assert.equal(editDistance("lefevre", "lefebvre"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("dupont", "martin", 1), 2); // capped at max + 1
  assert.equal(editDistance("a", "abcdef", 2), 3);
});

test("prefix distance: against the closest start of the name", () => {
  assert.equal(prefixDistance("lefevr", "lefebvre"), 1);
  assert.equal(prefixDistance("lef", "lefebvre"), 0);
  assert.equal(prefixDistance("xyz", "lefebvre", 1), 2);
});

test("rank of a word: last name, first name, one typo, one typo in the start", () => {
  const entry = indexEntry({ first_name: "Hélène", last_name: "Lefèvre" });
  assert.equal(matchWord(entry, "lef"), 0);
  assert.equal(matchWord(entry, "hel"), 1);
  assert.equal(matchWord(entry, "lefevbre"), 2);
  assert.equal(matchWord(entry, "lefv"), 3);
  assert.equal(matchWord(entry, "lfv"), Infinity); // too short for a typo in the start
  assert.equal(matchWord(entry, "dupont"), Infinity);
  // one typo from 3 letters on against a whole name, from 4 against its start
  const short = indexEntry({ first_name: "", last_name: "Ba" });
  assert.equal(matchWord(short, "ab"), Infinity);
  assert.equal(matchWord(indexEntry({ first_name: "", last_name: "Bal" }), "bla"), 2);
});

test("search: accents and case do not matter, last names first", () => {
  assert.deepEqual(names("lefevre"), ["Lefèvre", "N'Diaye-Lefèvre", "Lefebvre"]);
  assert.deepEqual(names("LEFÈVRE"), names("lefevre"));
  assert.deepEqual(names("mart"), ["Martin", "Dupont"]); // a last name before a first name
});

test("search: several words in any order, or glued together", () => {
  assert.deepEqual(names("marie lefe"), ["Lefebvre"]);
  assert.deepEqual(names("lefe marie"), ["Lefebvre"]);
  assert.deepEqual(names("delafon"), ["de La Fontaine"]);
  assert.deepEqual(names("la fontaine"), ["de La Fontaine"]);
  assert.deepEqual(names("fontaine"), ["de La Fontaine"]);
  assert.deepEqual(names("diaye"), ["N'Diaye-Lefèvre"]);
  assert.deepEqual(names("coeur"), ["Cœurdelion"]);
});

test("search: one typo is forgiven", () => {
  assert.deepEqual(names("matrin"), ["Martin"]);
  assert.deepEqual(names("dupnot"), ["Dupont"]);
  assert.deepEqual(names("xyzzy"), []);
});

test("search: two letters at least, and a limit with the total", () => {
  assert.deepEqual(searchTickets(people, "l"), { results: [], total: 0 });
  assert.deepEqual(searchTickets(people, " - "), { results: [], total: 0 });
  const { results, total } = searchTickets(people, "lefevre", 2);
  assert.equal(results.length, 2);
  assert.equal(total, 3);
  assert.ok(results.every(({ rank }) => rank === 0));
});
