/**
 * Reproducible recipient populations, the same for the same seed.
 *
 * - APNs: token i is sha256("pushsim:<seed>:<i>") in hex, the 64 hex characters of a real device token.
 * - FCM: registration tokens shaped like real ones (`<instance id>:APA91b<~134 characters>`, base64url).
 * - Web Push: subscriptions are made by the mock (it keeps their private keys), so only *which* of
 *   them expire is decided here, by index.
 *
 * A recipient is dead (unregistered / expired) when a second hash of it falls under the ratio, so the
 * same seed always marks the same ones.
 */
import { createHash } from 'node:crypto';

export interface TokenPopulation {
  readonly tokens: readonly string[];
  readonly unregistered: readonly string[];
}

/**
 * The last population made per provider (by count and seed) and its dead ones (by ratio), kept:
 * `tune` builds the same population for each of its variants — for APNs two sha256 per token, for
 * FCM four hashes, ~0.4–0.8 s for 100,000, as much CPU as a simulated minute at 1,000/s. One
 * population per provider, so at most one each is held beyond its run.
 */
const lastPopulation = new Map<'apns' | 'fcm', { readonly key: string; readonly tokens: readonly string[]; readonly dead: Map<number, readonly string[]> }>();

function kept(provider: 'apns' | 'fcm', count: number, unregisteredRatio: number, seed: number, tokenAt: (i: number) => string): TokenPopulation {
  const key = `${count}:${seed}`;
  let last = lastPopulation.get(provider);
  if (last?.key !== key) {
    last = { key, tokens: Object.freeze(Array.from({ length: count }, (_, i) => tokenAt(i))), dead: new Map() };
    lastPopulation.set(provider, last);
  }
  const { tokens, dead } = last;
  let unregistered = dead.get(unregisteredRatio);
  if (unregistered === undefined) {
    unregistered = Object.freeze(unregisteredRatio > 0 ? tokens.filter((token) => isDead(token, unregisteredRatio)) : []);
    dead.set(unregisteredRatio, unregistered);
  }
  return { tokens, unregistered };
}

export function makeTokens(count: number, unregisteredRatio: number, seed: number): TokenPopulation {
  return kept('apns', count, unregisteredRatio, seed, (i) => createHash('sha256').update(`pushsim:${seed}:${i}`).digest('hex'));
}

export function makeFcmTokens(count: number, unregisteredRatio: number, seed: number): TokenPopulation {
  return kept('fcm', count, unregisteredRatio, seed, (i) => {
    const instance = createHash('sha256').update(`pushsim-fcm-instance:${seed}:${i}`).digest('base64url').slice(0, 11);
    const body = createHash('sha512').update(`pushsim-fcm:${seed}:${i}`).digest('base64url') + createHash('sha512').update(`pushsim-fcm2:${seed}:${i}`).digest('base64url');
    return `${instance}:APA91b${body.slice(0, 134)}`;
  });
}

/** Indices (ascending) of the recipients out of `count` that are dead, for populations made elsewhere. */
export function deadIndices(count: number, ratio: number, seed: number): number[] {
  const dead: number[] = [];
  for (let i = 0; i < count; i++) {
    if (isDead(`pushsim-expired:${seed}:${i}`, ratio)) dead.push(i);
  }
  return dead;
}

function isDead(id: string, ratio: number): boolean {
  return createHash('sha256').update(`unregistered:${id}`).digest().readUInt32BE(0) / 0x1_0000_0000 < ratio;
}
