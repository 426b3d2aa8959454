import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../core/errors.js';
import { decodeHistogram, initHistograms } from '../../reports/histogram.js';
import { mergeResults, mergeWarnings, shardTiming } from '../../reports/merge.js';
import { ResultCollector, achievedRate, checkInvariant } from '../../reports/result.js';
import { parseResult } from '../../reports/result-parse.js';
import type { DeliverySummary, FinishOptions, Result } from '../../reports/result.js';
import { outcomeStatuses } from '../../sender/outcome.js';
import { accepted, brownoutConfig, dropped, expired, failed, rejected } from './fixtures.js';

const collectors: ResultCollector[] = [];
const collector = (): ResultCollector => {
  const c = new ResultCollector();
  collectors.push(c);
  return c;
};

beforeAll(async () => {
  await initHistograms();
});

afterEach(() => {
  for (const c of collectors.splice(0)) c.destroy();
});

/** Deterministic pseudo-random latencies (an LCG) in [low, low + spread) ms. */
function latencies(n: number, seed: number, low: number, spread: number): number[] {
  let state = seed;
  return Array.from({ length: n }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return low + (state / 2 ** 31) * spread;
  });
}

/** Feeds one shard's traffic into each of `targets`: its own collector and the whole run's. */
function feed(targets: readonly ResultCollector[], values: readonly number[], extra: { rejectedTokens?: readonly string[] } = {}): void {
  for (const c of targets) {
    for (const ms of values) {
      c.onScheduled();
      c.onOutcome(accepted(), ms);
      c.onAttempt(ms / 2);
    }
    for (const token of extra.rejectedTokens ?? []) {
      c.onScheduled();
      c.onOutcome({ ...rejected('Unregistered'), token }, 3);
    }
    for (const outcome of [failed(), expired(), dropped()]) {
      c.onScheduled();
      c.onOutcome(outcome, outcome.status === 'failed' ? 10_000 : 1);
    }
    c.onRetry();
  }
}

const at = (iso: string): FinishOptions => ({ startedAt: new Date(iso), durationMs: 10_000, targetRate: 100, scenario: 'smoke' });

describe('mergeResults', () => {
  it('recomputes latency percentiles from the merged histograms: equal to one collector fed every value', () => {
    const whole = collector();
    const a = collector();
    const b = collector();
    // Two shards with very different latency: averaging their percentiles would be wrong.
    feed([a, whole], latencies(2000, 1, 5, 10));
    feed([b, whole], latencies(500, 2, 200, 300));
    const merged = mergeResults([a.finish(at('2026-01-01T00:00:00.000Z')), b.finish(at('2026-01-01T00:00:00.000Z'))]);
    const expected = whole.finish(at('2026-01-01T00:00:00.000Z'));

    for (const status of outcomeStatuses) {
      const { hdr: _hdr, ...summary } = merged.latencyMs[status];
      const { hdr: _expectedHdr, ...expectedSummary } = expected.latencyMs[status];
      expect(summary, status).toEqual(expectedSummary);
    }
    const { hdr: _hdr, ...attempt } = merged.attemptLatencyMs ?? { hdr: '' };
    const { hdr: _expectedHdr, ...expectedAttempt } = expected.attemptLatencyMs ?? { hdr: '' };
    expect(attempt).toEqual(expectedAttempt);
    // The merged p99 is the slow shard's, nowhere near the mean of the two p99s.
    expect(merged.latencyMs.accepted.p99).toBeGreaterThan(400);
    const histogram = decodeHistogram(merged.latencyMs.accepted.hdr);
    try {
      expect(histogram.count).toBe(2500);
    } finally {
      histogram.destroy();
    }
  });

  it('sums counts and reasons, and the result passes parseResult and checkInvariant', () => {
    const a = collector();
    const b = collector();
    feed([a], latencies(30, 3, 5, 5), { rejectedTokens: ['t1', 't2'] });
    feed([b], latencies(20, 4, 5, 5), { rejectedTokens: ['t2', 't3'] });
    const shards = [a.finish(at('2026-01-01T00:00:00.000Z')), b.finish(at('2026-01-01T00:00:00.000Z'))];
    const merged = mergeResults(shards);

    expect(merged.counts).toEqual({ scheduled: 60, attempts: 60, accepted: 50, rejected: 4, failed: 2, expired: 2, dropped: 2, retries: 2, fallbacks: 0, shutdownInFlight: 0, shutdownQueued: 0 });
    expect(merged.byReason).toEqual({ 'apns:Unregistered': 4, 'apns:PUSHSIM_ERR_TIMEOUT': 2, 'pushsim:queue-full': 2 });
    expect(Object.keys(merged.byReason)).toEqual(['apns:Unregistered', 'apns:PUSHSIM_ERR_TIMEOUT', 'pushsim:queue-full']);
    expect(checkInvariant(merged)).toBeUndefined();
    expect(parseResult(JSON.parse(JSON.stringify(merged)))).toEqual(merged);
    // t2 was reported by both shards: listed once, first report first.
    expect(merged.tokensToPrune?.map((t) => t.token)).toEqual(['t1', 't2', 't3']);
    expect(merged.scenario).toBe('smoke');
  });

  it('spans from the earliest start to the latest end, sums the targets and the shards\' own achieved rates', () => {
    const a = collector();
    const b = collector();
    feed([a], [10]);
    feed([b], [10]);
    const merged = mergeResults([
      b.finish({ startedAt: new Date('2026-01-01T00:00:02.000Z'), durationMs: 10_000, targetRate: 50 }),
      a.finish({ startedAt: new Date('2026-01-01T00:00:00.000Z'), durationMs: 5_000, targetRate: 70 }),
    ]);
    expect(merged.startedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(merged.durationMs).toBe(12_000);
    expect(merged.rate.target).toBe(120);
    // 3 completions in a's 5 s and 3 in b's 10 s: 0.6/s + 0.3/s, not 6 over the 12 s span.
    expect(merged.rate.achieved).toBe(0.9);
    expect(merged.rate.achieved).not.toBe(achievedRate(merged.counts, 12_000));

    const closed = mergeResults([a.finish({ ...at('2026-01-01T00:00:00.000Z'), targetRate: null }), b.finish(at('2026-01-01T00:00:00.000Z'))]);
    expect(closed.rate.target).toBeNull();
  });

  it('two shards started 1.3 s apart, each at its full rate, add up to the full target rate', () => {
    // Each shard: 1,000 notifications at 100/s, completed over 10 s.
    const shard = (startedAt: string): Result => {
      const c = collector();
      for (let i = 0; i < 1000; i++) {
        c.onScheduled();
        c.onOutcome(accepted(), 5);
      }
      return c.finish({ startedAt: new Date(startedAt), durationMs: 10_000, targetRate: 100, scenario: 'smoke' });
    };
    const shards = [shard('2026-01-01T00:00:00.000Z'), shard('2026-01-01T00:00:01.300Z')];
    const merged = mergeResults(shards);
    expect(merged.rate).toEqual({ target: 200, achieved: 200 });
    // Over the merged span it would have read 2,000 / 11.3 s = 177/s: 88.5 % of the target.
    expect(achievedRate(merged.counts, merged.durationMs)).toBeCloseTo(177, 0);
    expect(shardTiming(shards)).toEqual({ startOffsetsMs: [0, 1300], startSkewMs: 1300, overlapMs: 8700 });
    const [warning, ...others] = mergeWarnings(shards, ['eu.json', 'us.json']);
    expect(warning).toMatch(/^the shards started up to 1\.30 s apart \(after eu\.json: us\.json \+1\.30 s\)/);
    expect(others).toEqual([]);
    expect(mergeWarnings(shards)[0]).toContain('after shard 1: shard 2 +1.30 s');
  });

  it('warns about no skew up to 100 ms, and about shards that never ran at the same time', () => {
    const c = collector();
    feed([c], [10]);
    const shard = (iso: string, durationMs = 10_000): Result => c.finish({ ...at(iso), durationMs });
    expect(mergeWarnings([shard('2026-01-01T00:00:00.000Z'), shard('2026-01-01T00:00:00.100Z')])).toEqual([]);
    expect(mergeWarnings([shard('2026-01-01T00:00:00.000Z')])).toEqual([]);
    const apart = mergeWarnings([shard('2026-01-01T00:00:00.000Z', 2_000), shard('2026-01-01T00:00:05.000Z', 2_000)]);
    expect(apart).toHaveLength(2);
    expect(apart[1]).toMatch(/^the shards never all ran at the same time \(the last started 3\.00 s after the first ended\)/);
  });

  it('keeps scenario and target only when every shard agrees, and drops thresholds', () => {
    const c = collector();
    feed([c], [10]);
    const one = c.finish({ ...at('2026-01-01T00:00:00.000Z'), target: 'https://127.0.0.1:8443/3/device/x' });
    const withThresholds: Result = { ...one, thresholds: [{ expression: 'p(99)<1', actual: 10, passed: false }] };
    const same = mergeResults([withThresholds, withThresholds]);
    expect(same).toMatchObject({ scenario: 'smoke', target: 'https://127.0.0.1:8443' });
    expect(same.thresholds).toBeUndefined();

    const other = c.finish({ ...at('2026-01-01T00:00:00.000Z'), scenario: 'other', target: 'https://127.0.0.1:9443' });
    const mixed = mergeResults([one, other]);
    expect(mixed.scenario).toBeUndefined();
    expect(mixed.target).toBeUndefined();
  });

  it('keeps a closed-model declaration when any shard has one, summing in-flight counts', () => {
    const c = collector();
    feed([c], [10]);
    const closed = c.finish({ ...at('2026-01-01T00:00:00.000Z'), targetRate: null, loadModel: { kind: 'closed', inFlight: 50, latencyCorrectedForCoordinatedOmission: false } });
    const open = c.finish(at('2026-01-01T00:00:00.000Z'));
    expect(mergeResults([closed, closed]).loadModel).toEqual({ kind: 'closed', inFlight: 100, latencyCorrectedForCoordinatedOmission: false });
    expect(mergeResults([closed, open]).loadModel).toMatchObject({ kind: 'closed', latencyCorrectedForCoordinatedOmission: false });
    expect(mergeResults([open, open]).loadModel).toBeUndefined();
  });

  it('sums optional counters present in any shard and leaves out those absent in all', () => {
    const c = collector();
    feed([c], [10]);
    const full = c.finish(at('2026-01-01T00:00:00.000Z'));
    const { retries: _r, fallbacks: _f, ...oldCounts } = full.counts;
    const old: Result = { ...full, counts: oldCounts };
    expect(mergeResults([old, old]).counts).not.toHaveProperty('retries');
    expect(mergeResults([old, full]).counts).toMatchObject({ retries: 1, fallbacks: 0 });
    expect(mergeResults([old, old]).attemptLatencyMs?.count).toBe(2);
  });

  it('re-bases breaker transitions on the merged start and names their shard', () => {
    const a = collector();
    const b = collector();
    a.onBreakerStateChange({ atMs: 500, origin: 'https://a', from: 'closed', to: 'open' });
    b.onBreakerStateChange({ atMs: 100, origin: 'https://a', from: 'closed', to: 'open' });
    const merged = mergeResults([
      a.finish(at('2026-01-01T00:00:00.000Z')),
      b.finish(at('2026-01-01T00:00:01.000Z')),
    ]);
    expect(merged.breakerTransitions).toEqual([
      { atMs: 500, origin: 'https://a [shard 1]', from: 'closed', to: 'open' },
      { atMs: 1100, origin: 'https://a [shard 2]', from: 'closed', to: 'open' },
    ]);
    expect(mergeResults([a.finish(at('2026-01-01T00:00:00.000Z'))]).breakerTransitions?.[0]?.origin).toBe('https://a');
  });

  it('merges the mock ledgers and the fault counts', () => {
    const delivery = (duplicatesByToken: Record<string, number>): DeliverySummary => {
      const duplicates = Object.values(duplicatesByToken).reduce((sum, n) => sum + n, 0);
      return {
        delivered: 10 + duplicates,
        unique: 10,
        unidentified: 0,
        duplicates,
        tokensWithDuplicates: Object.keys(duplicatesByToken).length,
        duplicatesByToken,
        byProvider: { apns: { delivered: 10 + duplicates, duplicates } },
        byPhase: { run: { delivered: 10 + duplicates, duplicates } },
      };
    };
    const c = collector();
    feed([c], [10]);
    const a = c.finish({ ...at('2026-01-01T00:00:00.000Z'), delivery: delivery({ x: 2, y: 1 }), faults: [{ id: 'lost', kind: 'accept-then-fail', injected: 3 }] });
    const b = c.finish({ ...at('2026-01-01T00:00:00.000Z'), delivery: delivery({ x: 1 }), faults: [{ id: 'lost', kind: 'accept-then-fail', injected: 1 }, { id: 'slow', kind: 'latency', injected: 7 }] });
    const merged = mergeResults([a, b]);
    expect(merged.delivery).toEqual({
      delivered: 24,
      unique: 20,
      unidentified: 0,
      duplicates: 4,
      // x had duplicates in both shards: one token, not two.
      tokensWithDuplicates: 2,
      duplicatesByToken: { x: 3, y: 1 },
      byProvider: { apns: { delivered: 24, duplicates: 4 } },
      byPhase: { run: { delivered: 24, duplicates: 4 } },
    });
    expect(merged.counts.duplicates).toBe(4);
    expect(merged.faults).toEqual([
      { id: 'lost', kind: 'accept-then-fail', injected: 4 },
      { id: 'slow', kind: 'latency', injected: 7 },
    ]);
    expect(parseResult(JSON.parse(JSON.stringify(merged)))).toEqual(merged);
    // Without acknowledgement counts in every shard, none in the merge (a sum of some would mislead).
    expect(merged.delivery).not.toHaveProperty('notAcknowledged');

    const acknowledged = (d: DeliverySummary, acks: number, exact: boolean): DeliverySummary => ({
      ...d,
      acknowledged: acks,
      notAcknowledged: d.unique - acks,
      notAcknowledgedExact: exact,
      byProvider: { apns: { ...(d.byProvider.apns ?? { delivered: 0, duplicates: 0 }), acknowledged: acks, notAcknowledged: d.unique - acks } },
    });
    const withAcks = mergeResults([
      c.finish({ ...at('2026-01-01T00:00:00.000Z'), delivery: acknowledged(delivery({ x: 2 }), 9, true) }),
      c.finish({ ...at('2026-01-01T00:00:00.000Z'), delivery: acknowledged(delivery({}), 7, true) }),
    ]);
    expect(withAcks.delivery).toMatchObject({ acknowledged: 16, notAcknowledged: 4, notAcknowledgedExact: true, byProvider: { apns: { delivered: 22, duplicates: 2, acknowledged: 16, notAcknowledged: 4 } } });
    expect(parseResult(JSON.parse(JSON.stringify(withAcks)))).toEqual(withAcks);
    const oneEstimate = mergeResults([c.finish({ ...at('2026-01-01T00:00:00.000Z'), delivery: acknowledged(delivery({}), 9, false) }), c.finish({ ...at('2026-01-01T00:00:00.000Z'), delivery: acknowledged(delivery({}), 9, true) })]);
    expect(oneEstimate.delivery).toMatchObject({ notAcknowledged: 2, notAcknowledgedExact: false });

    const plain = c.finish(at('2026-01-01T00:00:00.000Z'));
    expect(mergeResults([plain, plain])).not.toHaveProperty('delivery');
    expect(mergeResults([plain, plain])).not.toHaveProperty('faults');
  });

  it('aligns the shards’ timelines on the merged start and sums them; percentiles as they were where one shard accepted in the second', () => {
    const a = collector();
    const b = collector();
    for (const [c, offset] of [[a, 0], [b, 0]] as const) {
      c.onScheduled(offset);
      c.onOutcome(accepted(), 12, 400);
      c.onScheduled(1_200);
      c.onOutcome(rejected('Unregistered'), 3, 1_300);
    }
    b.onScheduled(2_100);
    b.onOutcome(accepted(), 40, 2_500);
    const merged = mergeResults([
      a.finish({ startedAt: new Date('2026-01-01T00:00:00.000Z'), durationMs: 2_000, targetRate: 1 }),
      // One second later: its second 0 is the merged second 1.
      b.finish({ startedAt: new Date('2026-01-01T00:00:01.000Z'), durationMs: 3_000, targetRate: 1 }),
    ]);
    expect(merged.timeline?.map((s) => [s.second, s.scheduled, s.accepted, s.rejected])).toEqual([
      [0, 1, 1, 0],
      [1, 2, 1, 1],
      [2, 1, 0, 1],
      [3, 1, 1, 0],
    ]);
    expect(merged.timeline?.[0]?.p50).toBeCloseTo(12, 1);
    // Second 1 has both shards, but only b's accepted latency (a rejected in it): b's are the second's.
    expect(merged.timeline?.[1]?.p50).toBeCloseTo(12, 1);
    expect(merged.timeline?.[2]).toMatchObject({ p50: null, p99: null, max: null });
    expect(merged.timeline?.[3]?.max).toBeCloseTo(40, 1);
    expect(parseResult(JSON.parse(JSON.stringify(merged))).timeline).toHaveLength(4);
  });

  it("sums each second's retries and injected faults on the merged clock, present when any shard counted them", () => {
    const a = collector();
    const b = collector();
    for (const c of [a, b]) {
      c.onScheduled(0);
      c.onOutcome(accepted(), 12, 400);
      c.onRetry(300);
      c.onRetry(1_500);
    }
    const injections = (counts: number[]): FinishOptions['injections'] => ({ counts: { binMs: 100, counts }, offsetMs: 0 });
    const merged = mergeResults([
      a.finish({ startedAt: new Date('2026-01-01T00:00:00.000Z'), durationMs: 2_000, targetRate: 1, injections: injections([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]) }),
      // One second later, and from before injected faults were counted: its second 0 is the merged second 1.
      b.finish({ startedAt: new Date('2026-01-01T00:00:01.000Z'), durationMs: 2_000, targetRate: 1 }),
    ]);
    expect(merged.timeline?.map((s) => [s.second, s.retries, s.injected])).toEqual([
      [0, 1, 2],
      [1, 2, 3],
      [2, 1, undefined],
    ]);
    expect(merged.timeline?.reduce((sum, s) => sum + (s.retries ?? 0), 0)).toBe(merged.counts.retries);
    expect(parseResult(JSON.parse(JSON.stringify(merged))).timeline).toEqual(merged.timeline);
  });

  it('merges per-provider outcomes exactly: counts summed, accepted latency equal to one collector fed every value', () => {
    const whole = collector();
    const a = collector();
    const b = collector();
    for (const c of [whole, a, b]) c.trackProviders();
    const send = (targets: readonly ResultCollector[], provider: 'apns' | 'fcm' | 'webpush', values: readonly number[]): void => {
      for (const c of targets) {
        for (const ms of values) {
          c.onScheduled();
          c.onOutcome({ ...accepted(), provider }, ms);
        }
        c.onScheduled();
        c.onOutcome({ ...rejected('Unregistered'), provider }, 2);
      }
    };
    send([a, whole], 'apns', latencies(300, 5, 5, 10));
    send([b, whole], 'apns', latencies(100, 6, 300, 100));
    send([b, whole], 'fcm', latencies(50, 7, 20, 5));
    const merged = mergeResults([a.finish(at('2026-01-01T00:00:00.000Z')), b.finish(at('2026-01-01T00:00:00.000Z'))]);
    const expected = whole.finish(at('2026-01-01T00:00:00.000Z'));
    const summaries = (r: Result) => Object.fromEntries(Object.entries(r.providers ?? {}).map(([name, { acceptedLatencyMs: { hdr: _hdr, ...latency }, ...counts }]) => [name, { ...counts, latency }]));
    expect(Object.keys(merged.providers ?? {})).toEqual(['apns', 'fcm']);
    expect(summaries(merged)).toEqual(summaries(expected));
    expect(merged.providers?.['apns']).toMatchObject({ accepted: 400, rejected: 2, failed: 0 });
    // The slow shard's tail shows: not an average of the two p99s.
    expect(merged.providers?.['apns']?.acceptedLatencyMs.p99).toBeGreaterThan(350);
    expect(parseResult(JSON.parse(JSON.stringify(merged))).providers).toEqual(merged.providers);
  });

  it("keeps the run's configuration when every shard has the same one, and leaves it out when they differ", () => {
    const a = collector();
    const b = collector();
    feed([a], [10]);
    feed([b], [10]);
    const same = mergeResults([a.finish({ ...at('2026-01-01T00:00:00.000Z'), config: brownoutConfig }), b.finish({ ...at('2026-01-01T00:00:00.000Z'), config: brownoutConfig })]);
    expect(same.config).toEqual(brownoutConfig);
    const other = { ...brownoutConfig, tokens: { ...brownoutConfig.tokens, seed: 8 } };
    const differ = mergeResults([a.finish({ ...at('2026-01-01T00:00:00.000Z'), config: brownoutConfig }), b.finish({ ...at('2026-01-01T00:00:00.000Z'), config: other })]);
    expect(differ.config).toBeUndefined();
  });

  it('a second two shards accepted in gets its percentiles from their added per-second histograms: those of one run of every value', () => {
    const shard = (): ResultCollector => {
      const c = new ResultCollector({ timeline: { histograms: true } });
      collectors.push(c);
      return c;
    };
    const [a, b, whole] = [shard(), shard(), collector()];
    const valuesA = latencies(300, 7, 5, 50);
    const valuesB = latencies(300, 11, 40, 400);
    for (const [c, values] of [[a, valuesA], [b, valuesB], [whole, valuesA], [whole, valuesB]] as const) {
      values.forEach((ms, i) => {
        c.onScheduled(i);
        c.onOutcome(accepted(), ms, 100 + i);
      });
    }
    const start = { startedAt: new Date('2026-01-01T00:00:00.000Z'), durationMs: 1_000, targetRate: 300 };
    const parts = [a.finish(start), b.finish(start)];
    expect(parts[0]?.timeline?.[0]?.hdr).toEqual(expect.any(String));
    const merged = mergeResults(parts);
    const one = whole.finish({ ...start, targetRate: 600 }).timeline?.[0];
    const second = merged.timeline?.[0];
    expect(second?.accepted).toBe(600);
    for (const key of ['p50', 'p99', 'max'] as const) expect(second?.[key], key).toBe(one?.[key]);
    // The whole's result is no shard: its seconds carry no histogram unless asked to keep them.
    expect(second?.hdr).toBeUndefined();
    const kept = mergeResults(parts, [], { keepSecondHistograms: true }).timeline?.[0]?.hdr;
    expect(decodeHistogram(kept ?? '').count).toBe(600);
    // A shard without its second's histogram (a result from before them): no percentile is made up.
    const { hdr: _dropped, ...withoutHdr } = parts[1]?.timeline?.[0] as NonNullable<Result['timeline']>[number];
    const old = mergeResults([parts[0] as Result, { ...(parts[1] as Result), timeline: [withoutHdr] }]).timeline?.[0];
    expect(old).toMatchObject({ accepted: 600, p50: null, p99: null, max: null });
  });

  it('a per-second histogram that does not decode, or holds more values than the second accepted, is a problem of the file', () => {
    const c = new ResultCollector({ timeline: { histograms: true } });
    collectors.push(c);
    c.onScheduled(0);
    c.onOutcome(accepted(), 12, 100);
    const result = JSON.parse(JSON.stringify(c.finish({ startedAt: new Date(), durationMs: 1_000, targetRate: 1 }))) as Result;
    expect(parseResult(result).timeline?.[0]?.hdr).toEqual(expect.any(String));
    const second = result.timeline?.[0] as NonNullable<Result['timeline']>[number];
    expect(() => parseResult({ ...result, timeline: [{ ...second, hdr: 'bm90IGhkcg==' }] })).toThrow(/timeline\[0\]\.hdr: is not a compressed base64 HDR histogram/);
    expect(() => parseResult({ ...result, timeline: [{ ...second, accepted: 0 }] })).toThrow(/timeline\[0\]\.hdr: holds 1 values but accepted is 0/);
  });

  it('throws InvalidArgumentError for an empty list', () => {
    expect(() => mergeResults([])).toThrow(InvalidArgumentError);
  });
});

describe('mergeResults: deliveries by provider (recipients from a file)', () => {
  it('sums deliveredBy and providerFallbacks over the shards, and reads them back from result.json', () => {
    const a = collector();
    const b = collector();
    feed([a], latencies(10, 1, 1, 5));
    feed([b], latencies(10, 2, 1, 5));
    const first = { ...a.finish(at('2026-01-01T00:00:00.000Z')), deliveredBy: { apns: 7, fcm: 3 }, providerFallbacks: { 'apns>fcm': 3 } };
    const second = { ...b.finish(at('2026-01-01T00:00:00.100Z')), deliveredBy: { fcm: 10 }, providerFallbacks: { 'apns>fcm': 9, 'fcm>webpush': 1 } };
    const merged = mergeResults([first, second]);
    expect(merged.deliveredBy).toEqual({ apns: 7, fcm: 13 });
    expect(merged.providerFallbacks).toEqual({ 'apns>fcm': 12, 'fcm>webpush': 1 });
    const read = parseResult(JSON.parse(JSON.stringify(merged)));
    expect(read.deliveredBy).toEqual(merged.deliveredBy);
    expect(read.providerFallbacks).toEqual(merged.providerFallbacks);
    expect(mergeResults([a.finish(at('2026-01-01T00:00:00.000Z'))]).deliveredBy).toBeUndefined();
  });
});

describe('mergeResults: real pushes (runs against real providers)', () => {
  const caps = { maxNotifications: 1000, maxRate: 50 };
  function shardsOf(...real: (Result['realPushes'] | undefined)[]): Result[] {
    return real.map((realPushes, i) => {
      const c = collector();
      feed([c], latencies(4, i + 1, 1, 5));
      const result = c.finish(at(`2026-01-01T00:00:00.${String(i * 100).padStart(3, '0')}Z`));
      return realPushes === undefined ? result : { ...result, realPushes };
    });
  }

  it('sums sent, dry run and each provider exactly, keeps the caps the shards share, and reads them back from result.json', () => {
    const merged = mergeResults(shardsOf({ sent: 300, dryRun: 0, byProvider: { apns: 300 }, ...caps }, { sent: 200, dryRun: 150, byProvider: { apns: 200, fcm: 150 }, ...caps }));
    expect(merged.realPushes).toEqual({ sent: 500, dryRun: 150, byProvider: { apns: 500, fcm: 150 }, ...caps });
    expect(parseResult(JSON.parse(JSON.stringify(merged))).realPushes).toEqual(merged.realPushes);
  });

  it('when only some inputs have realPushes, the others (runs against the mocks) add nothing; none: no realPushes', () => {
    const merged = mergeResults(shardsOf(undefined, { sent: 40, dryRun: 0, byProvider: { fcm: 40 }, ...caps }, undefined));
    expect(merged.realPushes).toEqual({ sent: 40, dryRun: 0, byProvider: { fcm: 40 }, ...caps });
    expect(mergeResults(shardsOf(undefined, undefined)).realPushes).toBeUndefined();
  });

  it('inputs held to different caps (separate runs) keep the largest of each cap', () => {
    const merged = mergeResults(shardsOf({ sent: 10, dryRun: 0, byProvider: { apns: 10 }, maxNotifications: 10, maxRate: 100 }, { sent: 5, dryRun: 0, byProvider: { apns: 5 }, maxNotifications: 2000, maxRate: 5 }));
    expect(merged.realPushes).toMatchObject({ sent: 15, maxNotifications: 2000, maxRate: 100 });
  });
});
