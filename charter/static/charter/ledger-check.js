/* ptce — check the charter's chained register in the visitor's own browser.
 *
 * Fetches /charte/registre.json, recomputes every digest with WebCrypto exactly as the
 * server does (charter/ledger.py):
 *   digest = SHA-256( previous digest + "\n" + canonical JSON of the entry's payload )
 * where the canonical JSON has its keys sorted (by code point), no spaces, and is UTF-8
 * (Python's json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)).
 * The last digest is compared with the one printed on the page — not with the one inside
 * the file, which whoever altered the file could have recomputed.
 * No inline code (CSP); the messages are the page's (French) data attributes. */

const GENESIS = "0".repeat(64);

function byCodePoint(a, b) {
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

/** The same bytes as Python's json.dumps(sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False): both escape only '"', '\\' and the controls below U+0020
 * (with the same short forms and lower-case \u00xx). */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort(byCodePoint);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isInteger(value)) {
    throw new TypeError("non-integer numbers are not part of the register");
  }
  return JSON.stringify(value);
}

async function sha256(text) {
  const bytes = new TextEncoder().encode(text);
  const hash = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Recompute the chain as charter/ledger.py's verify() does: each entry follows the one
 * before it (its number, and the digest it names as previous), its digest is recomputed
 * from its content, and the last digest is the published one.
 * Returns {count, last, digests, problems: [{kind, sequence}]}. */
export async function recompute(entries) {
  const problems = [];
  const digests = [];
  let previous = GENESIS;
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index] || {};
    const expected = index + 1;
    if (entry.sequence !== expected || entry.previous !== previous) {
      problems.push({ kind: "order", sequence: expected });
    }
    const computed = await sha256(`${previous}\n${canonical(entry.payload ?? {})}`);
    if (computed !== entry.digest) problems.push({ kind: "entry", sequence: expected });
    digests.push(String(entry.digest || ""));
    previous = String(entry.digest || "");
  }
  return { count: entries.length, last: previous, digests, problems };
}

function fill(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

function say(box, lines, ok) {
  box.replaceChildren();
  lines.forEach((line, index) => {
    const p = document.createElement("p");
    p.textContent = line;
    if (index === 0) p.className = `ledger-result ${ok ? "ok" : "bad"}`;
    box.append(p);
  });
  box.dataset.outcome = ok ? "ok" : "bad";
}

async function check(root, box, kept) {
  const text = root.dataset;
  if (!(window.crypto && crypto.subtle)) {
    say(box, [text.noCrypto], false);
    return;
  }
  say(box, [text.running], true);
  delete box.dataset.outcome;
  let data;
  try {
    const response = await fetch(root.dataset.ledgerUrl, {
      cache: "no-store",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(String(response.status));
    data = await response.json();
  } catch {
    say(box, [text.unreadable], false);
    return;
  }
  let result;
  try {
    result = await recompute(Array.isArray(data.entries) ? data.entries : []);
  } catch {
    say(box, [text.unreadable], false);
    return;
  }
  const published = root.dataset.digest;
  const lines = [];
  const ok = result.problems.length === 0 && result.last === published;
  if (ok) {
    lines.push(fill(result.count === 1 ? text.okOne : text.okMany, { count: result.count }));
    lines.push(text.checked);
  } else {
    lines.push(text.bad);
    result.problems.slice(0, 5).forEach((problem) => {
      const template = problem.kind === "order" ? text.badOrder : text.badEntry;
      lines.push(fill(template, { sequence: problem.sequence }));
    });
    if (result.last !== published) lines.push(text.badLast);
  }
  const wanted = (kept || "").trim().toLowerCase();
  if (wanted) {
    const at = result.digests.indexOf(wanted);
    lines.push(at >= 0 ? fill(text.keptFound, { sequence: at + 1 }) : text.keptMissing);
  }
  say(box, lines, ok);
}

const root = document.getElementById("ledger-check");
if (root) {
  const form = document.getElementById("ledger-check-form");
  const box = document.getElementById("ledger-result");
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    check(root, box, form.elements.kept.value);
  });
}
