/**
 * Calibrating the mock from a run, end to end on the in-process mock APNs: a run against a known
 * latency (lognormal, median 20 ms, sigma 0.5) and answer mix (5 % 503, 2 % 410) is recorded into a
 * profile, a mock target replays it, and the replay, recorded the same way, shows the same mix and
 * at least the recorded latency. Bounds are loose here (a short run on a shared machine, whose own delays add to the
 * replay's); the tight ones are deterministic: test/simulator/recorded-latency.test.ts and
 * test/simulator/faults/kinds/recorded-answers.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileRecorder, writeProfile } from '../../reports/profile.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import type { MockTarget, ScenarioConfig } from '../../scenarios/config.js';
import { ScenarioRun } from '../../scenarios/runner.js';
import type { Profile, ProviderProfile } from '../../simulator/profile.js';
import { loadProfileSync } from '../../simulator/profile.js';
import { writeTemp } from '../simulator/profile-fixtures.js';

const recorders: ProfileRecorder[] = [];
afterEach(() => {
  for (const recorder of recorders.splice(0)) recorder.destroy();
});

const count = 4000;
const mock: MockTarget = { kind: 'mock', provider: 'apns', tls: false, worker: false, latency: { kind: 'lognormal', medianMs: 20, sigma: 0.5 } };
const base: ScenarioConfig = {
  ...defaultScenario,
  target: mock,
  load: { executor: 'constant-arrival-rate', rate: 1000, count },
  tokens: { count: 2000, unregisteredRatio: 0, seed: 3 },
  // One answer per notification: retries would only add attempts, the mix is per attempt either way.
  policies: { retry: false, circuitBreaker: false },
  warmup: 0,
  validity: { failOnOverload: false },
};

async function recorded(config: ScenarioConfig): Promise<{ profile: Profile; result: Awaited<ReturnType<ScenarioRun['execute']>> }> {
  const recorder = new ProfileRecorder();
  recorders.push(recorder);
  const result = await new ScenarioRun(config, { onAnswer: (provider, answer, wireMs) => recorder.record(provider, answer, wireMs) }).execute();
  return { profile: recorder.profile(new Date(), { scenario: config.name }), result };
}

function share(part: ProviderProfile | undefined, status: number): number {
  const total = part?.answers.reduce((sum, a) => sum + a.count, 0) ?? 0;
  return (part?.answers.find((a) => a.status === status)?.count ?? 0) / total;
}

describe('a profile recorded from a run and replayed by a mock', () => {
  it('reproduces the answer mix and the latency of the recorded run', async () => {
    const source = await recorded({
      ...base,
      faults: { seed: 5, faults: [{ kind: 'error', apns: 'ServiceUnavailable', probability: 0.05 }, { kind: 'error', apns: 'Unregistered', probability: 0.021 }] },
    });
    const first = source.profile.providers.apns;
    // Nearly every attempt answered (a timeout on a very busy machine is recorded apart, as a failure).
    expect(first?.latencyMs.count).toBeGreaterThan(count * 0.95);
    expect(share(first, 503)).toBeGreaterThan(0.035);
    expect(share(first, 410)).toBeGreaterThan(0.01);
    const file = writeTemp(source.profile);
    await writeProfile(source.profile, file);
    expect(loadProfileSync(file).providers.apns?.answers).toEqual(first?.answers);

    const replay = await recorded({ ...base, target: { ...mock, latency: { kind: 'fixed', ms: 0 }, profile: file } });
    const second = replay.profile.providers.apns;
    expect(second?.latencyMs.count).toBeGreaterThan(count * 0.95);
    for (const status of [200, 503, 410]) expect(Math.abs(share(second, status) - share(first, status))).toBeLessThan(0.02);
    // The replay's answers are the profile's fault, counted as such (an answer the client gave up on
    // before it came is injected but not rejected).
    const injected = replay.result.faults?.find((f) => f.id === 'profile-answers')?.injected ?? 0;
    expect(injected).toBeGreaterThanOrEqual(replay.result.counts.rejected);
    expect(replay.result.counts.rejected).toBeGreaterThan(count * 0.03);
    // Latency: what was recorded, plus this machine's own round trip, never less (without the replay
    // the mock answers in well under a millisecond). How close it comes is machine-bound: the tight
    // bounds are the sampler's, in test/simulator/recorded-latency.test.ts.
    const [p50, p99] = [first?.latencyMs.p50 ?? 0, first?.latencyMs.p99 ?? 0];
    expect(second?.latencyMs.p50).toBeGreaterThan(p50 * 0.9);
    expect(second?.latencyMs.p99).toBeGreaterThan(p99 * 0.85);
  }, 120_000);
});
