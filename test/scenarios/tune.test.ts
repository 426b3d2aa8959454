/**
 * Policy tuning: the grid's expansion and validation (pure), and one small real tuning against the
 * in-process mock APNs, where a fault makes retries matter. Ranking itself: test/reports/tune.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { MAX_VARIANTS, expandGrid, tunePolicies } from '../../scenarios/tune.js';
import type { PolicyGrid } from '../../scenarios/tune.js';
import { configProblems } from '../helpers/config-problems.js';

const small: ScenarioConfig = {
  ...defaultScenario,
  target: { kind: 'mock', provider: 'apns', tls: false, worker: false, latency: { kind: 'fixed', ms: 1 } },
  load: { executor: 'constant-arrival-rate', rate: 4000, count: 400 },
  tokens: { count: 100, unregisteredRatio: 0, seed: 3 },
  warmup: 0,
};

const problemsOf = (base: ScenarioConfig, grid: PolicyGrid): readonly string[] => configProblems(() => expandGrid(base, grid));

describe('expandGrid', () => {
  it('is the cartesian product, retry outer and breaker inner, each list in its order, with a label each', () => {
    const variants = expandGrid(small, { retry: { maxAttempts: [1, 3], baseDelayMs: [10, 50] }, circuitBreaker: { enabled: [true, false] } });
    expect(variants.map((v) => v.label)).toEqual([
      'retry 1×10ms · breaker 0.5/5s',
      'retry 1×10ms · breaker off',
      'retry 1×50ms · breaker 0.5/5s',
      'retry 1×50ms · breaker off',
      'retry 3×10ms · breaker 0.5/5s',
      'retry 3×10ms · breaker off',
      'retry 3×50ms · breaker 0.5/5s',
      'retry 3×50ms · breaker off',
    ]);
    expect(variants[5]?.policies).toEqual({ retry: { maxAttempts: 3, baseDelayMs: 10 }, circuitBreaker: false });
    expect(variants[0]?.policies).toEqual({ retry: { maxAttempts: 1, baseDelayMs: 10 }, circuitBreaker: {} });
  });

  it("builds on the scenario's own settings, turns a policy it had off back on, and keeps what the grid leaves alone", () => {
    const base: ScenarioConfig = { ...small, policies: { retry: { maxAttempts: 4, budget: { ratio: 0.5 } }, circuitBreaker: false } };
    const variants = expandGrid(base, { retry: { enabled: [false, true], baseDelayMs: [5], maxDelayMs: [200], retryMaybeProcessed: [false] }, circuitBreaker: { openMs: [500] } });
    expect(variants).toEqual([
      { label: 'retry off · breaker 0.5/500ms', policies: { retry: false, circuitBreaker: { openMs: 500 } } },
      {
        label: 'retry 4×5ms ≤200ms unprocessed-only · breaker 0.5/500ms',
        policies: { retry: { maxAttempts: 4, budget: { ratio: 0.5 }, baseDelayMs: 5, maxDelayMs: 200, retryMaybeProcessed: false }, circuitBreaker: { openMs: 500 } },
      },
    ]);
    expect(expandGrid(base, {})).toEqual([{ label: 'retry 4×100ms · breaker off', policies: base.policies }]);
  });

  it(`refuses more than ${MAX_VARIANTS} combinations, saying how many were asked for`, () => {
    const nine = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    // Breaker off once, plus on with each error rate: 9 × (1 + 7) = 72.
    const problems = problemsOf(small, { retry: { maxAttempts: nine }, circuitBreaker: { enabled: [true, false], errorRate: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7] } });
    expect(problems).toEqual([`the grid asks for 72 combinations (9 retry × 8 circuit-breaker settings); at most ${MAX_VARIANTS} run, one after the other: shorten a list`]);
    expect(expandGrid(small, { retry: { maxAttempts: nine }, circuitBreaker: { enabled: [true, false], errorRate: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] } })).toHaveLength(63);
  });

  it("lists every problem at once, each bad value with its path, with the scenario's own", () => {
    const grid = {
      retry: { maxAttempts: [0, 3, 3, 101], baseDelayMs: [-1], jitter: [1] },
      circuitBreaker: { enabled: [false], errorRate: [2], openMs: [] },
      fallback: {},
    } as unknown as PolicyGrid;
    expect(problemsOf({ ...small, warmup: -1 }, grid)).toEqual([
      expect.stringMatching(/^warmup must be/),
      'fallback is not a policy the grid can vary; use retry or circuitBreaker',
      'retry.maxAttempts[0]: retry maxAttempts must be an integer from 1 to 100, got 0',
      'retry.maxAttempts[2] repeats 3',
      'retry.maxAttempts[3]: retry maxAttempts must be an integer from 1 to 100, got 101',
      'retry.baseDelayMs[0]: retry baseDelayMs must be an integer from 0 to 2147483647, got -1',
      'retry.jitter cannot be tuned; use one of enabled, maxAttempts, baseDelayMs, maxDelayMs, retryMaybeProcessed',
      'circuitBreaker.errorRate[0]: circuit breaker errorRate must be a number from 5e-324 to 1, got 2',
      'circuitBreaker.openMs must be a non-empty list, got []',
      'circuitBreaker.enabled has no true, so no variant would use the other circuitBreaker lists: add true or remove them',
    ]);
    expect(problemsOf(small, { retry: { enabled: ['no'], retryMaybeProcessed: [1] } } as unknown as PolicyGrid)).toEqual([
      'retry.enabled[0] must be true or false, got "no"',
      'retry.retryMaybeProcessed[0] must be true or false, got 1',
    ]);
  });
});

describe('tunePolicies', () => {
  it('runs each variant on fresh mocks with the same faults, and ranks the one that retries first', async () => {
    // Every token's first attempt meets a 503: without retries those notifications are lost. The
    // budget lets every one of them retry (the default, 20 % of first attempts, would not).
    const base: ScenarioConfig = { ...small, policies: { retry: { budget: { ratio: 1 } }, circuitBreaker: false }, faults: { faults: [{ kind: 'outage', id: 'first-try', firstNPerToken: 1 }] } };
    const runs: string[] = [];
    const report = await tunePolicies(base, { retry: { enabled: [false, true], maxAttempts: [3], baseDelayMs: [1] } }, { onRun: (index, total, label) => runs.push(`${index + 1}/${total} ${label}`) });
    expect(runs).toEqual(['1/2 retry off · breaker off', '2/2 retry 3×1ms · breaker off']);
    const [off, retrying] = report.variants;
    expect(off?.metrics).toMatchObject({ scheduled: 400, rejected: 100, undelivered: 0, duplicates: 0, retriesPerNotification: 0, deliveryRate: 0.75 });
    expect(retrying?.metrics).toMatchObject({ scheduled: 400, accepted: 400, deliveryRate: 1, duplicates: 0, attemptsPerNotification: 1.25, retriesPerNotification: 0.25 });
    // Same seeds, same faults: each run met the fault once per token.
    expect(report.variants.map((v) => v.result?.faults)).toEqual([
      [{ id: 'first-try', kind: 'outage', injected: 100 }],
      [{ id: 'first-try', kind: 'outage', injected: 100 }],
    ]);
    expect(report.ranking).toEqual([1, 0]);
    expect(report.best?.label).toBe('retry 3×1ms · breaker off');
    expect(report).toMatchObject({ scenario: 'default', planned: 2, plan: expect.stringContaining('400') });
  });

  it('runs nothing once the signal has fired, and reports that no variant finished', async () => {
    const abort = new AbortController();
    abort.abort();
    const report = await tunePolicies(small, { retry: { enabled: [false, true] } }, { signal: abort.signal, onRun: () => expect.unreachable() });
    expect(report).toMatchObject({ planned: 2, variants: [], ranking: [] });
    expect(report.best).toBeUndefined();
  });
});
