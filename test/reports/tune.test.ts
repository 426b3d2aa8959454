/** The tuning report: metrics of a Result, the ranking rule, and the table with the winner's YAML. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatTune, rankVariants, tuneMetrics, tuneReport, withoutResults } from '../../reports/tune.js';
import type { TuneMetrics, TunedVariant } from '../../reports/tune.js';
import { useSampleRun } from './fixtures.js';

const sample = useSampleRun();

/** 1000 scheduled, all accepted in one attempt, p99 10 ms, no duplicates, unless overridden. */
function metrics(overrides: Partial<TuneMetrics> = {}): TuneMetrics {
  const base: TuneMetrics = { scheduled: 1000, accepted: 1000, deliveryRate: 1, rejected: 0, undelivered: 0, duplicates: 0, attemptsPerNotification: 1, retriesPerNotification: 0, p99Ms: 10 };
  const merged = { ...base, ...overrides };
  return { ...merged, deliveryRate: merged.accepted / merged.scheduled };
}

describe('tuneMetrics', () => {
  it('reads delivery, undelivered, attempts and retries per notification and the accepted p99 from a Result', () => {
    const m = tuneMetrics(sample.result);
    // fixtures.ts sampleRun: 10 scheduled, 4 accepted (5 attempts), 3 rejected (3), 1 failed (3), 1 expired and 1 dropped (none).
    expect(m).toEqual({ scheduled: 10, accepted: 4, deliveryRate: 0.4, rejected: 3, undelivered: 3, duplicates: null, attemptsPerNotification: 1.1, retriesPerNotification: 0, p99Ms: sample.result.latencyMs.accepted.p99 });
    expect(m.p99Ms).toBeGreaterThan(39);
  });
});

describe('rankVariants', () => {
  it('puts the most delivered first, whatever it costs in duplicates, attempts or latency', () => {
    expect(rankVariants([metrics({ accepted: 990 }), metrics({ accepted: 999, duplicates: 40, attemptsPerNotification: 2, p99Ms: 900 })])).toEqual([1, 0]);
  });

  it('breaks a delivery tie on fewer duplicates, then fewer attempts per notification, then the lower p99', () => {
    expect(rankVariants([metrics({ duplicates: 3 }), metrics({ duplicates: 1, attemptsPerNotification: 1.5 })])).toEqual([1, 0]);
    expect(rankVariants([metrics({ attemptsPerNotification: 1.2, p99Ms: 5 }), metrics({ attemptsPerNotification: 1.1, p99Ms: 50 })])).toEqual([1, 0]);
    expect(rankVariants([metrics({ p99Ms: 12 }), metrics({ p99Ms: 11 }), metrics({ p99Ms: null })])).toEqual([1, 0, 2]);
  });

  it('keeps grid order for exact ties, and counts missing duplicates (no ledger) as none', () => {
    expect(rankVariants([metrics(), metrics({ duplicates: null }), metrics()])).toEqual([0, 1, 2]);
    expect(rankVariants([metrics({ accepted: 0, p99Ms: null }), metrics({ accepted: 0, p99Ms: null })])).toEqual([0, 1]);
    expect(rankVariants([])).toEqual([]);
  });
});

describe('formatTune', () => {
  const variants: TunedVariant[] = [
    { label: 'retry off · breaker off', policies: { retry: false, circuitBreaker: false }, metrics: metrics({ accepted: 750, rejected: 250 }) },
    { label: 'retry 3×50ms · breaker 0.5/5s', policies: { retry: { maxAttempts: 3, baseDelayMs: 50 }, circuitBreaker: {} }, metrics: metrics({ attemptsPerNotification: 1.25, retriesPerNotification: 0.25, p99Ms: 61.5 }) },
    { label: 'retry 5×50ms · breaker off', policies: { retry: { maxAttempts: 5, baseDelayMs: 50 }, circuitBreaker: false }, metrics: metrics({ attemptsPerNotification: 1.25, retriesPerNotification: 0.25, p99Ms: 70, duplicates: 2 }) },
  ];
  const report = tuneReport('brownout', '1000 notifications at 2000/s', 3, variants);

  it('prints one row per variant, best first, and marks the winner', () => {
    const text = formatTune(report);
    const rows = text.split('\n').filter((line) => /^\d+\s/.test(line));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^1\s+retry 3×50ms · breaker 0\.5\/5s\s+100\.00%\s+0\s+0\s+0\s+1\.250\s+0\.250\s+61\.50\s+★ best$/);
    expect(rows[1]).toMatch(/^2\s+retry 5×50ms · breaker off\s+100\.00%.*\s2\s+1\.250.*70\.00$/);
    expect(rows[2]).toMatch(/^3\s+retry off · breaker off\s+75\.00%\s+250\s/);
    expect(text.match(/★ best/g)).toHaveLength(1);
    expect(text).toContain('scenario brownout · 1000 notifications at 2000/s · 3 of 3 variant(s) run');
    expect(text).not.toContain('\x1b[');
    expect(formatTune(report, { color: true })).toContain('\x1b[32m★ best\x1b[0m');
  });

  it("ends with the winner's policies as YAML that parses back to them", () => {
    const text = formatTune(report);
    const [, yaml = ''] = text.split('best: retry 3×50ms · breaker 0.5/5s — paste into the scenario:\n');
    expect(parse(yaml)).toEqual({ policies: { retry: { maxAttempts: 3, baseDelayMs: 50 }, circuitBreaker: {} } });
  });

  it('says when tuning was interrupted, and prints no YAML when no variant finished', () => {
    const partial = formatTune(tuneReport('brownout', 'plan', 5, variants));
    expect(partial).toContain('interrupted: 2 variant(s) did not finish');
    const none = formatTune(tuneReport('brownout', 'plan', 5, []));
    expect(none).not.toContain('policies:');
    expect(none).toContain('0 of 5 variant(s) run');
  });

  it('neutralises control characters from a scenario file', () => {
    expect(formatTune(tuneReport('evil\x1b[2J', 'plan', 0, []))).toContain('scenario evil?[2J');
  });

  it('withoutResults drops each full Result, and keeps the rest', () => {
    const withResult = tuneReport('s', 'plan', 1, [{ ...(variants[0] as TunedVariant), result: sample.result }]);
    const stripped = withoutResults(withResult);
    expect(stripped.variants[0]).not.toHaveProperty('result');
    expect(stripped.best).not.toHaveProperty('result');
    expect(stripped).toMatchObject({ schema: 'pushsim.tune/1', ranking: [0], best: { label: 'retry off · breaker off' } });
  });
});
