// The SHA-256 fallback (no crypto.subtle: a LAN served over plain HTTP) against FIPS 180-4's
// examples and node's own SHA-256; checkin/tests/test_door_modules.py compares it with
// Python's hashlib.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import test from "node:test";

import { sha256Bytes, sha256Hex, sha256HexFallback, toHex } from "../../static/checkin/door/sha256.js";

const FIPS = [
  ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  [
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  ],
  [
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
  ],
];

test("FIPS 180-4 examples", () => {
  for (const [message, digest] of FIPS) assert.equal(sha256HexFallback(message), digest, message);
});

test("one million times 'a'", () => {
  assert.equal(
    sha256HexFallback("a".repeat(1_000_000)),
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
  );
});

test("every length across the padding boundaries (55, 56, 63, 64 bytes…)", () => {
  for (let length = 0; length <= 200; length += 1) {
    const bytes = randomBytes(length);
    assert.equal(toHex(sha256Bytes(new Uint8Array(bytes))), createHash("sha256").update(bytes).digest("hex"), `${length} bytes`);
  }
});

test("UTF-8 text, as the server hashes the ticket's code", () => {
  for (const text of ["é", "Zoé Lefèvre", "Œuvre ß", "日本語", "👩🏽‍💻 ticket", "\u0000\uffff", "a\u0301"]) {
    assert.equal(sha256HexFallback(text), createHash("sha256").update(text, "utf8").digest("hex"), text);
  }
});

test("sha256Hex: crypto.subtle when there is one, the fallback otherwise, the same answer", async (t) => {
  const text = "v1.K7MXQ4TR.signé";
  const expected = createHash("sha256").update(text, "utf8").digest("hex");
  assert.equal(await sha256Hex(text), expected);
  const original = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  let digests = 0;
  Object.defineProperty(globalThis, "crypto", { configurable: true, value: {} });
  t.after(() => Object.defineProperty(globalThis, "crypto", original));
  assert.equal(await sha256Hex(text), expected);
  Object.defineProperty(globalThis, "crypto", {
    configurable: true,
    value: {
      subtle: {
        digest: async (_name, bytes) => {
          digests += 1;
          return createHash("sha256").update(bytes).digest().buffer;
        },
      },
    },
  });
  assert.equal(await sha256Hex(text), expected);
  assert.equal(digests, 1);
});
