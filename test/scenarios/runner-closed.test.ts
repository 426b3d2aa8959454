/**
 * The runner with the closed model (scenarios/executors/closed.ts) against the in-process mock APNs:
 * a fixed number in flight, thresholds and reports as for any run, and a result that says its
 * latency is not corrected for coordinated omission.
 */
import { describe, expect, it } from 'vitest';
import { checkInvariant } from '../../reports/result.js';
import { parseResult } from '../../reports/result-parse.js';
import { formatText } from '../../reports/text.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { ScenarioRun } from '../../scenarios/runner.js';

const base: ScenarioConfig = {
  ...defaultScenario,
  target: { kind: 'mock', provider: 'apns', tls: false, worker: false, latency: { kind: 'fixed', ms: 20 } },
  tokens: { count: 100, unregisteredRatio: 0, seed: 5 },
  warmup: 0,
};

describe('ScenarioRun with the closed model', () => {
  it('keeps inFlight notifications open until count are sent; thresholds apply; the result declares its latency uncorrected', async () => {
    const config: ScenarioConfig = { ...base, load: { executor: 'closed', inFlight: 10, count: 200 }, thresholds: ['rate(accepted)>=0.99', 'p(99)<60000'] };
    const run = new ScenarioRun(config, { progressIntervalMs: 5 });
    const open: number[] = [];
    run.on('progress', (p) => open.push(p.inFlight));
    const result = await run.execute();
    expect(checkInvariant(result)).toBeUndefined();
    expect(result.counts).toMatchObject({ scheduled: 200, accepted: 200 });
    expect(Math.max(...open)).toBeLessThanOrEqual(10);
    // 20 rounds of 10, each waiting ≥ 20 ms for the mock: the closed model cannot go faster.
    expect(result.durationMs).toBeGreaterThanOrEqual(380);
    expect(result.rate.target).toBeNull();
    expect(result.loadModel).toEqual({ kind: 'closed', inFlight: 10, latencyCorrectedForCoordinatedOmission: false });
    expect(result.thresholds?.map((t) => t.passed)).toEqual([true, true]);
    expect(formatText(result)).toContain('closed model, 10 in flight: latency is NOT corrected for coordinated omission');
    // A report made later from result.json keeps the declaration.
    expect(parseResult(JSON.parse(JSON.stringify(result))).loadModel).toEqual(result.loadModel);
  });

  it('sends for durationMs when no count is given', async () => {
    const result = await new ScenarioRun({ ...base, load: { executor: 'closed', inFlight: 5, durationMs: 300 } }).execute();
    expect(checkInvariant(result)).toBeUndefined();
    expect(result.counts.scheduled).toBeGreaterThan(0);
    // At most 5 every 20 ms over 300 ms, plus the 5 still in flight at the end.
    expect(result.counts.scheduled).toBeLessThanOrEqual(80);
    expect(result.counts.accepted).toBe(result.counts.scheduled);
  });
});
