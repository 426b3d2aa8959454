/**
 * The runner keeps pushsim's own doing apart from the target's: what its stop cuts, when it was
 * interrupted, a target it cannot reach, faults that cannot fire — and times breaker transitions and
 * fault phases on the measured run's clock.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInvariant } from '../../reports/result.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { ScenarioRun, phasesOnRunClock } from '../../scenarios/runner.js';

const small: ScenarioConfig = {
  ...defaultScenario,
  target: { kind: 'mock', provider: 'apns', tls: false, worker: false, latency: { kind: 'fixed', ms: 1 } },
  load: { executor: 'constant-arrival-rate', rate: 2000, count: 400 },
  tokens: { count: 200, unregisteredRatio: 0, seed: 3 },
  warmup: 0,
};

describe('ScenarioRun: the end of the run is pushsim’s', () => {
  it('counts what its graceful stop cut as pushsim:shutdown, apart, never retried nor held against the breaker', async () => {
    const config: ScenarioConfig = {
      ...small,
      gracefulStopMs: 1000,
      // Every other request is never answered: those are on the wire when the stop runs out.
      faults: { faults: [{ kind: 'stall', id: 'blackhole', everyNth: 2 }] },
      policies: { circuitBreaker: { consecutiveFailures: 1 } },
    };
    const result = await new ScenarioRun(config).execute();
    const { counts, byReason } = result;
    // The 200 never answered were on the wire when the stop ran out (on a busy machine a few answered
    // ones may still be waiting too): all of them cut as pushsim's, none failed, none retried.
    expect(counts.shutdownInFlight).toBeGreaterThanOrEqual(200);
    expect(byReason['pushsim:shutdown']).toBe(counts.shutdownInFlight);
    expect(counts.dropped).toBe((counts.shutdownInFlight ?? 0) + (counts.shutdownQueued ?? 0));
    expect(counts.accepted + counts.dropped).toBe(400);
    expect(counts.failed).toBe(0);
    expect(counts.retries).toBe(0);
    expect(Object.keys(byReason).filter((key) => key.startsWith('apns:'))).toEqual([]);
    expect(result.breakerTransitions).toEqual([]);
    expect(checkInvariant(result)).toBeUndefined();
  });

  it('marks a result interrupted with the signal and when, and still accounts for every notification', async () => {
    const abort = new AbortController();
    const run = new ScenarioRun({ ...small, load: { executor: 'constant-arrival-rate', rate: 500, count: 100_000 } }, { signal: abort.signal });
    let outcomes = 0;
    run.on('outcome', () => {
      if (++outcomes === 50) abort.abort('SIGTERM');
    });
    const result = await run.execute();
    expect(result.interrupted?.signal).toBe('SIGTERM');
    expect(result.interrupted?.atMs).toBeGreaterThan(0);
    expect(result.interrupted?.duringWarmup).toBeUndefined();
    expect(result.counts.scheduled).toBeLessThan(100_000);
    expect(checkInvariant(result)).toBeUndefined();
  });
});

describe('ScenarioRun: an unreachable target', () => {
  it('stops at the first refused connection with the cause, and measures nothing it did not send', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-unreachable-'));
    const keyFile = join(dir, 'key.p8');
    await writeFile(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const config: ScenarioConfig = {
      ...small,
      target: { kind: 'url', provider: 'apns', url: 'http://127.0.0.1:1', credentials: { keyFile, keyId: 'ABCDEFGHIJ', teamId: 'ABCDEFGHIJ' } },
      load: { executor: 'constant-arrival-rate', rate: 500, count: 100_000 },
    };
    const run = new ScenarioRun(config);
    const warnings: string[] = [];
    run.on('warning', (w) => warnings.push(w));
    const result = await run.execute();
    expect(result.unreachable).toMatchObject({ origin: 'http://127.0.0.1:1', cause: 'ECONNREFUSED' });
    expect(result.unreachable?.message).toContain('ECONNREFUSED');
    expect(warnings.some((w) => w.startsWith('target unreachable: http://127.0.0.1:1: ECONNREFUSED'))).toBe(true);
    // Stopped at once, not after 200 s of planned sending; and nothing invented about it.
    expect(result.counts.scheduled).toBeLessThan(100);
    expect(result.counts.accepted + result.counts.rejected).toBe(0);
    expect(result.byReason['apns:PUSHSIM_ERR_CIRCUIT_OPEN']).toBeUndefined();
    expect(result.validity).toBeUndefined();
    expect(checkInvariant(result)).toBeUndefined();
  });
});

describe('ScenarioRun: one clock', () => {
  it('times breaker transitions and fault phases from the first measured send, not from before the warm-up', async () => {
    // The warm-up takes at least 2,000 / 50 at a time × 20 ms = 800 ms: a clock started before it
    // would put the breaker's opening at least that much after the outage began.
    const config: ScenarioConfig = {
      ...small,
      target: { kind: 'mock', provider: 'apns', tls: false, worker: false, latency: { kind: 'fixed', ms: 20 } },
      warmup: 2000,
      load: { executor: 'constant-arrival-rate', rate: 1000, count: 1500 },
      policies: { retry: false, circuitBreaker: { consecutiveFailures: 5, openMs: 60_000 } },
      faults: { phases: [{ name: 'healthy', durationMs: 700 }, { name: 'down' }], faults: [{ kind: 'outage', id: 'down', phase: 'down' }] },
    };
    const result = await new ScenarioRun(config).execute();
    const [healthy, down] = result.phases ?? [];
    expect(healthy).toMatchObject({ name: 'healthy', startMs: 0 });
    // Its timeline started when the faults did, a moment before the first planned send.
    expect(healthy?.endMs).toBeGreaterThan(600);
    expect(healthy?.endMs).toBeLessThanOrEqual(700);
    expect(down?.startMs).toBe(healthy?.endMs);
    expect(down?.endMs).toBe(Math.round(result.durationMs));
    const opened = result.breakerTransitions?.find((t) => t.to === 'open');
    // It opened on the outage's first failures: after the phase began, sooner than the warm-up lasted.
    expect(opened?.atMs).toBeGreaterThanOrEqual(down?.startMs ?? 0);
    expect(opened?.atMs).toBeLessThan((down?.startMs ?? 0) + 800);
    expect(opened?.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('names the Web Push origin whose breaker moved, never "*"', async () => {
    const config: ScenarioConfig = {
      ...small,
      target: { kind: 'mock', provider: 'webpush', tls: false, worker: false, latency: { kind: 'fixed', ms: 1 } },
      load: { executor: 'constant-arrival-rate', rate: 1000, count: 100 },
      policies: { retry: false, circuitBreaker: { consecutiveFailures: 5, openMs: 60_000 } },
      faults: { faults: [{ kind: 'outage', id: 'down' }] },
    };
    const result = await new ScenarioRun(config).execute();
    expect(result.breakerTransitions?.map((t) => `${t.origin} ${t.from}->${t.to}`)).toEqual([`${result.target} closed->open`]);
    expect(result.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('puts phases on the run clock cut to the run, leaving out those that had not begun', () => {
    const phases = [{ name: 'a', durationMs: 1000 }, { name: 'b', durationMs: 5000 }, { name: 'c' }];
    expect(phasesOnRunClock(phases, 2.4, 3000)).toEqual([
      { name: 'a', startMs: 0, endMs: 998 },
      { name: 'b', startMs: 998, endMs: 3000 },
    ]);
  });
});

describe('ScenarioRun: faults that cannot fire', () => {
  it('warns at the start and records the warning in the result', async () => {
    const config: ScenarioConfig = {
      ...small,
      faults: { phases: [{ name: 'healthy', durationMs: 60_000 }, { name: 'brownout' }], faults: [{ kind: 'outage', id: 'late', phase: 'brownout' }, { kind: 'outage', id: 'fcm', match: { provider: 'fcm' } }] },
    };
    const run = new ScenarioRun(config);
    const warnings: string[] = [];
    run.on('start', () => warnings.push('(start)'));
    run.on('warning', (w) => warnings.push(w));
    const result = await run.execute();
    // On a busy machine the run may also warn that its own pauses were much of the tail: not this test's subject.
    const dormant = warnings.filter((w) => !w.startsWith("pushsim's own pauses"));
    expect(dormant).toEqual([
      '(start)',
      "phase 'brownout' begins at 60 s, after the run's last notification is planned (0.2 s): its fault(s) late cannot fire",
      "fault 'fcm' cannot fire: it matches provider fcm, but the run sends to apns only",
    ]);
    expect(result.warnings).toEqual(warnings.slice(1));
    expect(result.faults).toEqual([
      { id: 'late', kind: 'outage', injected: 0 },
      { id: 'fcm', kind: 'outage', injected: 0 },
    ]);
  });
});

describe('ScenarioRun: a run shorter than a progress tick', () => {
  it('still warns that pushsim fell behind its schedule, before its result (whose validity says the same)', async () => {
    // One request on the wire at a time against a 5 ms mock, 100 planned within 10 ms: the last leaves
    // at least 490 ms late on any machine (a slower one only adds to it). No tick comes in the run.
    const config: ScenarioConfig = {
      ...small,
      target: { kind: 'mock', provider: 'apns', tls: false, worker: false, latency: { kind: 'fixed', ms: 5 } },
      load: { executor: 'constant-arrival-rate', rate: 10_000, count: 100 },
      sender: { ...small.sender, maxInFlight: 1 },
      validity: { maxSendLagMs: 200 },
    };
    const run = new ScenarioRun(config, { progressIntervalMs: 600_000 });
    const events: string[] = [];
    run.on('progress', () => events.push('(progress)'));
    run.on('warning', (w) => events.push(w));
    run.on('done', () => events.push('(done)'));
    const result = await run.execute();
    const said = events.filter((e) => !e.startsWith("pushsim's own pauses"));
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/^pushsim is falling behind its schedule: notifications leave up to \d+ ms late \(bound 200 ms\); its own in-flight limit \(sender\.maxInFlight\) is full/);
    expect(said[1]).toBe('(done)');
    expect(result.validity).toMatchObject({ valid: false, bottleneck: { kind: 'sender-in-flight-limit' } });
  });
});
