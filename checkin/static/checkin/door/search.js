/* ptce door — finding a person by name in the phone's list: folding (accents, case,
 * punctuation), edit distance with one typo allowed, ranking. Pure: tested by node. */

import { SETTINGS } from "./settings.js";
import { LANGUAGE } from "./texts.js";

/** Accent-, case- and punctuation-insensitive form of a name: "Lefèvre-D'Arc" → "lefevre d arc". */
export function fold(value) {
  return String(value == null ? "" : value)
    .replace(/[œŒ]/g, "oe")
    .replace(/[æÆ]/g, "ae")
    .replace(/ß/g, "ss")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export function words(folded) {
  return folded.split(" ").filter(Boolean);
}

/**
 * Last row of the edit-distance table of `a` against `b` (insert, delete, substitute and
 * swap of two neighbours, each costing 1), or null as soon as every value exceeds `max`.
 * row[j] is the distance between `a` and the first j characters of `b`.
 */
function distanceRow(a, b, max) {
  let before = null;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = new Array(b.length + 1);
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, before[j - 2] + 1);
      }
      row[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return null; // row minima never decrease: give up early
    before = previous;
    previous = row;
  }
  return previous;
}

/** Edit distance between a and b (capped: anything above `max` is reported as max + 1). */
export function editDistance(a, b, max = Infinity) {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const row = distanceRow(a, b, max);
  return row ? Math.min(row[b.length], max + 1) : max + 1;
}

/** Edit distance between `query` and the closest start of `name` ("lefevr" vs "lefebvre" → 1). */
export function prefixDistance(query, name, max = Infinity) {
  const row = distanceRow(query, name, max);
  return row ? Math.min(Math.min(...row), max + 1) : max + 1;
}

/** What the search compares, computed once per ticket. */
export function indexEntry(ticket) {
  const last = fold(ticket.last_name);
  const first = fold(ticket.first_name);
  const lastWords = words(last);
  const lastCompact = lastWords.join("");
  const firstWords = words(first);
  return {
    ticket,
    lastCompact,
    lastWords,
    lastCandidates: [...new Set([lastCompact, ...lastWords])],
    firstCompact: firstWords.join(""),
    firstWords,
  };
}

/**
 * Rank of one folded query word against an entry: 0 start of the last name, 1 start of
 * the first name, 2 last name with one typo, 3 start of the last name with one typo;
 * Infinity when it does not match.
 */
export function matchWord(entry, word) {
  const startsWith = (text) => text.startsWith(word);
  if (startsWith(entry.lastCompact) || entry.lastWords.some(startsWith)) return 0;
  if (startsWith(entry.firstCompact) || entry.firstWords.some(startsWith)) return 1;
  if (
    word.length >= SETTINGS.fuzzyWordMin &&
    entry.lastCandidates.some((name) => editDistance(word, name, 1) <= 1)
  ) {
    return 2;
  }
  if (
    word.length >= SETTINGS.fuzzyPrefixMin &&
    entry.lastCandidates.some((name) => prefixDistance(word, name, 1) <= 1)
  ) {
    return 3;
  }
  return Infinity;
}

const collator = new Intl.Collator(LANGUAGE, { sensitivity: "base" });

/**
 * Search entries by name. Several words must each match (in any order: "marie lefe");
 * the words glued together are also tried ("delafon" finds "de La Fontaine").
 */
export function searchTickets(entriesIterable, query, limit = SETTINGS.searchMax) {
  const queryWords = words(fold(query));
  const compact = queryWords.join("");
  if (compact.length < SETTINGS.searchMin) return { results: [], total: 0 };
  const found = [];
  for (const entry of entriesIterable) {
    let rank = matchWord(entry, compact);
    if (queryWords.length > 1) {
      rank = Math.min(rank, Math.max(...queryWords.map((word) => matchWord(entry, word))));
    }
    if (rank !== Infinity) found.push({ entry, rank });
  }
  found.sort(
    (x, y) =>
      x.rank - y.rank ||
      collator.compare(x.entry.ticket.last_name || "", y.entry.ticket.last_name || "") ||
      collator.compare(x.entry.ticket.first_name || "", y.entry.ticket.first_name || "")
  );
  return { results: found.slice(0, limit), total: found.length };
}
