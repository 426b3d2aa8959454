/**
 * Deterministic dice, keyed by *what* is being decided rather than by arrival order: a fault's roll
 * for a request depends only on (seed, fault id, token, attempt). So the same seed and the same
 * traffic inject the same faults on the same notifications even when concurrent requests to
 * different tokens arrive in a different order. Not cryptographic.
 *
 * Keys are mixed with murmur3's fmix32; each keyed stream then runs splitmix32 (as simulator/random.ts
 * does to fill sfc32's state), which is plenty for dice and cheap enough for every request.
 */
import type { Random } from '../random.js';

export interface Dice extends Random {
  /** Re-keys the stream; the next `next()` is the first number for this key. */
  rekey(key: number): Dice;
}

export function createDice(): Dice {
  let state = 0;
  const dice: Dice = {
    rekey(key: number) {
      state = key | 0;
      return dice;
    },
    next() {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return ((z ^ (z >>> 16)) >>> 0) / 0x1_0000_0000;
    },
  };
  return dice;
}

/** Mixes `value` into hash `h` (murmur3 fmix32 of the xor). */
export function mixKey(h: number, value: number): number {
  let z = (h ^ Math.imul(value | 0, 0xcc9e2d51)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

/** FNV-1a over the UTF-16 code units; tokens are ASCII, so this is their bytes. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Seeds of any size fold into 32 bits the way simulator/random.ts folds them. */
export function seedKey(seed: number): number {
  const whole = Math.trunc(seed);
  return ((whole >>> 0) ^ Math.trunc(whole / 0x1_0000_0000)) | 0;
}
