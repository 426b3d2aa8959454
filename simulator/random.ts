/**
 * A small seeded pseudo-random generator, so a simulation run (latency samples, fault dice) can be
 * replayed exactly from its seed. Not for cryptography: ids and keys use node:crypto.
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's "small fast counter", from PractRand), with its 128-bit
 * state filled from the seed by splitmix32 so that nearby seeds (1, 2, 3…) give unrelated sequences.
 */
import { InvalidArgumentError } from '../core/errors.js';

export interface Random {
  /** Next number in [0, 1), uniformly distributed. */
  next(): number;
}

/** Same seed, same sequence. The seed may be any finite number; its integer part is used. */
export function createRandom(seed: number): Random {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new InvalidArgumentError(`seed must be a finite number, got ${String(seed)}`);
  }
  // Fold the high bits in, so seeds that differ only above 2^32 (e.g. timestamps) still differ.
  const whole = Math.trunc(seed);
  let mix = (whole >>> 0) ^ Math.trunc(whole / 0x1_0000_0000);
  const splitmix32 = (): number => {
    mix = (mix + 0x9e3779b9) | 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix32();
  let b = splitmix32();
  let c = splitmix32();
  let d = splitmix32();

  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 0x1_0000_0000;
  };
  // Discard the first outputs: sfc32's author recommends mixing the state before use.
  for (let i = 0; i < 12; i++) next();
  return { next };
}
