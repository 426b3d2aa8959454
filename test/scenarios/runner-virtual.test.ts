/**
 * The runner on a VirtualScheduler: planned times, the per-second timeline, retries and the graceful
 * stop all run on virtual time, the result says it is virtual and carries nothing that only real
 * time has (pauses, validity, fire lag). The transport here is a minimal test double answering on the
 * scheduler; the simulated mocks themselves are tested in scenarios/virtual-transport.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../core/scheduler.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { ScenarioRun } from '../../scenarios/runner.js';
import { describe as describeTarget } from '../../scenarios/target.js';
import { makeTokens } from '../../scenarios/tokens.js';
import { DeliveryLedger } from '../../simulator/ledger/ledger.js';
import type { DispatchContext, Transport, TransportRequest, TransportResult } from '../../sender/transport.js';

const p8 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Answers every request `latencyMs` later on the scheduler: 503 while `down(now)`, else 200. */
function fakeProvider(scheduler: VirtualScheduler, latencyMs: number, down: (now: number) => boolean): Transport {
  let running = 0;
  return {
    origin: 'http://simulated.invalid',
    dispatch: (_request: TransportRequest, context: DispatchContext) => {
      context.attempts++;
      const at = scheduler.monotonic();
      context.sentAt ??= at;
      context.streamAt = at;
      running++;
      return scheduler.sleep(latencyMs).then((): TransportResult => {
        running--;
        return down(scheduler.monotonic()) ? { ok: true, status: 503, headers: {}, body: Buffer.from('{"reason":"ServiceUnavailable"}') } : { ok: true, status: 200, headers: { 'apns-id': 'x' }, body: Buffer.alloc(0) };
      });
    },
    stats: () => ({ connected: 1, running, queued: 0, capacity: 1000 }),
    close: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
}

function virtualRun(config: ScenarioConfig, down: (now: number) => boolean): { run: ScenarioRun; scheduler: VirtualScheduler } {
  const scheduler = new VirtualScheduler({ epochMs: Date.UTC(2026, 0, 1) });
  const transport = fakeProvider(scheduler, 20, down);
  const ledger = new DeliveryLedger();
  const target = describeTarget(
    { apns: { url: transport.origin, ca: undefined, placement: 'simulated', credentials: { keyId: 'KEY1234567', teamId: 'TEAM123456', privateKey: p8 }, recipients: makeTokens(100, 0, 1).tokens, transport } },
    [],
    [{ startMeasuring: async () => ledger.clear(), ledger: async () => ledger.summary(), faults: async () => [], injections: async () => undefined }],
  );
  let seed = 1;
  const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  return { run: new ScenarioRun(config, { scheduler, openTarget: async () => target, random }), scheduler };
}

const scenario: ScenarioConfig = {
  ...defaultScenario,
  name: 'virtual',
  load: { executor: 'constant-arrival-rate', rate: 100, count: 6000 }, // a virtual minute
  policies: { retry: { maxAttempts: 3, baseDelayMs: 100 }, circuitBreaker: false },
};

describe('ScenarioRun on virtual time', () => {
  it('runs a virtual minute with its planned times, latency and timeline on the virtual clock', async () => {
    const { run, scheduler } = virtualRun(scenario, () => false);
    const result = await run.execute();
    expect(result.counts).toMatchObject({ scheduled: 6000, accepted: 6000 });
    // The last notification is planned at 59.99 s and answered 20 ms later.
    expect(result.durationMs).toBeCloseTo(60_010, 0);
    expect(result.virtual).toEqual({ durationMs: result.durationMs, seed: 1 });
    expect(result.latencyMs.accepted.p50).toBeCloseTo(20, 0);
    expect(result.latencyMs.accepted.max).toBeLessThan(21);
    expect(result.timeline).toHaveLength(61);
    expect(result.timeline?.[10]).toMatchObject({ scheduled: 100, accepted: 100 });
    // What only real time has is absent rather than made up.
    expect(result.validity).toBeUndefined();
    expect(result.pauses).toBeUndefined();
    expect(scheduler.monotonic()).toBeGreaterThanOrEqual(60_000);
  });

  it('retries a 503 wave on virtual time and counts its retries per second', async () => {
    // Down from 10 s to 20 s of the run: retries with 100 ms backoff carry some notifications past it.
    const { run } = virtualRun(scenario, (now) => now >= 10_000 && now < 20_000);
    const result = await run.execute();
    expect(result.counts.scheduled).toBe(6000);
    expect(result.counts.accepted + result.counts.rejected).toBe(6000);
    expect(result.counts.rejected).toBeGreaterThan(900);
    expect(result.counts.rejected).toBeLessThan(1000);
    expect(result.timeline?.[15]?.retries).toBeGreaterThan(0);
    expect(result.timeline?.[5]?.retries ?? 0).toBe(0);
  });

  it('gives the same result twice, apart from the start timestamp', async () => {
    const down = (now: number): boolean => now >= 10_000 && now < 12_000;
    const once = async (): Promise<string> => {
      const { startedAt: _startedAt, ...rest } = await virtualRun(scenario, down).run.execute();
      return JSON.stringify(rest);
    };
    expect(await once()).toBe(await once());
  });

  it('refuses workers and shards on virtual time', () => {
    const scheduler = new VirtualScheduler();
    expect(() => new ScenarioRun(scenario, { scheduler, workers: 2 })).toThrow(/one thread on virtual time/);
    expect(() => new ScenarioRun(scenario, { scheduler, shard: { index: 0, count: 2 } })).toThrow(/not split into shards/);
  });
});
