/**
 * A 64-bit string hash kept as two 32-bit lanes, allocating nothing: cyrb53 (bryc, public domain)
 * with both lanes kept whole. For tables keyed by a hash instead of the string (the ledger's
 * identities, simulator/ledger/identities.ts), where a Map would hold millions of strings.
 *
 * A hash over several parts runs startHash64, then addString64 / addBytes64 / addCode64 per part,
 * then finishHash64.
 */

/** The two halves of the last hash finished; read right after the call that wrote them. */
export const hash64 = { hi: 0, lo: 0 };

/** The lanes of the hash being made. */
let h1 = 0;
let h2 = 0;

export function startHash64(seed: number): void {
  h1 = 0xdeadbeef ^ seed;
  h2 = 0x41c6ce57 ^ seed;
}

/** Mixes in `text`'s UTF-16 code units; `lowerCase` folds ASCII A–Z first. */
export function addString64(text: string, lowerCase = false): void {
  let a = h1;
  let b = h2;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (lowerCase && c >= 65 && c <= 90) c += 32;
    a = Math.imul(a ^ c, 2654435761);
    b = Math.imul(b ^ c, 1597334677);
  }
  h1 = a;
  h2 = b;
}

export function addBytes64(bytes: Uint8Array): void {
  let a = h1;
  let b = h2;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    a = Math.imul(a ^ c, 2654435761);
    b = Math.imul(b ^ c, 1597334677);
  }
  h1 = a;
  h2 = b;
}

/** Mixes in one code (0x10000, which no code unit takes, separates parts). */
export function addCode64(code: number): void {
  h1 = Math.imul(h1 ^ code, 2654435761);
  h2 = Math.imul(h2 ^ code, 1597334677);
}

/** cyrb53's final mix into `hash64`; (0, 0), an empty slot's mark, becomes (0, 1) — one hash in 2^64. */
export function finishHash64(): void {
  const a = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  const b = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
  hash64.hi = b >>> 0;
  hash64.lo = (a | (a === 0 && b === 0 ? 1 : 0)) >>> 0;
}
