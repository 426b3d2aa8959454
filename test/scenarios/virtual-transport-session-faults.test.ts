/**
 * Session-level faults on virtual time (issue 17): GOAWAY on idle, at max-age and on too many
 * PINGs, `streams`, `connection` refuse and slow handshake, and `match.connection`, each run both
 * ways at a small scale — the real sender against the real mock APNs on loopback (h2c), and the
 * same simulated — and the two must agree on the outcome classes and counts (accepted, rejected,
 * failed by reason, attempts, the faults' injections). Every case leaves wide margins between the
 * events that decide the counts (≥ 50 ms against the few ms a loaded machine adds), and counts may
 * differ by a few (10 % at most beyond a small slack) where a real timer lands on the other side of a boundary. Each simulation
 * is also run twice with the same seed: the results must be identical.
 */
import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../core/scheduler.js';
import type { Result } from '../../reports/result.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { loadScenarioFile } from '../../scenarios/file.js';
import { ScenarioRun } from '../../scenarios/runner.js';
import { simulateScenario } from '../../scenarios/simulate.js';
import { createSimulatedTransport } from '../../scenarios/virtual-transport.js';
import { ApnsSender } from '../../sender/apns-sender.js';
import type { Outcome } from '../../sender/outcome.js';
import { startMockApns } from '../../simulator/apns/server.js';
import type { FaultsDocument } from '../../simulator/faults/spec.js';

interface Counts {
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
  readonly attempts: number;
  readonly byReason: Record<string, number>;
  readonly injected: Record<string, number>;
}

function counts(result: Result): Counts {
  const injected: Record<string, number> = {};
  for (const fault of result.faults ?? []) injected[fault.id] = fault.injected;
  return { accepted: result.counts.accepted, rejected: result.counts.rejected, failed: result.counts.failed, attempts: result.counts.attempts, byReason: result.byReason, injected };
}

/** The smoke example over h2c at `rate`/s, a fixed 50 ms answer, retries without a breaker. */
async function scenario(faults: FaultsDocument, rate: number, count: number): Promise<ScenarioConfig> {
  const smoke = await loadScenarioFile('scenarios/examples/smoke.yaml');
  return {
    ...smoke,
    target: { ...smoke.target, tls: false, latency: { kind: 'fixed', ms: 50 } },
    load: { executor: 'constant-arrival-rate', rate, count },
    warmup: 0,
    thresholds: [],
    faults,
    policies: { retry: { maxAttempts: 3, baseDelayMs: 50 }, circuitBreaker: false },
  } as ScenarioConfig;
}

async function bothWays(config: ScenarioConfig): Promise<{ real: Result; simulated: Result }> {
  const real = await new ScenarioRun(config).execute();
  const simulated = await simulateScenario(config);
  // Determinism: the same scenario and seed, the same result (apart from the start timestamp).
  const again = await simulateScenario(config);
  expect(JSON.stringify({ ...again, startedAt: undefined })).toBe(JSON.stringify({ ...simulated, startedAt: undefined }));
  return { real, simulated };
}

/** Equal, or within `slack` or 10 % (a real timer on the other side of a boundary, and the retries that follow). */
function expectClose(real: number, simulated: number, slack: number, what: string): void {
  const allowed = Math.max(slack, Math.ceil(0.1 * Math.max(real, simulated)));
  expect(Math.abs(real - simulated), `${what}: real ${real}, simulated ${simulated}`).toBeLessThanOrEqual(allowed);
}

function expectAgreement({ real, simulated }: { real: Result; simulated: Result }, slack: number): { real: Counts; simulated: Counts } {
  const a = counts(real);
  const b = counts(simulated);
  const context = JSON.stringify({ real: a, simulated: b });
  expect(Object.keys(b.byReason).sort(), `outcome reasons, ${context}`).toEqual(Object.keys(a.byReason).sort());
  expect(Object.keys(b.injected).sort()).toEqual(Object.keys(a.injected).sort());
  expectClose(a.accepted, b.accepted, slack, `accepted, ${context}`);
  expectClose(a.rejected, b.rejected, slack, `rejected, ${context}`);
  expectClose(a.failed, b.failed, slack, `failed, ${context}`);
  expectClose(a.attempts, b.attempts, slack, `attempts, ${context}`);
  for (const [reason, n] of Object.entries(a.byReason)) expectClose(n, b.byReason[reason] ?? 0, slack, `${reason}, ${context}`);
  for (const [id, n] of Object.entries(a.injected)) expectClose(n, b.injected[id] ?? 0, slack, `injections of ${id}, ${context}`);
  return { real: a, simulated: b };
}

describe('session-level faults: a simulation agrees with a real run against the mock APNs', { timeout: 120_000 }, () => {
  it('goaway on idle: a GOAWAY in every 500 ms gap between requests (200 ms idle), each next request on a new connection', async () => {
    const config = await scenario({ seed: 3, faults: [{ kind: 'goaway', id: 'idle', trigger: 'idle', idleMs: 200 }] }, 2, 8);
    const { simulated } = expectAgreement(await bothWays(config), 1);
    // 7 gaps, no GOAWAY after the last answer (the sender closes its connection first).
    expect(simulated.injected['idle']).toBe(7);
    expect(simulated.accepted + simulated.rejected).toBe(8);
  });

  it('goaway at max-age: connections rotated every 700 ms under traffic, no request lost', async () => {
    const config = await scenario({ seed: 3, faults: [{ kind: 'goaway', id: 'age', trigger: 'max-age', maxAgeMs: 700 }] }, 20, 40);
    const { simulated } = expectAgreement(await bothWays(config), 1);
    expect(simulated.injected['age']).toBe(2);
    expect(simulated.failed).toBe(0);
  });

  it('streams: MAX_CONCURRENT_STREAMS down to 1 for a second, requests queue behind one stream and all get through, later', async () => {
    const faults = { seed: 3, phases: [{ name: 'ok', durationMs: 1000 }, { name: 'narrow', durationMs: 1000 }, { name: 'wide' }], faults: [{ kind: 'streams', id: 'narrow', phase: 'narrow', maxConcurrentStreams: 1 }] };
    const both = await bothWays(await scenario(faults, 40, 120));
    const { simulated } = expectAgreement(both, 1);
    expect(simulated.injected['narrow']).toBe(1);
    // 40 requests in the narrow second, one stream at a time for 50 ms each: answers come ~0.5 s late at the end of it.
    expect(both.simulated.latencyMs.accepted.max).toBeGreaterThan(400);
    expect(both.real.latencyMs.accepted.max).toBeGreaterThan(400);
    // A loaded machine only adds to a real answer's time: held to no less than 80 % of the simulated, and not far above it.
    const realMax = both.real.latencyMs.accepted.max;
    const simulatedMax = both.simulated.latencyMs.accepted.max;
    expect(realMax, `max accepted latency: real ${realMax}, simulated ${simulatedMax}`).toBeGreaterThanOrEqual(0.8 * simulatedMax);
    expect(realMax, `max accepted latency: real ${realMax}, simulated ${simulatedMax}`).toBeLessThanOrEqual(simulatedMax + 500);
  });

  it('connection refuse: after a max-age GOAWAY the reconnect is refused, requests fail as connect errors while the pool backs off', async () => {
    const faults = { seed: 3, faults: [{ kind: 'goaway', id: 'age', trigger: 'max-age', maxAgeMs: 500 }, { kind: 'connection', id: 'refuse', action: 'refuse', startMs: 400, durationMs: 800 }] };
    // Which requests fall inside the 1 s backoff moves by one per 50 ms a real timer is late.
    const { simulated } = expectAgreement(await bothWays(await scenario(faults, 20, 40)), 4);
    expect(simulated.injected['refuse']).toBe(1);
    expect(simulated.byReason['apns:PUSHSIM_ERR_CONNECT']).toBeGreaterThan(10);
  });

  it('connection slow-handshake: every connection waits 300 ms before it is usable, its requests wait with it', async () => {
    const faults = { seed: 3, faults: [{ kind: 'goaway', id: 'age', trigger: 'max-age', maxAgeMs: 500 }, { kind: 'connection', id: 'slow', action: 'slow-handshake', delayMs: 300 }] };
    const both = await bothWays(await scenario(faults, 20, 40));
    const { simulated } = expectAgreement(both, 1);
    expect(simulated.injected['slow']).toBe(3);
    expect(both.simulated.latencyMs.accepted.max).toBeGreaterThanOrEqual(350);
    expect(both.real.latencyMs.accepted.max).toBeGreaterThanOrEqual(350);
  });

  it('match.connection: an error fault on the second connection only (connections numbered as the mock counts them)', async () => {
    const faults = { seed: 3, faults: [{ kind: 'goaway', id: 'age', trigger: 'max-age', maxAgeMs: 500 }, { kind: 'error', id: 'on2', match: { connection: 2 }, apns: 'InternalServerError' }] };
    // How many requests (and their retries) connection 2 carries moves by one per 50 ms a real timer is late.
    const { simulated } = expectAgreement(await bothWays(await scenario(faults, 20, 40)), 4);
    expect(simulated.injected['on2']).toBeGreaterThan(15);
  });
});

describe('goaway on too many PINGs: the pool\'s keep-alive PINGs on an idle connection, both ways', { timeout: 60_000 }, () => {
  const faults = { seed: 1, faults: [{ kind: 'goaway', id: 'calm', trigger: 'pings', maxPings: 2, windowMs: 10_000 }] };
  const token = 'a'.repeat(64);
  const payload = { aps: { alert: 'hi' } };
  /** Three sends 1 s apart; PINGs every 200 ms while idle: the third PING on a connection draws GOAWAY ENHANCE_YOUR_CALM (600 ms), the next send opens a new one. */
  async function sends(sender: ApnsSender, wait: (ms: number) => Promise<void>): Promise<string[]> {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(await sender.send({ token, topic: 'com.example.app', payload }));
      await wait(1000);
    }
    return outcomes.map((outcome) => `${outcome.status}/${outcome.attempts}`);
  }

  it('as many GOAWAYs and the same outcomes', async () => {
    const mock = await startMockApns({ tls: false, faults, latency: { kind: 'fixed', ms: 20 } });
    let real: { outcomes: string[]; injected: number };
    try {
      const sender = await ApnsSender.create({ url: mock.url, credentials: mock.credentials, pool: { pingIntervalMs: 200 } });
      const outcomes = await sends(sender, (ms) => new Promise((resolve) => setTimeout(resolve, ms)));
      await sender.close();
      real = { outcomes, injected: mock.faults?.list()[0]?.injected ?? -1 };
    } finally {
      await mock.close();
    }

    const simulate = async () => {
      const scheduler = new VirtualScheduler({ epochMs: 1_800_000_000_000 });
      const transport = createSimulatedTransport({ provider: 'apns', scheduler, seed: 1, faults, latency: { kind: 'fixed', ms: 20 }, limits: { pingIntervalMs: 200 } });
      const sender = await ApnsSender.create({ url: transport.origin, credentials: transport.mock.credentials, transport, scheduler });
      const work = (async () => {
        const outcomes = await sends(sender, (ms) => scheduler.sleep(ms));
        await sender.close();
        return { outcomes, injected: transport.mock.engine?.list()[0]?.injected ?? -1, at: scheduler.monotonic() };
      })();
      let done = false;
      void work.finally(() => (done = true));
      for (let rounds = 0; !done && rounds < 10_000; rounds++) {
        await scheduler.run(scheduler.monotonic() + 100);
        if (!done) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return work;
    };
    const simulated = await simulate();
    expect(simulated).toEqual(await simulate());
    expect(simulated.outcomes).toEqual(real.outcomes);
    expect(simulated.injected).toBe(3);
    expect(real.injected).toBe(3);
  });
});
