/**
 * The provider mix of a scenario: which share of notifications goes to APNs, FCM and Web Push.
 * Config (weights, validated with every problem listed) and runtime (the assignment) are separate,
 * as for executors.
 *
 *   mix: { apns: 0.6, fcm: 0.3, webpush: 0.1 }   →   notification i ─► providerOf(i)
 *
 * The assignment is a pure function of (seed, i): the same seed sends the same notifications to the
 * same providers, whatever order the outcomes come back in and wherever a run is stopped.
 */
import type { Provider } from '../core/reasons.js';

export const mixProviders: readonly Provider[] = ['apns', 'fcm', 'webpush'];

/** Weights per provider (any scale: they are normalized). A provider left out gets nothing. */
export type ProviderMix = Readonly<Partial<Record<Provider, number>>>;

/**
 * Every problem of a mix for a target that runs `providers`. Without a mix every provider of the
 * target gets an equal share; with one, each of them needs a weight (0 sends it nothing), so a
 * forgotten provider is an error rather than a silent 0.
 */
export function validateMix(mix: ProviderMix | undefined, providers: readonly Provider[], providersPath: string, remedy = 'add it there or remove its weight'): string[] {
  if (mix === undefined) return [];
  if (typeof mix !== 'object' || mix === null || Array.isArray(mix)) return [`mix must be an object of weights such as { apns: 0.6, fcm: 0.3, webpush: 0.1 }, got ${JSON.stringify(mix)}`];
  const problems: string[] = [];
  let sum = 0;
  for (const [name, weight] of Object.entries(mix) as [string, unknown][]) {
    if (!(mixProviders as readonly string[]).includes(name)) {
      problems.push(`mix.${name}: unknown provider; the mix takes ${mixProviders.join(', ')}`);
      continue;
    }
    if (!providers.includes(name as Provider)) {
      problems.push(`mix.${name}: ${name} is not in ${providersPath} (${providers.join(', ')}); ${remedy}`);
    }
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      problems.push(`mix.${name} must be a weight ≥ 0, got ${typeof weight === 'number' ? String(weight) : JSON.stringify(weight)}`);
    } else {
      sum += weight;
    }
  }
  for (const provider of providers) {
    if (!Object.hasOwn(mix, provider)) problems.push(`mix has no weight for ${provider}, which ${providersPath} names; give it one (0 sends it nothing) or remove it from ${providersPath}`);
  }
  if (problems.length === 0 && sum <= 0) problems.push('mix: the weights add up to 0; give at least one provider a weight > 0');
  return problems;
}

/** Each provider's share, from 0 to 1, in `providers` order; only call on a valid mix. */
export function mixShares(mix: ProviderMix | undefined, providers: readonly Provider[]): ReadonlyMap<Provider, number> {
  const weights = providers.map((p) => (mix === undefined ? 1 : (mix[p] ?? 0)));
  const sum = weights.reduce((a, b) => a + b, 0);
  return new Map(providers.map((p, i) => [p, (weights[i] ?? 0) / sum]));
}

/** "apns 60 % · fcm 30 % · webpush 10 %", for the banner. */
export function describeMix(shares: ReadonlyMap<Provider, number>): string {
  return [...shares].map(([p, share]) => `${p} ${+(share * 100).toFixed(1)} %`).join(' · ');
}

/**
 * Assigns notification `index` to a provider: a seeded hash of the index falls into one provider's
 * slice of [0, 1). Stateless, so no sequence has to be replayed to know where notification i went.
 */
export function createProviderAssignment(shares: ReadonlyMap<Provider, number>, seed: number): (index: number) => Provider {
  const slices: { readonly provider: Provider; readonly upTo: number }[] = [];
  let upTo = 0;
  for (const [provider, share] of shares) {
    if (share <= 0) continue;
    upTo += share;
    slices.push({ provider, upTo });
  }
  const last = slices[slices.length - 1];
  if (last === undefined) throw new Error('createProviderAssignment needs a provider with a share > 0');
  if (slices.length === 1) return () => last.provider;
  const seedHash = fmix32(foldSeed(seed));
  return (index) => {
    const draw = unitHash(seedHash, index);
    // The last slice takes whatever rounding leaves above its `upTo`.
    return (slices.find((s) => draw < s.upTo) ?? last).provider;
  };
}

/** A uniform number in [0, 1) from (seed hash, index): splitmix32's finalizer over a Weyl sequence. */
function unitHash(seedHash: number, index: number): number {
  return fmix32((seedHash + Math.imul(index, 0x9e3779b9)) | 0) / 0x1_0000_0000;
}

function fmix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Seeds that differ only above 2^32 still differ (as simulator/random.ts does). */
function foldSeed(seed: number): number {
  const whole = Math.trunc(seed);
  return (whole >>> 0) ^ Math.trunc(whole / 0x1_0000_0000);
}

/**
 * How many recipients each provider gets out of `count`: its share, at least 1 when its share is
 * above 0 (so a small population still reaches every provider it weighs), 0 otherwise.
 */
export function populationSizes(count: number, shares: ReadonlyMap<Provider, number>): ReadonlyMap<Provider, number> {
  return new Map([...shares].map(([p, share]) => [p, share > 0 ? Math.max(1, Math.round(count * share)) : 0]));
}

/** Where one notification goes: its provider, and its position among that provider's notifications in the whole run. */
export interface Recipient {
  readonly provider: Provider;
  /** The lane sends it to recipient `position mod recipients` (lanes.ts). */
  readonly position: number;
}

/**
 * Where notification `index` goes, from the index alone: its provider (`createProviderAssignment`)
 * and how many notifications of the whole run went to that provider before it. A shard that sends
 * every Nth notification (shard.ts) counts the providers of the indices it skips, so each of its
 * notifications reaches the recipient, and carries the sequence number, it has in the whole run.
 * Indices are expected in increasing order, as the executors fire them; an earlier one recounts
 * from 0.
 */
export function createRecipientSequence(shares: ReadonlyMap<Provider, number>, seed: number): (index: number) => Recipient {
  const providerOf = createProviderAssignment(shares, seed);
  const providers = [...shares].filter(([, share]) => share > 0);
  const [only] = providers;
  if (providers.length === 1 && only !== undefined) return (index) => ({ provider: only[0], position: index });
  const before = new Map<Provider, number>();
  let counted = 0;
  return (index) => {
    if (index < counted) {
      before.clear();
      counted = 0;
    }
    for (; counted < index; counted++) {
      const p = providerOf(counted);
      before.set(p, (before.get(p) ?? 0) + 1);
    }
    const provider = providerOf(index);
    const position = before.get(provider) ?? 0;
    before.set(provider, position + 1);
    counted = index + 1;
    return { provider, position };
  };
}
