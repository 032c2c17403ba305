/* ptce door — SHA-256 of a ticket's code, as the server lists it ("h": Python's
 * hashlib.sha256 of the UTF-8 text).
 *
 * crypto.subtle only exists on HTTPS or localhost: on a LAN served over plain HTTP the
 * phone uses the fallback below, which decides "found by name" offline. Pure: tested by
 * node against FIPS 180-4's vectors and Python's hashlib (checkin/tests/js/).
 */

// Constants: the fractional parts of the square and cube roots of the first primes
// (FIPS 180-4).
let sha256Constants = null;

function sha256Tables() {
  if (sha256Constants) return sha256Constants;
  const primes = [];
  for (let n = 2; primes.length < 64; n += 1) {
    if (primes.every((p) => n % p !== 0)) primes.push(n);
  }
  const frac = (x) => ((x - Math.floor(x)) * 2 ** 32) >>> 0;
  sha256Constants = {
    init: Uint32Array.from(primes.slice(0, 8), (p) => frac(Math.sqrt(p))),
    k: Uint32Array.from(primes, (p) => frac(Math.cbrt(p))),
  };
  return sha256Constants;
}

/** The 32-byte SHA-256 digest of `bytes` (a Uint8Array), without crypto.subtle. */
export function sha256Bytes(bytes) {
  const { init, k } = sha256Tables();
  const length = bytes.length;
  const padded = new Uint8Array((((length + 9 + 63) >> 6) << 6));
  padded.set(bytes);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(length / 2 ** 29));
  view.setUint32(padded.length - 4, (length << 3) >>> 0);
  const hash = Uint32Array.from(init);
  const w = new Uint32Array(64);
  const ror = (x, n) => (x >>> n) | (x << (32 - n));
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i += 1) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 64; i += 1) {
      const s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let [a, b, c, d, e, f, g, h] = hash;
    for (let i = 0; i < 64; i += 1) {
      const t1 = (h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i]) | 0;
      const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    [a, b, c, d, e, f, g, h].forEach((value, i) => {
      hash[i] = (hash[i] + value) | 0;
    });
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  hash.forEach((value, i) => outView.setUint32(i * 4, value));
  return out;
}

export function toHex(bytes) {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Hex SHA-256 of the UTF-8 text, without crypto.subtle (plain-HTTP LANs). */
export function sha256HexFallback(text) {
  return toHex(sha256Bytes(new TextEncoder().encode(text)));
}

/** Hex SHA-256 of the UTF-8 text: what the server lists as "h" (Python's hashlib.sha256). */
export async function sha256Hex(text) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (subtle && typeof subtle.digest === "function") {
    const bytes = new TextEncoder().encode(text);
    return toHex(new Uint8Array(await subtle.digest("SHA-256", bytes)));
  }
  return sha256HexFallback(text);
}
