/**
 * `tune --virtual` on worker threads (scenarios/tune-threads.ts): the same report as one thread —
 * every variant's result, metrics and the ranking — whatever order the threads finish in; errors
 * and a stop come back as they would one after the other.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidConfigError } from '../../core/errors.js';
import type { TuneReport } from '../../reports/tune.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { tunePolicies } from '../../scenarios/tune.js';
import type { PolicyGrid } from '../../scenarios/tune.js';
import { simulateInThreads } from '../../scenarios/tune-threads.js';

/** The real tune thread, its .ts sources loaded by a shim (the compiled script exists only in dist/). */
const threadScript = new URL('./fixtures/ts-tune-thread.mjs', import.meta.url);

/** Everything but the real time each result was made at. */
function comparable(report: TuneReport): string {
  return JSON.stringify(report, (key, value: unknown) => (key === 'startedAt' ? undefined : value));
}

const grid: PolicyGrid = { retry: { maxAttempts: [1, 4] }, circuitBreaker: { enabled: [true, false] } };

/** Small, with 500s from the first second and a timeout-long outage later: retries and the breaker change the outcome. */
async function brownout(): Promise<ScenarioConfig> {
  return {
    ...defaultScenario,
    name: 'threads',
    target: { kind: 'mock', provider: 'apns', tls: false, latency: { kind: 'lognormal', medianMs: 20, sigma: 0.5 }, worker: false },
    load: { executor: 'constant-arrival-rate', rate: 1000, count: 2000 },
    tokens: { count: 500, unregisteredRatio: 0.01, seed: 1 },
    faults: {
      seed: 7,
      phases: [{ name: 'brownout', durationMs: 1000 }, { name: 'outage', durationMs: 500 }, { name: 'recovering' }],
      faults: [
        { kind: 'error', id: 'errors', phase: 'brownout', probability: 0.3, apns: 'InternalServerError' },
        { kind: 'outage', id: 'outage', phase: 'outage' },
      ],
    },
  } as ScenarioConfig;
}

describe('tunePolicies on virtual time over threads', () => {
  it('ranks the same variants with byte-identical results on 2 threads as on one, and reports each as it finishes', async () => {
    const base = await brownout();
    const sequential = await tunePolicies(base, grid, { virtual: { seed: 5 } });
    const finished: string[] = [];
    const parallel = await tunePolicies(base, grid, { virtual: { seed: 5, threads: 2, threadScript }, onResult: (index, total, label) => finished.push(`${index + 1}/${total} ${label}`) });
    expect(parallel.variants).toHaveLength(4);
    expect(comparable(parallel)).toBe(comparable(sequential));
    // Retries make a difference in a brownout: the comparison is not between four equal results.
    expect(new Set(parallel.variants.map((v) => v.metrics.attemptsPerNotification)).size).toBeGreaterThan(1);
    expect([...finished].sort()).toEqual(sequential.variants.map((v, i) => `${i + 1}/4 ${v.label}`).sort());
  }, 120_000);

  it('passes the seed to every thread: another seed, other results', async () => {
    const base = await brownout();
    const a = await tunePolicies(base, { retry: { maxAttempts: [1, 4] } }, { virtual: { seed: 5, threads: 2, threadScript } });
    const b = await tunePolicies(base, { retry: { maxAttempts: [1, 4] } }, { virtual: { seed: 6, threads: 2, threadScript } });
    expect(comparable(a)).not.toBe(comparable(b));
  }, 120_000);
});

describe('simulateInThreads', () => {
  it("rejects with the variant's own error class when its simulation fails", async () => {
    const base = await brownout();
    const bad = { ...base, load: { executor: 'constant-arrival-rate', rate: -1, count: 10 } } as unknown as ScenarioConfig;
    await expect(simulateInThreads([bad, base], { threads: 1, script: threadScript })).rejects.toThrow(InvalidConfigError);
  }, 120_000);

  it('takes no result after the stop: an answer that arrives while the threads end is neither reported nor put in the returned results', async () => {
    const base = await brownout();
    const instant = new URL('./fixtures/instant-tune-thread.mjs', import.meta.url);
    const abort = new AbortController();
    const reported: number[] = [];
    // The thread answers twice at once; the first answer stops the tune, the second is already queued behind it.
    const results = await simulateInThreads([base, base], {
      threads: 1,
      script: instant,
      signal: abort.signal,
      onResult: (index) => {
        reported.push(index);
        abort.abort();
      },
    });
    const snapshot = JSON.stringify(results);
    expect(snapshot).toBe('[{"variant":0},null]');
    // Nothing is reported or lands in the array after it was handed back either.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reported).toEqual([0]);
    expect(JSON.stringify(results)).toBe(snapshot);
  });

  it('returns nothing for variants not run when stopped before the start, and refuses a bad thread count or a missing script', async () => {
    const base = await brownout();
    const abort = new AbortController();
    abort.abort();
    expect(await simulateInThreads([base, base], { threads: 2, script: threadScript, signal: abort.signal })).toEqual([undefined, undefined]);
    expect(() => simulateInThreads([base], { threads: 0, script: threadScript })).toThrow(InvalidArgumentError);
    expect(() => simulateInThreads([base], { threads: 2, script: new URL('./fixtures/no-such-thread.mjs', import.meta.url) })).toThrow(/npm run build/);
  });
});
