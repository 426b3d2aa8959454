import { describe, expect, it } from 'vitest';
import { IdentityWindow, hashIdentity, identityHash, maxSlots } from '../../../simulator/ledger/identities.js';
import { DeliveryLedger, expectedIdentities, expectedTrafficProblems } from '../../../simulator/ledger/ledger.js';

/** The hash of (token, id) as a pair, for a test's bookkeeping. */
function hashOf(token: string, id: string): [number, number] {
  hashIdentity(7, token, id, true);
  return [identityHash.hi, identityHash.lo];
}

describe('hashIdentity', () => {
  it('gives 64 bits that tell token and id apart, case-insensitively for ids', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50_000; i++) seen.add(hashOf(`token-${i % 100}`, `id-${i}`).join(':'));
    expect(seen.size).toBe(50_000);
    // Where the token ends and the id begins matters.
    expect(hashOf('ab', 'c')).not.toEqual(hashOf('a', 'bc'));
    expect(hashOf('t', 'ABCDEF-1')).toEqual(hashOf('t', 'abcdef-1'));
    // Both halves carry bits (not a 32-bit hash widened).
    const [hi, lo] = hashOf('t', 'x');
    expect(hi).toBeGreaterThan(0);
    expect(lo).toBeGreaterThan(0);
    expect(Math.max(hi, lo)).toBeLessThan(2 ** 32);
  });

  it('hashes a string body and the same bytes alike', () => {
    hashIdentity(1, 't', '{"a":1}', false);
    const text = [identityHash.hi, identityHash.lo];
    hashIdentity(1, 't', Buffer.from('{"a":1}'), false);
    expect([identityHash.hi, identityHash.lo]).toEqual(text);
  });
});

describe('IdentityWindow', () => {
  it('counts deliveries of one identity across the two generations, and forgets after two windows', () => {
    const window = new IdentityWindow({ windowMs: 1_000 }, 0);
    const [hi, lo] = hashOf('t', 'n-1');
    expect([0, 900, 1_500, 2_400].map((at) => window.deliver(hi, lo, at))).toEqual([0, 1, 2, 3]);
    // 2,400 opened a generation at 2,000 holding it; past 3,000 and 4,000 that one is gone too.
    expect(window.deliver(hi, lo, 4_100)).toBe(0);
    expect(window.stats().identities).toBe(1);
  });

  it('closes a full generation early, sizes the next from the rate it saw, and never holds more than maxIdentities', () => {
    const window = new IdentityWindow({ windowMs: 600_000, maxIdentities: 10_000 }, 0);
    // 100 deliveries a second for an hour of injected time: 360,000 identities, 60,000 a window.
    let peakIdentities = 0;
    let peakBytes = 0;
    let repeats = 0;
    for (let i = 0; i < 360_000; i++) {
      hashIdentity(7, `t${i % 1_000}`, `n-${i}`, true);
      repeats += window.deliver(identityHash.hi, identityHash.lo, i * 10);
      if (i % 1_000 === 0) {
        const { identities, bytes } = window.stats();
        peakIdentities = Math.max(peakIdentities, identities);
        peakBytes = Math.max(peakBytes, bytes);
      }
    }
    const stats = window.stats();
    expect(repeats).toBe(0);
    // Two generations of at most 10,000 each (tables of 2^14 slots), whatever the hour sent.
    expect(peakIdentities).toBeLessThanOrEqual(20_000);
    expect(peakBytes).toBeLessThanOrEqual(2 * 2 ** 14 * 8);
    // Each generation filled in 100 s of the 600 s window.
    expect(stats.earlyRotations).toBeGreaterThanOrEqual(35);
  });

  it('at a steady rate, sizes later generations to hold a whole window without closing early', () => {
    const window = new IdentityWindow({ windowMs: 60_000 }, 0);
    // 100 a second for 10 windows: the first generation (2^18 slots) is big enough from the start.
    for (let i = 0; i < 60_000; i++) {
      hashIdentity(7, 't', `n-${i}`, true);
      window.deliver(identityHash.hi, identityHash.lo, i * 10);
    }
    const { earlyRotations, identities, slots } = window.stats();
    expect(earlyRotations).toBe(0);
    // One window's identities in the current generation, one in the older: 6,000 each.
    expect(identities).toBeLessThanOrEqual(12_000);
    // Sized from 6,000 a window with 10 % headroom at 80 % load, not kept at the initial 2^18: 16,384 slots each.
    expect(slots).toBeLessThanOrEqual(2 * 16_384);
  });

  it('announced traffic: both generations sized and resident from the start, the same bytes through every rotation', () => {
    // 100 a second, a one-minute window: 6,000 identities a window, 6,600 with headroom → 2^14 slots per generation at 80 % load.
    const window = new IdentityWindow({ windowMs: 60_000, expectedIdentities: 6_000 }, 0);
    const atStart = window.stats();
    expect(atStart).toMatchObject({ identities: 0, slots: 2 * 16_384, bytes: 2 * 16_384 * 8 });
    let repeats = 0;
    let lowest = Number.POSITIVE_INFINITY;
    let highest = 0;
    for (let i = 0; i < 60_000; i++) {
      hashIdentity(7, 't', `n-${i}`, true);
      repeats += window.deliver(identityHash.hi, identityHash.lo, i * 10);
      // Every 100th notification comes again 2 s later (a retry after a lost answer): a duplicate across rotations too.
      if (i >= 200 && i % 100 === 0) {
        hashIdentity(7, 't', `n-${i - 200}`, true);
        repeats += window.deliver(identityHash.hi, identityHash.lo, i * 10);
      }
      const { bytes } = window.stats();
      lowest = Math.min(lowest, bytes);
      highest = Math.max(highest, bytes);
    }
    expect(repeats).toBe(598);
    expect([lowest, highest]).toEqual([atStart.bytes, atStart.bytes]);
    expect(window.stats().earlyRotations).toBe(0);
    // clear() keeps the announced size (the runner clears the warm-up's deliveries).
    window.clear(600_000);
    expect(window.stats()).toMatchObject({ identities: 0, bytes: atStart.bytes });
  });

  it('announced traffic that is exceeded still grows the tables, never below the announced size', () => {
    const window = new IdentityWindow({ windowMs: 1_000, expectedIdentities: 500 }, 0);
    const announced = window.stats().bytes;
    // 10,000 a second against 500 announced: the first generation closes early, the next are sized from the rate.
    for (let i = 0; i < 30_000; i++) {
      hashIdentity(3, 't', `n-${i}`, true);
      expect(window.deliver(identityHash.hi, identityHash.lo, i / 10)).toBe(0);
    }
    expect(window.stats().earlyRotations).toBeGreaterThan(0);
    expect(window.stats().bytes).toBeGreaterThan(announced);
  });

  it('sizes tables within the 2^23-slot ceiling', () => {
    expect(maxSlots).toBe(2 ** 23);
    expect(() => new IdentityWindow({ windowMs: 1, maxIdentities: 1e9 }, 0).stats()).not.toThrow();
  });
});

describe('DeliveryLedger identities', () => {
  it('keeps an hour of deliveries to two bounded generations, counting retries as duplicates throughout', () => {
    let now = 0;
    const ledger = new DeliveryLedger({ clock: { now: () => now }, identityWindowMs: 60_000 });
    // An hour at 200/s on the injected clock, a one-minute window (12,000 identities): every 100th
    // notification is delivered again a second later (an accept-then-fail and its retry).
    let peak = 0;
    for (let i = 0; i < 720_000; i++) {
      now = i * 5;
      ledger.record({ provider: 'apns', token: `t${i % 10_000}`, notificationId: `n-${i}` });
      if (i % 100 === 0 && i >= 200) ledger.record({ provider: 'apns', token: `t${(i - 200) % 10_000}`, notificationId: `N-${i - 200}` });
      if (i % 10_000 === 0) peak = Math.max(peak, ledger.identityStats().identities);
    }
    expect(ledger.summary()).toMatchObject({ delivered: 727_198, duplicates: 7_198 });
    // At most two one-minute generations, never the hour's 720,000.
    expect(peak).toBeLessThanOrEqual(2 * 12_000);
    // 12,000 a window with 10 % headroom at 80 % load: tables of 2^15 slots (256 KB) each.
    expect(ledger.identityStats().bytes).toBeLessThanOrEqual(2 * 32_768 * 8);
    // Two windows later the first identities are forgotten: the same id is a new notification.
    now += 120_000;
    expect(ledger.record({ provider: 'apns', token: 't0', notificationId: 'n-0' }).duplicateOf).toBe(0);
  });

  it('sizes its tables from the expected traffic: a window at the rate, or the whole count when fewer', () => {
    expect(expectedIdentities({ ratePerSecond: 5_000 }, 600_000)).toBe(3_000_000);
    expect(expectedIdentities({ ratePerSecond: 5_000, count: 50_000 }, 600_000)).toBe(50_000);
    // A 10-second run: 50,000 × 1.1 at 80 % load → 2^17 slots per generation, not the 2^22 an hour needs.
    const short = new DeliveryLedger({ clock: { now: () => 0 }, expected: { ratePerSecond: 5_000, count: 50_000 } });
    expect(short.identityStats().bytes).toBe(2 * 2 ** 17 * 8);
    const soak = new DeliveryLedger({ clock: { now: () => 0 }, expected: { ratePerSecond: 5_000 } });
    expect(soak.identityStats().bytes).toBe(2 * 2 ** 22 * 8);
    soak.clear();
    expect(soak.identityStats().bytes).toBe(2 * 2 ** 22 * 8);
  });

  it('names every problem of an expected-traffic option', () => {
    expect(expectedTrafficProblems('ledgerExpected', { ratePerSecond: 5_000, count: 10 })).toEqual([]);
    expect(expectedTrafficProblems('ledgerExpected', { ratePerSecond: 0, count: 1.5 })).toEqual([
      'ledgerExpected.ratePerSecond must be a number > 0 and <= 10000000, got 0',
      'ledgerExpected.count must be an integer >= 0, got 1.5',
    ]);
    expect(expectedTrafficProblems('ledgerExpected', 5)).toEqual(['ledgerExpected must be { ratePerSecond, count? }, got 5']);
  });
});
