import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../core/errors.js';
import { DEFAULT_TOLERANCES, compareResults, formatComparison } from '../../reports/compare.js';
import type { Comparison, MetricComparison } from '../../reports/compare.js';
import { initHistograms } from '../../reports/histogram.js';
import { ResultCollector } from '../../reports/result.js';
import type { Result } from '../../reports/result.js';
import { accepted, failed, rejected } from './fixtures.js';

const collectors: ResultCollector[] = [];

beforeAll(async () => {
  await initHistograms();
});

afterEach(() => {
  for (const c of collectors.splice(0)) c.destroy();
});

interface RunShape {
  /** Accepted latencies, ms. */
  readonly latencies: readonly number[];
  readonly rejected?: number;
  readonly failed?: number;
  readonly retries?: number;
  readonly durationMs?: number;
  readonly duplicates?: number;
  readonly scenario?: string;
}

/** A real Result from a collector: 1 attempt per accepted notification at half its latency. */
function run(shape: RunShape): Result {
  const c = new ResultCollector();
  collectors.push(c);
  const outcomes = [
    ...shape.latencies.map((ms) => [accepted(), ms] as const),
    ...Array.from({ length: shape.rejected ?? 0 }, () => [rejected('Unregistered'), 5] as const),
    ...Array.from({ length: shape.failed ?? 0 }, () => [failed(), 10_000] as const),
  ];
  for (const [outcome, ms] of outcomes) {
    c.onScheduled();
    c.onOutcome(outcome, ms);
    c.onAttempt(ms / 2);
  }
  for (let i = 0; i < (shape.retries ?? 0); i++) c.onRetry();
  const duplicates = shape.duplicates;
  return c.finish({
    startedAt: new Date('2026-01-01T00:00:00.000Z'),
    durationMs: shape.durationMs ?? 1000,
    targetRate: 1000,
    scenario: shape.scenario ?? 'smoke',
    ...(duplicates !== undefined && {
      delivery: { delivered: 1000 + duplicates, unique: 1000, unidentified: 0, duplicates, tokensWithDuplicates: 0, duplicatesByToken: {}, byProvider: {}, byPhase: {} },
    }),
  });
}

const steady = (ms: number, n = 1000): number[] => Array.from({ length: n }, (_, i) => ms + (i % 10));
const byKey = (c: Comparison, key: string): MetricComparison => {
  const found = c.metrics.find((m) => m.key === key);
  if (found === undefined) throw new Error(`no metric ${key}`);
  return found;
};

describe('compareResults', () => {
  it('finds no regression between two identical runs', () => {
    const base = run({ latencies: steady(10), rejected: 10, retries: 20 });
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
    expect(comparison.tolerances).toEqual(DEFAULT_TOLERANCES);
    expect(comparison.notes).toEqual([]);
  });

  it('flags latency above +10 % and gives base, candidate and changes', () => {
    const comparison = compareResults(run({ latencies: steady(100) }), run({ latencies: steady(120) }));
    const p50 = byKey(comparison, 'latency.accepted.p50');
    expect(p50.base).toBeCloseTo(104, 0);
    expect(p50.candidate).toBeCloseTo(124, 0);
    expect(p50.change).toBeCloseTo(p50.candidate - p50.base, 9);
    expect(p50.relativeChange).toBeCloseTo(p50.change / p50.base, 9);
    expect(p50.limit).toBeCloseTo(p50.base * 1.1, 9);
    expect(p50.regression).toBe(true);
    expect(comparison.regressions).toContain('latency.accepted.p99');
    expect(comparison.regressions).toContain('latency.attempt.p50');
    expect(comparison.regressions).not.toContain('errorRate');
    // A tolerance of 25 % lets the same change pass.
    expect(compareResults(run({ latencies: steady(100) }), run({ latencies: steady(120) }), { maxLatencyIncreasePct: 25 }).regressions).toEqual([]);
  });

  it('never flags a latency rise within the absolute floor (1 ms by default), however large in per cent', () => {
    const small = compareResults(run({ latencies: steady(2) }), run({ latencies: steady(2.8) }));
    expect(small.regressions).toEqual([]);
    // p50 6 → 6.8 ms: +13 %, past the 10 % tolerance, but 0.8 ms.
    expect(byKey(small, 'latency.accepted.p50').relativeChange).toBeGreaterThan(0.1);
    expect(compareResults(run({ latencies: steady(2) }), run({ latencies: steady(2.8) }), { minLatencyIncreaseMs: 0.1 }).regressions).toContain('latency.accepted.p50');
  });

  it('does not flag a candidate that got faster', () => {
    expect(compareResults(run({ latencies: steady(120) }), run({ latencies: steady(100) })).regressions).toEqual([]);
  });

  it('flags a throughput drop beyond 5 %, not within it', () => {
    const base = run({ latencies: steady(10), durationMs: 1000 });
    const dropped = compareResults(base, run({ latencies: steady(10), durationMs: 1100 }));
    expect(byKey(dropped, 'rate.achieved')).toMatchObject({ base: 1000, candidate: 909.091, limit: 950, regression: true });
    expect(dropped.regressions).toEqual(['rate.achieved']);
    expect(compareResults(base, run({ latencies: steady(10), durationMs: 1040 })).regressions).toEqual([]);
  });

  it('measures the error rate in percent and allows +0.5 percentage points', () => {
    const base = run({ latencies: steady(10, 990), rejected: 10 }); // 1 %
    const within = compareResults(base, run({ latencies: steady(10, 985), rejected: 10, failed: 5 })); // 1.5 %
    expect(byKey(within, 'errorRate')).toMatchObject({ base: 1, candidate: 1.5, limit: 1.5, regression: false });
    const beyond = compareResults(base, run({ latencies: steady(10, 984), rejected: 10, failed: 6 })); // 1.6 %
    expect(byKey(beyond, 'errorRate').regression).toBe(true);
    expect(byKey(beyond, 'errorRate').change).toBeCloseTo(0.6, 9);
  });

  it('compares retries per notification and duplicates only when both runs count them', () => {
    const base = run({ latencies: steady(10), retries: 10, duplicates: 1 });
    const worse = compareResults(base, run({ latencies: steady(10), retries: 100, duplicates: 5 }));
    expect(byKey(worse, 'retriesPerNotification')).toMatchObject({ base: 0.01, candidate: 0.1, regression: true });
    expect(byKey(worse, 'duplicateRate')).toMatchObject({ base: 0.1, candidate: 0.5, regression: true });

    const noLedger = compareResults(base, run({ latencies: steady(10), retries: 10 }));
    expect(noLedger.metrics.some((m) => m.key === 'duplicateRate')).toBe(false);
    expect(noLedger.notes).toContain('duplicates: not compared, only the base ran against a mock ledger');
  });

  it('leaves out latency when one side has none and notes different scenarios', () => {
    const comparison = compareResults(run({ latencies: steady(10) }), run({ latencies: [], failed: 10, scenario: 'other' }));
    expect(comparison.metrics.some((m) => m.key.startsWith('latency.accepted'))).toBe(false);
    expect(comparison.notes).toContain('latency: not compared, candidate has no values');
    expect(comparison.notes).toContain('different scenarios: smoke vs other');
    expect(comparison.regressions).toEqual(expect.arrayContaining(['rate.achieved', 'errorRate']));
  });

  it('rejects negative or non-finite tolerances', () => {
    const base = run({ latencies: steady(10) });
    expect(() => compareResults(base, base, { maxLatencyIncreasePct: -1 })).toThrow(InvalidArgumentError);
    expect(() => compareResults(base, base, { maxErrorRateIncreasePp: Number.NaN })).toThrow(/maxErrorRateIncreasePp/);
    expect(() => compareResults(base, base, { maxThroughputDropPct: 101 })).toThrow(InvalidArgumentError);
  });
});

describe('formatComparison', () => {
  it('prints one row per metric with its verdict, then the regressions', () => {
    const text = formatComparison(compareResults(run({ latencies: steady(100) }), run({ latencies: steady(120) })));
    const p50 = text.split('\n').find((line) => line.startsWith('latency p50 (ms)')) ?? '';
    expect(p50).toMatch(/^latency p50 \(ms\)\s+10\d\.\d\d\s+12\d\.\d\d\s+\+\d+\.\d\d \(\+1\d\.\d%\)\s+≤ 11\d\.\d\d\s+✗ REGRESSION$/);
    expect(text).toMatch(/^error rate\s+0\.00%\s+0\.00%\s+0\.00 pp\s+≤ 0\.50%\s+✓$/m);
    expect(text).toMatch(/✗ 8 regression\(s\): latency p50, latency p90, latency p99, latency p99\.9, attempt/);
    // The maximum is one sample: shown, not gated.
    expect(text).toMatch(/^latency max \(ms\)\s+10\d\.\d\d\s+12\d\.\d\d\s+\+\d+\.\d\d \(\+1\d\.\d%\)\s+—\s+not gated$/m);
    expect(text).not.toContain('\x1b[');
  });

  it('says so when nothing regressed, and colours only on request', () => {
    const base = run({ latencies: steady(10) });
    expect(formatComparison(compareResults(base, base))).toContain('✓ no regression');
    expect(formatComparison(compareResults(base, base), { color: true })).toContain('\x1b[32m✓\x1b[0m no regression');
  });

  it('strips control characters from names that come from files', () => {
    const text = formatComparison(compareResults(run({ latencies: steady(10), scenario: 'evil\x1b[2J' }), run({ latencies: steady(10) })));
    expect(text).not.toContain('\x1b');
    expect(text).toContain('evil?[2J');
  });
});
