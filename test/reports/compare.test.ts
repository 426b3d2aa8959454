import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../core/errors.js';
import { DEFAULT_TOLERANCES, compareResults, formatComparison } from '../../reports/compare.js';
import type { Comparison, MetricComparison } from '../../reports/compare.js';
import { initHistograms } from '../../reports/histogram.js';
import { ResultCollector } from '../../reports/result.js';
import type { Result } from '../../reports/result.js';
import { normalQuantile } from '../../reports/statistics.js';
import { accepted, failed, rejected } from './fixtures.js';

const collectors: ResultCollector[] = [];

beforeAll(async () => {
  await initHistograms();
});

afterEach(() => {
  for (const c of collectors.splice(0)) c.destroy();
});

/** `n` latencies spread like a lognormal (median `medianMs`, sigma 0.5): evenly spaced quantiles, so the shape is exact. */
function lognormal(medianMs: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => medianMs * Math.exp(0.5 * normalQuantile((i + 0.5) / n)));
}

interface RunShape {
  /** Accepted latencies, ms, all in one block (no timeline)… */
  readonly latencies?: readonly number[];
  /** …or per second of the run (a timeline), one list per second. */
  readonly seconds?: readonly (readonly number[])[];
  readonly rejected?: number;
  readonly failed?: number;
  readonly retries?: number;
  readonly durationMs?: number;
  readonly duplicates?: number;
  readonly scenario?: string;
  /** Latency of failed outcomes, ms (they count in the drain of the achieved rate). */
  readonly failedMs?: number;
  /** The one attempt of an accepted notification of latency `ms`; 0.8 of it by default. */
  readonly attempt?: (ms: number) => number;
}

/** A real Result from a collector: 1 attempt per accepted notification, at 0.8 of its latency unless `attempt` says. */
function run(shape: RunShape): Result {
  const c = new ResultCollector();
  collectors.push(c);
  const timed = shape.seconds !== undefined;
  const blocks = shape.seconds ?? [shape.latencies ?? []];
  blocks.forEach((latencies, second) => {
    latencies.forEach((ms, i) => {
      const at = second * 1000 + (1000 * i) / latencies.length;
      if (timed) c.onScheduled(at);
      else c.onScheduled();
      if (timed) c.onOutcome(accepted(), ms, at);
      else c.onOutcome(accepted(), ms);
      c.onAttempt(shape.attempt?.(ms) ?? ms * 0.8);
    });
  });
  for (let i = 0; i < (shape.rejected ?? 0); i++) {
    c.onScheduled();
    c.onOutcome(rejected('Unregistered'), 5);
  }
  for (let i = 0; i < (shape.failed ?? 0); i++) {
    c.onScheduled();
    c.onOutcome(failed(), shape.failedMs ?? 10);
  }
  for (let i = 0; i < (shape.retries ?? 0); i++) c.onRetry();
  const duplicates = shape.duplicates;
  const scheduled = blocks.reduce((n, b) => n + b.length, 0) + (shape.rejected ?? 0) + (shape.failed ?? 0);
  return c.finish({
    startedAt: new Date('2026-01-01T00:00:00.000Z'),
    durationMs: shape.durationMs ?? 1000 * Math.max(1, blocks.length),
    targetRate: 1000,
    scenario: shape.scenario ?? 'smoke',
    ...(duplicates !== undefined && {
      delivery: { delivered: scheduled + duplicates, unique: scheduled, unidentified: 0, duplicates, tokensWithDuplicates: 0, duplicatesByToken: {}, byProvider: {}, byPhase: {} },
    }),
  });
}

const byKey = (c: Comparison, key: string): MetricComparison => {
  const found = c.metrics.find((m) => m.key === key);
  if (found === undefined) throw new Error(`no metric ${key}`);
  return found;
};

/** 10 seconds of 500 accepted each, with these medians (ms) per second. */
const timeline = (...medians: number[]): number[][] => medians.map((m) => lognormal(m, 500));
const tenSeconds = (median: number): number[][] => timeline(...Array.from({ length: 10 }, () => median));

describe('compareResults, one run each', () => {
  it('finds no regression between two identical runs, and lists every metric', () => {
    const base = run({ latencies: lognormal(10, 5000), rejected: 10, retries: 20 });
    const comparison = compareResults(base, base);
    expect(comparison.regressions).toEqual([]);
    expect(comparison.metrics.map((m) => m.key)).toEqual([
      'rate.achieved',
      'latency.accepted.p50',
      'latency.accepted.p90',
      'latency.accepted.p99',
      'latency.accepted.p999',
      'latency.accepted.max',
      'latency.attempt.p50',
      'latency.attempt.p90',
      'latency.attempt.p99',
      'latency.attempt.p999',
      'latency.attempt.max',
      'errorRate',
      'retriesPerNotification',
    ]);
    expect(comparison).toMatchObject({ method: 'single-run', alpha: 0.05, tolerances: DEFAULT_TOLERANCES, notes: [] });
    expect(comparison.runs.base).toHaveLength(1);
  });

  it('flags latency +20 % when the intervals are apart, and gives base, candidate, changes and the evidence', () => {
    const comparison = compareResults(run({ latencies: lognormal(100, 5000) }), run({ latencies: lognormal(120, 5000) }));
    const p50 = byKey(comparison, 'latency.accepted.p50');
    expect(p50.base).toBeCloseTo(100, 0);
    expect(p50.candidate).toBeCloseTo(120, 0);
    expect(p50.change).toBeCloseTo(p50.candidate - p50.base, 9);
    expect(p50.relativeChange).toBeCloseTo(p50.change / p50.base, 9);
    expect(p50.limit).toBeCloseTo(p50.base * 1.1, 9);
    expect(p50).toMatchObject({ beyondTolerance: true, clear: true, regression: true });
    const [baseLow, baseHigh] = p50.evidence?.baseInterval ?? [];
    const [candidateLow] = p50.evidence?.candidateInterval ?? [];
    expect(p50.evidence?.test).toBe('quantile-intervals');
    expect(baseLow).toBeLessThanOrEqual(p50.base);
    expect(baseHigh).toBeGreaterThanOrEqual(p50.base);
    expect(candidateLow).toBeGreaterThan(baseHigh ?? Infinity);
    expect(comparison.regressions).toEqual(expect.arrayContaining(['latency.accepted.p99', 'latency.attempt.p50']));
    expect(comparison.regressions).not.toContain('errorRate');
    // A tolerance of 25 % lets the same change pass.
    expect(compareResults(run({ latencies: lognormal(100, 5000) }), run({ latencies: lognormal(120, 5000) }), { maxLatencyIncreasePct: 25 }).regressions).toEqual([]);
  });

  it('never flags a latency rise within the absolute floor (1 ms by default), however large in per cent', () => {
    // Every value 0.8 ms higher: p50 4.5 → 5.3 ms is +18 %, past the 10 % tolerance and clear, but 0.8 ms.
    const flat = (low: number): number[] => Array.from({ length: 5000 }, (_, i) => low + i / 5000);
    const small = compareResults(run({ latencies: flat(4) }), run({ latencies: flat(4.8) }));
    expect(small.regressions).toEqual([]);
    expect(byKey(small, 'latency.accepted.p50')).toMatchObject({ clear: true, beyondTolerance: false });
    expect(compareResults(run({ latencies: flat(4) }), run({ latencies: flat(4.8) }), { minLatencyIncreaseMs: 0.1 }).regressions).toContain('latency.accepted.p50');
  });

  it('does not call a rise that too few values cannot show a regression: p99.9 of 200 values', () => {
    const comparison = compareResults(run({ latencies: lognormal(100, 200) }), run({ latencies: lognormal(130, 200) }));
    const p999 = byKey(comparison, 'latency.accepted.p999');
    expect(p999).toMatchObject({ beyondTolerance: true, clear: false, regression: false });
    // 200 values cannot bound the 99.9th percentile from above: the interval is open there.
    expect(p999.evidence?.baseInterval?.[1]).toBeNull();
    // p50 of the same runs has plenty of values around it.
    expect(byKey(comparison, 'latency.accepted.p50').regression).toBe(true);
  });

  it('does not flag a candidate that got faster', () => {
    expect(compareResults(run({ latencies: lognormal(120, 5000) }), run({ latencies: lognormal(100, 5000) })).regressions).toEqual([]);
  });

  it('calls a rise seen in every second a regression, and one from a few disturbed seconds not (with a note)', () => {
    const base = run({ seconds: tenSeconds(10) });
    const slower = compareResults(base, run({ seconds: tenSeconds(12) }));
    expect(byKey(slower, 'latency.accepted.p50')).toMatchObject({ regression: true, evidence: { steady: { series: 'p50', confirmed: true, seconds: { base: 9, candidate: 9 } } } });
    expect(slower.notes).toEqual([]);

    // Another process took the machine for 5 of the 10 seconds: p50 over the run doubles, the fastest seconds do not move.
    const disturbed = compareResults(base, run({ seconds: timeline(10, 30, 30, 10, 30, 30, 10, 30, 10, 10) }));
    const p50 = byKey(disturbed, 'latency.accepted.p50');
    expect(p50).toMatchObject({ beyondTolerance: true, clear: true, regression: false, evidence: { steady: { series: 'p50', confirmed: false } } });
    expect(p50.evidence?.steady?.candidate).toBeCloseTo(p50.evidence?.steady?.base ?? 0, 1);
    expect(disturbed.regressions).toEqual([]);
    expect(disturbed.notes).toEqual([expect.stringMatching(/^latency p50, .*: rose over the whole candidate run but not in its steadiest seconds \(p50 (\d+\.\d\d) → \1 ms, p99 (\d+\.\d\d) → \2 ms\): .*compare 3 or more runs/)]);
  });

  it('says when the base run itself looks disturbed, and when there is no per-second data to check a rise with', () => {
    const disturbedBase = compareResults(run({ seconds: timeline(10, 30, 30, 30, 30, 30, 30, 10, 10, 10) }), run({ seconds: tenSeconds(10) }));
    expect(disturbedBase.notes).toEqual([expect.stringMatching(/^the base run looks disturbed: its p50 over the run \(\d+\.\d\d ms\) .*steadiest seconds' \(\d+\.\d\d ms\)/)]);
    const untimed = compareResults(run({ latencies: lognormal(10, 5000) }), run({ latencies: lognormal(13, 5000) }));
    expect(byKey(untimed, 'latency.accepted.p50')).toMatchObject({ regression: true });
    expect(byKey(untimed, 'latency.accepted.p50').evidence).not.toHaveProperty('steady');
    expect(untimed.notes).toEqual([expect.stringMatching(/^latency p50, .*: no per-second timeline with 3 or more full seconds in both runs, so judged on the whole-run percentiles alone$/)]);
  });

  it('says when pushsim\'s own share of the latency rose with it (a busier machine, not a slower target)', () => {
    // The target answers as fast as before (attempts 9 ms at p50); the time inside pushsim went from 1 to 4 ms.
    const base = run({ latencies: lognormal(10, 5000), attempt: (ms) => ms - 1 });
    const busier = compareResults(base, run({ latencies: lognormal(13, 5000), attempt: (ms) => ms - 4 }));
    expect(busier.regressions).toContain('latency.accepted.p50');
    expect(busier.notes).toContainEqual(expect.stringMatching(/^pushsim's own share of the latency .* rose too, 1\.00 → 4\.00 ms: a slower target does not do that/));
    // A slower target: the attempts take the rise, pushsim's share stays.
    const slower = compareResults(base, run({ latencies: lognormal(13, 5000), attempt: (ms) => ms - 1 }));
    expect(slower.regressions).toContain('latency.accepted.p50');
    expect(slower.notes.some((note) => note.startsWith("pushsim's own share"))).toBe(false);
  });

  it('flags a throughput drop beyond 5 %, unless the drain of the slowest answer explains it', () => {
    const base = run({ latencies: lognormal(10, 1000), durationMs: 1000 });
    const dropped = compareResults(base, run({ latencies: lognormal(10, 1000), durationMs: 1100 }));
    expect(byKey(dropped, 'rate.achieved')).toMatchObject({ base: 1000, candidate: 909.091, limit: 950, clear: true, regression: true, evidence: { test: 'rate-drain' } });
    expect(dropped.regressions).toEqual(['rate.achieved']);
    expect(compareResults(base, run({ latencies: lognormal(10, 1000), durationMs: 1040 })).regressions).toEqual([]);
    // The same 10 % lower rate, from one answer that took 150 ms at the end of the run: not a throughput loss.
    const drained = compareResults(base, run({ latencies: lognormal(10, 999), failed: 1, failedMs: 150, durationMs: 1100 }));
    expect(byKey(drained, 'rate.achieved')).toMatchObject({ beyondTolerance: true, clear: false, regression: false });
    expect(byKey(drained, 'rate.achieved').evidence?.candidateRateBound).toBeCloseTo(1000 / 0.95, 0);
  });

  it('judges the error rate with a two-proportion test: +0.6 pp of 1,000 is noise, of 100,000 it is not', () => {
    const base = run({ latencies: lognormal(10, 990), rejected: 10 }); // 1 %
    const within = compareResults(base, run({ latencies: lognormal(10, 985), rejected: 10, failed: 5 })); // 1.5 %
    expect(byKey(within, 'errorRate')).toMatchObject({ base: 1, candidate: 1.5, limit: 1.5, beyondTolerance: false, regression: false });
    const noisy = compareResults(base, run({ latencies: lognormal(10, 984), rejected: 10, failed: 6 })); // 1.6 %
    expect(byKey(noisy, 'errorRate')).toMatchObject({ beyondTolerance: true, clear: false, regression: false, evidence: { test: 'two-proportion' } });
    expect(byKey(noisy, 'errorRate').evidence?.pValue).toBeGreaterThan(0.05);
    const large = compareResults(run({ latencies: lognormal(10, 99_000), rejected: 1000 }), run({ latencies: lognormal(10, 98_400), rejected: 1000, failed: 600 }));
    expect(byKey(large, 'errorRate')).toMatchObject({ clear: true, regression: true });
    expect(byKey(large, 'errorRate').change).toBeCloseTo(0.6, 9);
  });

  it('compares retries per notification and duplicates only when both runs count them', () => {
    const base = run({ latencies: lognormal(10, 1000), retries: 10, duplicates: 1 });
    const worse = compareResults(base, run({ latencies: lognormal(10, 1000), retries: 100, duplicates: 20 }));
    expect(byKey(worse, 'retriesPerNotification')).toMatchObject({ base: 0.01, candidate: 0.1, regression: true, evidence: { test: 'count-ratio' } });
    expect(byKey(worse, 'duplicateRate')).toMatchObject({ base: 0.1, candidate: 2, regression: true });
    // 1 → 3 duplicates in 1,000 is past the 0.1 pp tolerance but within chance.
    expect(byKey(compareResults(base, run({ latencies: lognormal(10, 1000), retries: 10, duplicates: 3 })), 'duplicateRate')).toMatchObject({ beyondTolerance: true, clear: false, regression: false });

    const noLedger = compareResults(base, run({ latencies: lognormal(10, 1000), retries: 10 }));
    expect(noLedger.metrics.some((m) => m.key === 'duplicateRate')).toBe(false);
    expect(noLedger.notes).toContain('duplicates: not compared, the candidate did not run against a mock ledger');
  });

  it('leaves out latency when one side has none and notes different scenarios', () => {
    const comparison = compareResults(run({ latencies: lognormal(10, 1000) }), run({ latencies: [], failed: 1000, scenario: 'other' }));
    expect(comparison.metrics.some((m) => m.key.startsWith('latency.accepted'))).toBe(false);
    expect(comparison.notes).toContain('latency: not compared, candidate has no values');
    expect(comparison.notes).toContain('different scenarios: smoke vs other');
    expect(comparison.regressions).toEqual(expect.arrayContaining(['errorRate']));
  });

  it('says when a run was not a valid measurement (overload)', () => {
    const base = run({ latencies: lognormal(10, 1000) });
    const overloaded: Result = {
      ...base,
      validity: {
        valid: false,
        failOnOverload: true,
        bounds: { maxSendLagMs: 100, maxShedPercent: 1 },
        reasons: ['send lag p99 2,400 ms > 100 ms'],
        evidence: {
          sendLagP99Ms: 2400,
          fireLagP99Ms: 2300,
          shed: 0,
          shedPercent: 0,
          eventLoop: { utilization: 1, delayP99Ms: 90, delayMaxMs: 200 },
          cpuPercent: 100,
          inFlight: { senderLimit: 1000, targetLimit: null, peak: 10, peakQueued: 0, senderLimitedPercent: 0, targetLimitedPercent: 0, connectingPercent: 0 },
        },
      },
    };
    expect(compareResults(base, overloaded).notes).toContain("candidate is not a valid measurement of the target (send lag p99 2,400 ms > 100 ms): its latency and rate are pushsim's own");
  });

  it('rejects negative or non-finite tolerances and an alpha outside (0, 0.5]', () => {
    const base = run({ latencies: lognormal(10, 100) });
    expect(() => compareResults(base, base, { maxLatencyIncreasePct: -1 })).toThrow(InvalidArgumentError);
    expect(() => compareResults(base, base, { maxErrorRateIncreasePp: Number.NaN })).toThrow(/maxErrorRateIncreasePp/);
    expect(() => compareResults(base, base, { maxThroughputDropPct: 101 })).toThrow(InvalidArgumentError);
    expect(() => compareResults(base, base, { alpha: 0 })).toThrow(/alpha/);
    expect(() => compareResults(base, base, { alpha: 0.6 })).toThrow(/alpha/);
    expect(() => compareResults([], base)).toThrow(InvalidArgumentError);
  });
});

describe('compareResults, several runs each', () => {
  const runs = (...medians: number[]): Result[] => medians.map((m) => run({ latencies: lognormal(m, 2000) }));

  it('calls a regression when every candidate run is worse beyond the tolerance (Mann–Whitney), and gives medians', () => {
    const comparison = compareResults(runs(10, 10.4, 9.8), runs(12.5, 12.9, 13.1));
    const p50 = byKey(comparison, 'latency.accepted.p50');
    expect(comparison.method).toBe('repeated-runs');
    expect(comparison.runs).toMatchObject({ base: { length: 3 }, candidate: { length: 3 } });
    expect(p50.base).toBeCloseTo(10, 0);
    expect(p50.candidate).toBeCloseTo(12.9, 0);
    expect(p50).toMatchObject({ clear: true, regression: true, evidence: { test: 'mann-whitney', pValue: 0.05 } });
    expect(p50.evidence?.candidateRuns).toHaveLength(3);
  });

  it('does not call one slow run among fast ones a regression, whatever its size', () => {
    const comparison = compareResults(runs(10, 10.4, 9.8), runs(10.1, 30, 9.9));
    expect(byKey(comparison, 'latency.accepted.p50')).toMatchObject({ clear: false, regression: false });
    expect(comparison.regressions).toEqual([]);
  });

  it('refuses run counts a rank test cannot decide with', () => {
    expect(() => compareResults(runs(10, 10), runs(12, 12))).toThrow(/2 base and 2 candidate run\(s\) cannot show a difference at alpha 0\.05.*at least 3 of each/);
    expect(() => compareResults(runs(10), runs(12, 12, 12))).toThrow(InvalidArgumentError);
    expect(compareResults(runs(10, 10), runs(12, 12, 12, 12, 12), { alpha: 0.05 }).method).toBe('repeated-runs');
  });
});

describe('formatComparison', () => {
  it('prints one row per metric with its evidence and verdict, then the regressions and the method', () => {
    const text = formatComparison(compareResults(run({ latencies: lognormal(100, 5000) }), run({ latencies: lognormal(120, 5000) })));
    const p50 = text.split('\n').find((line) => line.startsWith('latency p50 (ms)')) ?? '';
    expect(p50).toMatch(/^latency p50 \(ms\)\s+\d+\.\d\d\s+1[12]\d\.\d\d\s+\+\d+\.\d\d \(\+\d+\.\d%\)\s+≤ 1\d\d\.\d\d\s+CIs apart\s+✗ REGRESSION$/);
    expect(text).toMatch(/^error rate\s+0\.00%\s+0\.00%\s+0\.00 pp\s+≤ 0\.50%\s+p=1\.000\s+✓$/m);
    expect(text).toMatch(/✗ \d regression\(s\): latency p50, latency p90, latency p99, .*attempt latency p50/);
    // The maximum is one sample: shown, not gated.
    expect(text).toMatch(/^latency max \(ms\)\s+\d+\.\d\d\s+\d+\.\d\d\s+\+\d+\.\d\d \(\+\d+\.\d%\)\s+—\s+not gated$/m);
    expect(text).toContain('method: a regression is past its tolerance and clear: 95% order-statistic intervals apart');
    expect(text).not.toContain('\x1b[');
  });

  it('says why a change past its tolerance is not a regression', () => {
    const noisy = formatComparison(compareResults(run({ latencies: lognormal(100, 200) }), run({ latencies: lognormal(130, 200) })));
    expect(noisy).toMatch(/^latency p99\.9 \(ms\)\s.*CIs overlap\s+✓ within noise$/m);
    const disturbed = formatComparison(compareResults(run({ seconds: tenSeconds(10) }), run({ seconds: timeline(10, 30, 30, 10, 30, 30, 10, 30, 10, 10) })));
    expect(disturbed).toMatch(/^latency p50 \(ms\)\s.*CIs apart · steady p50 [+−]?\d+\.\d%\s+✓ not in steady seconds$/m);
    expect(disturbed).toContain('notes:\n  - latency p50');
  });

  it('heads several runs with their counts and medians', () => {
    const runs = (m: number): Result[] => [run({ latencies: lognormal(m, 500) }), run({ latencies: lognormal(m, 500) }), run({ latencies: lognormal(m, 500) })];
    const text = formatComparison(compareResults(runs(10), runs(10)));
    expect(text).toMatch(/^pushsim compare · 3 base runs smoke \(.*\) · 3 candidate runs smoke/);
    expect(text).toMatch(/^metric\s+base \(median\)\s+candidate \(median\)/m);
    expect(text).toContain('one-sided Mann–Whitney U, α = 0.05');
  });

  it('says so when nothing regressed, and colours only on request', () => {
    const base = run({ latencies: lognormal(10, 1000) });
    expect(formatComparison(compareResults(base, base))).toContain('✓ no regression');
    expect(formatComparison(compareResults(base, base), { color: true })).toContain('\x1b[32m✓\x1b[0m no regression');
  });

  it('strips control characters from names that come from files', () => {
    const text = formatComparison(compareResults(run({ latencies: lognormal(10, 100), scenario: 'evil\x1b[2J' }), run({ latencies: lognormal(10, 100) })));
    expect(text).not.toContain('\x1b');
    expect(text).toContain('evil?[2J');
  });
});
