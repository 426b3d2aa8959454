/**
 * A scenario's `faults` against the embedded mocks: paused through the warm-up, started with the
 * measured run; the mocks' ledgers and injection counts in the Result.
 */
import { describe, expect, it } from 'vitest';
import { checkInvariant } from '../../reports/result.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { ScenarioRun } from '../../scenarios/runner.js';

const small: ScenarioConfig = {
  ...defaultScenario,
  target: { kind: 'mock', provider: 'apns', tls: false, worker: false, latency: { kind: 'fixed', ms: 1 } },
  load: { executor: 'constant-arrival-rate', rate: 4000, count: 1000 },
  tokens: { count: 200, unregisteredRatio: 0, seed: 3 },
  warmup: 0,
};

describe('a scenario with faults', () => {
  it('warms up healthy: the faults, and their limits, start with the measured run', async () => {
    const config: ScenarioConfig = { ...small, warmup: 300, policies: { retry: false, circuitBreaker: false }, faults: { faults: [{ kind: 'outage', id: 'first-50', limit: 50 }] } };
    const result = await new ScenarioRun(config).execute();
    expect(result.faults).toEqual([{ id: 'first-50', kind: 'outage', injected: 50 }]);
    expect(result.byReason).toEqual({ 'apns:ServiceUnavailable': 50 });
    expect(result.counts).toMatchObject({ scheduled: 1000, accepted: 950, rejected: 50, duplicates: 0 });
    // The ledger forgot the warm-up: it holds exactly the measured run's deliveries.
    expect(result.delivery).toMatchObject({ delivered: 950, unique: 950, duplicates: 0, unidentified: 0, byPhase: { run: { delivered: 950, duplicates: 0 } } });
    expect(checkInvariant(result)).toBeUndefined();
  });

  it('counts the duplicates that lost acknowledgements and retries cause, and attributes deliveries to phases', async () => {
    const config: ScenarioConfig = {
      ...small,
      policies: { retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 } },
      faults: { seed: 5, phases: [{ name: 'flaky', durationMs: 3_600_000 }], faults: [{ kind: 'accept-then-fail', id: 'lost-acks', phase: 'flaky', probability: 0.05 }] },
    };
    const result = await new ScenarioRun(config).execute();
    const injected = result.faults?.[0]?.injected ?? 0;
    expect(injected).toBeGreaterThan(10);
    const delivery = result.delivery;
    expect(delivery).toBeDefined();
    if (delivery === undefined) return;
    // Each lost acknowledgement was a delivery the sender retried: one duplicate per injection
    // (a retry may meet the fault again, which delivers the same notification once more).
    expect(delivery.duplicates).toBe(injected);
    expect(result.counts.duplicates).toBe(delivery.duplicates);
    expect(delivery.delivered).toBe(delivery.unique + delivery.duplicates);
    expect(delivery.unique).toBe(result.counts.scheduled);
    expect(delivery.byPhase).toEqual({ flaky: { delivered: delivery.delivered, duplicates: delivery.duplicates } });
    expect(result.counts.accepted).toBe(1000);
    // Every delivered notification was acknowledged in the end, by a successful retry.
    expect(delivery).toMatchObject({ acknowledged: 1000, notAcknowledged: 0, notAcknowledgedExact: true });
  });

  it('shows delivered-but-not-acknowledged notifications, and counts accept-then-fail only where the mock delivered', async () => {
    const config: ScenarioConfig = {
      ...small,
      tokens: { count: 200, unregisteredRatio: 0.1, seed: 3 },
      policies: { retry: false, circuitBreaker: false },
      faults: { seed: 7, faults: [{ kind: 'accept-then-fail', id: 'lost-acks', probability: 0.1 }] },
    };
    const result = await new ScenarioRun(config).execute();
    const injected = result.faults?.[0]?.injected ?? 0;
    const failedAfterDelivery = result.byReason['apns:ServiceUnavailable'] ?? 0;
    const dead = result.byReason['apns:Unregistered'] ?? 0;
    expect(injected).toBeGreaterThan(20);
    expect(dead).toBeGreaterThan(50);
    // The fault picked dead tokens too (10 % of every request), but the mock rejected those: only
    // the deliveries it failed afterwards are injections.
    expect(injected).toBe(failedAfterDelivery);
    // Each of them reached the device while the sender saw a 503 and gave up (no retry).
    expect(result.delivery).toMatchObject({
      delivered: result.counts.accepted + injected,
      unique: result.counts.accepted + injected,
      acknowledged: result.counts.accepted,
      notAcknowledged: injected,
      notAcknowledgedExact: true,
      byProvider: { apns: { delivered: result.counts.accepted + injected, duplicates: 0, acknowledged: result.counts.accepted, notAcknowledged: injected } },
    });
    expect(checkInvariant(result)).toBeUndefined();
  });

  it('refuses faults for an external origin, pointing at the fault proxy', () => {
    const url: ScenarioConfig = { ...small, target: { kind: 'url', provider: 'apns', url: 'http://127.0.0.1:1', credentials: { keyFile: 'k.p8', keyId: 'K', teamId: 'T' } }, faults: { faults: [] } };
    expect(() => new ScenarioRun(url)).toThrow(/pushsim proxy --upstream URL --faults FILE/);
  });

  it('lists every problem of its fault spec with the scenario’s own', () => {
    const broken: ScenarioConfig = { ...small, warmup: -1, faults: { faults: [{ kind: 'eror' } as never, { kind: 'error', probability: 2 } as never] } };
    expect(() => new ScenarioRun(broken)).toThrow(/4 problem/);
    try {
      new ScenarioRun(broken);
    } catch (error) {
      const problems = (error as { problems: string[] }).problems;
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^warmup/), expect.stringMatching(/^faults\.faults\[0\]\.kind/), expect.stringMatching(/^faults\.faults\[1\]\.probability/)]));
    }
  });
});
