/**
 * A reproducible device-token population: token i is sha256("pushsim:<seed>:<i>") in hex, which has
 * the 64 hex characters of a real APNs device token. A token is unregistered when a second hash of
 * it falls under the unregistered ratio, so the same seed always marks the same tokens.
 */
import { createHash } from 'node:crypto';

export interface TokenPopulation {
  readonly tokens: readonly string[];
  readonly unregistered: readonly string[];
}

export function makeTokens(count: number, unregisteredRatio: number, seed: number): TokenPopulation {
  const tokens: string[] = [];
  const unregistered: string[] = [];
  for (let i = 0; i < count; i++) {
    const token = createHash('sha256').update(`pushsim:${seed}:${i}`).digest('hex');
    tokens.push(token);
    const draw = createHash('sha256').update(`unregistered:${token}`).digest().readUInt32BE(0) / 0x1_0000_0000;
    if (draw < unregisteredRatio) unregistered.push(token);
  }
  return { tokens, unregistered };
}
