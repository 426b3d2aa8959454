/**
 * Simulation against reality (issue 17, point 4): each example scenario runs twice at a small
 * scale — the real sender against the real mock APNs on loopback sockets (`pushsim run`), and the
 * same scenario simulated (`pushsim simulate`: the same sender policies and the same mock logic on
 * virtual time) — and the two results must agree:
 *   - delivered share (distinct notifications the mock's ledger accepted / scheduled) within 0.5 pp;
 *   - retries per notification within 10 %;
 *   - duplicate deliveries within 20 %, or ±5 when there are few;
 *   - accepted p50 / p99 within 10 %, where the injected latency dominates (the healthy run);
 *   - with recipients from a file (the fallback case): the share that fell back to another
 *     provider, and each provider's share of the deliveries, within the traffic of 200 ms plus the
 *     real run's own measured answer delay (the case says why).
 * To hold on a busy 2-core machine the mock's latency is large against loopback noise (a 400 ms
 * median: the ~10 ms a loaded machine adds to each real answer stay under 3 %) and the rate modest (100/s). Where the two cannot agree — what pushsim's own CPU adds —
 * docs/virtual-time.md says so.
 */
import { describe, expect, it } from 'vitest';
import type { Result } from '../../reports/result.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { loadScenarioFile } from '../../scenarios/file.js';
import { ScenarioRun } from '../../scenarios/runner.js';
import { simulateScenario } from '../../scenarios/simulate.js';

/** The mock's service time: large against loopback and event-loop noise on a loaded machine. */
const latency = { kind: 'lognormal', medianMs: 400, sigma: 0.3 } as const;

interface Measures {
  readonly deliveredShare: number;
  readonly retriesPerNotification: number;
  readonly duplicates: number;
  readonly acceptedP50: number;
  readonly acceptedP99: number;
  /** The real run's own verdict that it kept its schedule (result.validity); a simulation always does. */
  readonly kept: boolean;
  /** Share of the notifications handed from one provider to another (counts.fallbacks / scheduled). */
  readonly fallbackShare: number;
  /** Share of the notifications each provider delivered (result.deliveredBy / scheduled): only with recipients from a file. */
  readonly deliveredByShare: Readonly<Record<string, number>>;
}

function measures(result: Result): Measures {
  const scheduled = result.counts.scheduled;
  return {
    deliveredShare: (result.delivery?.unique ?? 0) / scheduled,
    retriesPerNotification: (result.counts.retries ?? 0) / scheduled,
    duplicates: result.delivery?.duplicates ?? 0,
    acceptedP50: result.latencyMs.accepted.p50,
    acceptedP99: result.latencyMs.accepted.p99,
    kept: result.validity?.valid !== false,
    fallbackShare: (result.counts.fallbacks ?? 0) / scheduled,
    deliveredByShare: Object.fromEntries(Object.entries(result.deliveredBy ?? {}).map(([provider, n]) => [provider, n / scheduled])),
  };
}

async function bothWays(config: ScenarioConfig): Promise<{ real: Measures; simulated: Measures }> {
  const real = await new ScenarioRun(config).execute();
  const simulated = await simulateScenario(config);
  if (process.env['PUSHSIM_AGREEMENT_LOG'] !== undefined) console.log(config.name, JSON.stringify({ real: measures(real), simulated: measures(simulated) }));
  return { real: measures(real), simulated: measures(simulated) };
}

/**
 * `retriesWhenOverloaded: false`: a real run that says it fell behind its schedule is not held to the
 * simulation's retries (the fallback case says why); everything else still is.
 */
function expectAgreement({ real, simulated }: { real: Measures; simulated: Measures }, options: { latency: boolean; retriesWhenOverloaded?: false }): void {
  const context = JSON.stringify({ real, simulated });
  expect(Math.abs(real.deliveredShare - simulated.deliveredShare), `delivered share, ${context}`).toBeLessThanOrEqual(0.005);
  if (real.kept || options.retriesWhenOverloaded !== false) {
    expect(Math.abs(real.retriesPerNotification - simulated.retriesPerNotification), `retries per notification, ${context}`).toBeLessThanOrEqual(0.1 * Math.max(real.retriesPerNotification, simulated.retriesPerNotification) + 1e-9);
  }
  expect(Math.abs(real.duplicates - simulated.duplicates), `duplicates, ${context}`).toBeLessThanOrEqual(Math.max(5, 0.2 * Math.max(real.duplicates, simulated.duplicates)));
  if (!options.latency) return;
  if (real.kept) {
    expect(Math.abs(real.acceptedP50 - simulated.acceptedP50), `accepted p50, ${context}`).toBeLessThanOrEqual(0.1 * real.acceptedP50);
    expect(Math.abs(real.acceptedP99 - simulated.acceptedP99), `accepted p99, ${context}`).toBeLessThanOrEqual(0.1 * real.acceptedP99);
  } else {
    // The real run says it fell behind its schedule (a machine too loaded to run it): its latencies
    // carry pushsim's own delay, which a simulation leaves out (docs/virtual-time.md). They can only be higher.
    expect(real.acceptedP50, `accepted p50 of an overloaded real run, ${context}`).toBeGreaterThanOrEqual(0.9 * simulated.acceptedP50);
    expect(real.acceptedP99, `accepted p99 of an overloaded real run, ${context}`).toBeGreaterThanOrEqual(0.9 * simulated.acceptedP99);
  }
}

/** An example scenario at 100/s with the large mock latency, `count` notifications, no warm-up (a simulation has none). */
function small(base: ScenarioConfig, count: number, changes: Partial<ScenarioConfig> = {}): ScenarioConfig {
  const target = base.target as Extract<ScenarioConfig['target'], { kind: 'mock' }>;
  return {
    ...base,
    target: { ...target, tls: false, latency } as ScenarioConfig['target'],
    load: { executor: 'constant-arrival-rate', rate: 100, count },
    warmup: 0,
    thresholds: [],
    ...changes,
  } as ScenarioConfig;
}

/**
 * The outage case's policies. A 2 s window opens the breaker some 0.7 s into the outage, so that the
 * few ms by which real timers run late (docs/virtual-time.md) move few retries; it stays open 1.5 s:
 * few open/probe cycles, and its probes fall far from the end of the outage.
 */
const outagePolicies = { retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 400 }, circuitBreaker: { errorRate: 0.5, minRequests: 20, windowMs: 2000, openMs: 1500 } };

describe('simulation agrees with a real run of the example scenarios', { timeout: 120_000 }, () => {
  it('healthy (the smoke example): delivered share, no retries, and the accepted latency percentiles', async () => {
    const smoke = await loadScenarioFile('scenarios/examples/smoke.yaml');
    expectAgreement(await bothWays(small(smoke, 500)), { latency: true });
  });

  it('brownout (the brownout example: ramping errors, slow answers, lost acknowledgements): delivered share, retries, duplicates', async () => {
    const brownout = await loadScenarioFile('scenarios/examples/brownout.yaml');
    const faults = brownout.faults!;
    const phases = [{ name: 'healthy', durationMs: 2000 }, { name: 'brownout', durationMs: 3000 }, { name: 'recovering' }];
    const lossy = faults.faults!.map((fault) => (fault.kind === 'accept-then-fail' ? { ...fault, probability: 0.05 } : fault));
    expectAgreement(await bothWays(small(brownout, 700, { faults: { ...faults, phases, faults: lossy } })), { latency: false });
  });

  it('outage with the circuit breaker: the outage phase of the faults example, 503s, the breaker open and probing', async () => {
    const smoke = await loadScenarioFile('scenarios/examples/smoke.yaml');
    const faults = {
      seed: 42,
      phases: [{ name: 'healthy', durationMs: 3000 }, { name: 'down', durationMs: 3000 }, { name: 'recovering' }],
      faults: [{ kind: 'outage', id: 'down', phase: 'down', mode: 'unavailable' }],
    };
    // When the breaker (outagePolicies) closes is one probe's answer later: a fixed latency, so that one sample does not decide tens
    // of notifications either way.
    // 24 s: a breaker that a loaded machine makes close ~100 ms late costs 10 notifications, 0.4 pp.
    const config = small(smoke, 2400, { faults, policies: outagePolicies } as Partial<ScenarioConfig>);
    const fixed = { ...config, target: { ...config.target, latency: { kind: 'fixed', ms: 200 } } } as ScenarioConfig;
    expectAgreement(await bothWays(fixed), { latency: false });
  });

  it('outage with the circuit breaker and fallback (the outage-fallback example): APNs down, its breaker open, recipients handed to FCM as many either way', async () => {
    const example = await loadScenarioFile('scenarios/examples/outage-fallback.yaml');
    // The example's APNs outage and its recipients (an APNs and an FCM token each), on the outage
    // case's timeline and policies: 3 s healthy, 3 s of 503s from APNs, recovery to the end; what
    // fails on APNs goes on to FCM.
    const phases = [{ name: 'healthy', durationMs: 3000 }, { name: 'apns-down', durationMs: 3000 }, { name: 'recovering' }];
    // The breaker opens by its error rate over the window only (consecutiveFailures out of reach):
    // 50 consecutive failures race the jittered retries of the outage's first 503s, a race that
    // ends some 10 % differently in a real run, whose 503s come back a few ms later over a loaded
    // loopback than the simulation's, which come at once (50–54 retries simulated over six seeds,
    // 46–48 real at load averages of 9–13); the error rate opens it at the window's bucket, and the
    // retries are what the retry budget allows, 80 simulated against 78–85 real.
    const policies = { ...outagePolicies, circuitBreaker: { ...outagePolicies.circuitBreaker, consecutiveFailures: 1000 } };
    const config = small(example, 2400, { faults: { ...example.faults!, phases }, policies } as Partial<ScenarioConfig>);
    // A fixed latency, as in the outage case: the breaker's last probe, which ends the hand-over, is one exact answer.
    const fixed = { ...config, target: { ...config.target, latency: { kind: 'fixed', ms: 200 } } } as ScenarioConfig;
    const both = await bothWays(fixed);
    // A real run starved into falling behind its schedule (answers seconds late: 71–73 retries with
    // an accepted p99 of 3.5–4.2 s, at a load average of 15) opens its breaker on answers that came
    // late, so what the retry budget had earned by then differs; it reports itself invalid, and is
    // held to the rest: delivered share, duplicates, and handing over at least as many.
    expectAgreement(both, { latency: false, retriesWhenOverloaded: false });
    const { real, simulated } = both;
    const context = JSON.stringify({ real, simulated });
    // It is the case it claims to be: the outage's notifications fell back, and FCM delivered them.
    expect(simulated.fallbackShare, `fallback share of the simulation, ${context}`).toBeGreaterThan(0.1);
    expect(simulated.deliveredByShare['fcm'], `FCM's share of the simulation, ${context}`).toBeGreaterThan(0.1);
    // Who delivered moves with when the APNs breaker closes after the outage: each notification in
    // the drift goes to FCM in one run and to APNs in the other. A real breaker closes late by its
    // timers' and its probe's answer's delays, which grow with the machine's load, and the real run
    // measures them: its accepted p99 above the injected 200 ms (both runs answer after exactly 200 ms
    // otherwise). So the shares may drift by that delay's traffic, plus 200 ms (20 notifications,
    // 0.8 pp): measured at load averages of 9–16 on 2 cores, the drift was 110–570 ms against
    // p99 excesses of 150–740 ms. A hand-over the model missed or added (a circuit-open or an
    // exhausted 503 not handed over) moves the outage's ~380 notifications, 3.8 s of drift. A real run
    // that fell behind its schedule closes its breaker later still: it is held only to handing over
    // at least as many.
    const rate = 100;
    const allowedMs = 200 + Math.max(0, real.acceptedP99 - simulated.acceptedP99);
    const allowed = (allowedMs / 1000) * rate / 2400;
    // APNs's share negated, so that a late breaker moves every entry the same way (up).
    const shares = (m: Measures): Record<string, number> => ({ fallbacks: m.fallbackShare, apns: -(m.deliveredByShare['apns'] ?? 0), fcm: m.deliveredByShare['fcm'] ?? 0 });
    const [r, v] = [shares(real), shares(simulated)];
    for (const key of Object.keys(v)) {
      const drift = (r[key] ?? 0) - (v[key] ?? 0);
      if (real.kept) expect(Math.abs(drift), `${key} share (allowed ${allowedMs} ms of drift), ${context}`).toBeLessThanOrEqual(allowed + 1e-9);
      else expect(drift, `${key} share of an overloaded real run, ${context}`).toBeGreaterThanOrEqual(-allowed);
    }
  });

  it('accept-then-fail (delivered, then 503): every retry of a lost acknowledgement is a duplicate, as many either way', async () => {
    const smoke = await loadScenarioFile('scenarios/examples/smoke.yaml');
    const faults = { seed: 5, faults: [{ kind: 'accept-then-fail', id: 'lost-acks', probability: 0.05 }] };
    expectAgreement(await bothWays(small(smoke, 600, { faults } as Partial<ScenarioConfig>)), { latency: false });
  });
});
