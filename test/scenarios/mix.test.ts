import { describe, expect, it } from 'vitest';
import type { Provider } from '../../core/reasons.js';
import { createProviderAssignment, createRecipientSequence, describeMix, mixShares, populationSizes, validateMix } from '../../scenarios/mix.js';

const all: readonly Provider[] = ['apns', 'fcm', 'webpush'];

function tally(providerOf: (i: number) => Provider, count: number): Record<Provider, number> {
  const counts: Record<Provider, number> = { apns: 0, fcm: 0, webpush: 0 };
  for (let i = 0; i < count; i++) counts[providerOf(i)]++;
  return counts;
}

describe('validateMix', () => {
  it('accepts weights of any scale for the target providers, and no mix at all', () => {
    expect(validateMix({ apns: 0.6, fcm: 0.3, webpush: 0.1 }, all, 'target.mock')).toEqual([]);
    expect(validateMix({ apns: 6, fcm: 3, webpush: 0 }, all, 'target.mock')).toEqual([]);
    expect(validateMix(undefined, all, 'target.mock')).toEqual([]);
  });

  it('lists every problem: negative and non-numeric weights, providers outside the target, missing weights, unknown names', () => {
    const found = validateMix({ apns: -1, fcm: Number.NaN, webpush: 0.1, hms: 1 } as never, ['apns', 'fcm'], 'target.mock');
    expect(found).toEqual([
      'mix.apns must be a weight ≥ 0, got -1',
      'mix.fcm must be a weight ≥ 0, got NaN',
      expect.stringMatching(/^mix\.webpush: webpush is not in target\.mock \(apns, fcm\)/),
      expect.stringMatching(/^mix\.hms: unknown provider/),
    ]);
    expect(validateMix({ apns: 1 }, all, 'target.mock')).toEqual([expect.stringMatching(/^mix has no weight for fcm/), expect.stringMatching(/^mix has no weight for webpush/)]);
  });

  it('needs a weight above 0 somewhere', () => {
    expect(validateMix({ apns: 0, fcm: 0 }, ['apns', 'fcm'], 'target.mock')).toEqual([expect.stringMatching(/^mix: the weights add up to 0/)]);
  });
});

describe('mix shares and populations', () => {
  it('normalizes weights; without a mix each provider gets an equal share', () => {
    expect([...mixShares({ apns: 6, fcm: 3, webpush: 1 }, all)]).toEqual([['apns', 0.6], ['fcm', 0.3], ['webpush', 0.1]]);
    expect([...mixShares(undefined, ['apns', 'fcm'])]).toEqual([['apns', 0.5], ['fcm', 0.5]]);
    expect(describeMix(mixShares({ apns: 6, fcm: 3, webpush: 1 }, all))).toBe('apns 60 % · fcm 30 % · webpush 10 %');
  });

  it('splits the recipients by share, at least one for a provider with a share and none without', () => {
    expect([...populationSizes(10_000, mixShares({ apns: 0.6, fcm: 0.3, webpush: 0.1 }, all))]).toEqual([['apns', 6000], ['fcm', 3000], ['webpush', 1000]]);
    expect([...populationSizes(10, mixShares({ apns: 0.98, fcm: 0.02, webpush: 0 }, all))]).toEqual([['apns', 10], ['fcm', 1], ['webpush', 0]]);
  });
});

describe('createProviderAssignment', () => {
  const shares = mixShares({ apns: 0.6, fcm: 0.3, webpush: 0.1 }, all);

  it('is a function of (seed, index): the same seed gives the same assignment, another seed another', () => {
    const a = createProviderAssignment(shares, 7);
    const b = createProviderAssignment(shares, 7);
    const c = createProviderAssignment(shares, 8);
    const indices = Array.from({ length: 1000 }, (_, i) => i);
    expect(indices.map(a)).toEqual(indices.map(b));
    expect(indices.map(a)).not.toEqual(indices.map(c));
    // Stateless: asking out of order changes nothing.
    expect([999, 3, 500].map(a)).toEqual([999, 3, 500].map(b));
  });

  it('follows the weights', () => {
    const counts = tally(createProviderAssignment(shares, 1), 20_000);
    expect(counts.apns / 20_000).toBeCloseTo(0.6, 1);
    expect(counts.fcm / 20_000).toBeCloseTo(0.3, 1);
    expect(counts.webpush / 20_000).toBeCloseTo(0.1, 1);
  });

  it('never picks a provider whose weight is 0, and a single provider takes everything', () => {
    expect(tally(createProviderAssignment(mixShares({ apns: 1, fcm: 0, webpush: 1 }, all), 3), 2000).fcm).toBe(0);
    expect(tally(createProviderAssignment(mixShares(undefined, ['fcm']), 3), 100)).toEqual({ apns: 0, fcm: 100, webpush: 0 });
  });
});

describe('createRecipientSequence', () => {
  const shares = mixShares({ apns: 0.6, fcm: 0.3, webpush: 0.1 }, ['apns', 'fcm', 'webpush']);

  it("gives each notification its provider and its place among that provider's notifications", () => {
    const recipientOf = createRecipientSequence(shares, 7);
    const providerOf = createProviderAssignment(shares, 7);
    const seen = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const { provider, position } = recipientOf(i);
      expect(provider).toBe(providerOf(i));
      expect(position).toBe(seen.get(provider) ?? 0);
      seen.set(provider, position + 1);
    }
  });

  it('a shard visiting every Nth index gets the positions the whole run gives them', () => {
    const whole = createRecipientSequence(shares, 3);
    const all = Array.from({ length: 3000 }, (_, i) => whole(i));
    for (const count of [2, 3, 7]) {
      for (let index = 0; index < count; index++) {
        const shard = createRecipientSequence(shares, 3);
        for (let i = index; i < all.length; i += count) expect(shard(i)).toEqual(all[i]);
      }
    }
    // An earlier index recounts from the start rather than answering wrong.
    expect(whole(5)).toEqual(all[5]);
  });

  it('a single provider needs no counting: the position is the index', () => {
    const recipientOf = createRecipientSequence(mixShares(undefined, ['apns']), 1);
    expect(recipientOf(12_345)).toEqual({ provider: 'apns', position: 12_345 });
  });
});
