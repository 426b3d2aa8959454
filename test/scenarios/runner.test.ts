import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../core/errors.js';
import { checkInvariant } from '../../reports/result.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import type { Provider } from '../../core/reasons.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { createProviderAssignment, mixShares } from '../../scenarios/mix.js';
import { ScenarioRun } from '../../scenarios/runner.js';
import type { RunProgress } from '../../scenarios/runner.js';

const small: ScenarioConfig = {
  ...defaultScenario,
  target: { ...defaultScenario.target, kind: 'mock', provider: 'apns', tls: false, worker: false, latency: { kind: 'fixed', ms: 1 } },
  load: { executor: 'constant-arrival-rate', rate: 2000, count: 1000 },
  tokens: { count: 200, unregisteredRatio: 0.1, seed: 3 },
  warmup: 0,
};

describe('ScenarioRun', () => {
  it('sends the warm-up before the measured run and leaves it out of the result', async () => {
    const outcomes: number[] = [];
    const run = new ScenarioRun({ ...small, warmup: 300, load: { executor: 'constant-arrival-rate', rate: 2000, count: 200 } });
    run.on('outcome', () => outcomes.push(1));
    const result = await run.execute();
    expect(result.counts.scheduled).toBe(200);
    expect(result.counts.attempts).toBe(200);
    expect(result.attemptLatencyMs?.count).toBe(200);
    expect(outcomes).toHaveLength(200);
    // The mock's ledger forgot the warm-up too: every acceptance of the measured run, once.
    expect(result.delivery).toMatchObject({ delivered: result.counts.accepted, duplicates: 0, unidentified: 0 });
    expect(result.faults).toBeUndefined();
    expect(checkInvariant(result)).toBeUndefined();
  });

  it('runs a ramping load: every planned notification, and the ramp’s average as the target rate', async () => {
    // 0 → 2000/s over 0.5 s (500), then 2000/s for 0.5 s (1,000).
    const load = { executor: 'ramping-arrival-rate', stages: [{ durationMs: 500, target: 2000 }, { durationMs: 500, target: 2000 }] } as const;
    const result = await new ScenarioRun({ ...small, load }).execute();
    expect(result.counts.scheduled).toBe(1500);
    expect(result.rate.target).toBe(1500);
    // The per-second timeline accounts for every notification, second by second.
    const timeline = result.timeline ?? [];
    const sum = (pick: (s: (typeof timeline)[number]) => number): number => timeline.reduce((total, s) => total + pick(s), 0);
    expect(sum((s) => s.scheduled)).toBe(1500);
    expect(sum((s) => s.accepted)).toBe(result.counts.accepted);
    expect(sum((s) => s.rejected)).toBe(result.counts.rejected);
    expect(timeline.map((s) => s.second)).toEqual(timeline.map((_, i) => i));
    expect(checkInvariant(result)).toBeUndefined();
  });

  it("reports pushsim's own pauses: the sender thread over the run and per second of the timeline, judged against the tail", async () => {
    const result = await new ScenarioRun({ ...small, load: { executor: 'constant-arrival-rate', rate: 2000, count: 2500 } }).execute();
    const { pauses } = result;
    expect(pauses?.sender.eventLoopDelayMs.max).toBeGreaterThanOrEqual(pauses?.sender.eventLoopDelayMs.p99 ?? Infinity);
    expect(pauses?.sender.gc.count).toBeGreaterThanOrEqual(0);
    // The mock runs in-process here: its pauses are the sender thread's, so there is no mock entry.
    expect(pauses?.mock).toBeUndefined();
    expect(pauses?.tail).toMatchObject({ acceptedP99Ms: result.latencyMs.accepted.p99 });
    expect(pauses?.tail?.percent).toBeCloseTo((100 * (pauses?.tail?.ownP99Ms ?? 0)) / result.latencyMs.accepted.p99, 1);
    expect(result.validity?.bounds.maxPauseSharePercent).toBe(50);
    for (const second of result.timeline ?? []) {
      expect(second.senderDelayMs).toBeGreaterThanOrEqual(0);
      expect(second.senderGcMs).toBeGreaterThanOrEqual(0);
      expect(second.mockDelayMs).toBeUndefined();
    }
  });

  it('rejects a negative warm-up', () => {
    expect(() => new ScenarioRun({ ...small, warmup: -1 })).toThrow(/warmup must be a whole number/);
  });

  it('runs to a Result whose counts add up, emitting start, outcome, progress and done to subscribers', async () => {
    const run = new ScenarioRun(small, { progressIntervalMs: 50 });
    const seen = { start: 0, outcome: 0, done: 0, progress: [] as RunProgress[] };
    run.on('start', () => seen.start++);
    run.on('outcome', (_o, latencyMs) => {
      seen.outcome++;
      expect(latencyMs).toBeGreaterThanOrEqual(0);
    });
    run.on('progress', (p) => seen.progress.push(p));
    run.on('done', () => seen.done++);
    const result = await run.execute();
    expect(checkInvariant(result)).toBeUndefined();
    expect(result.counts.scheduled).toBe(1000);
    expect(result.counts.accepted + result.counts.rejected).toBe(1000);
    expect(result.counts.rejected).toBeGreaterThan(0);
    expect(result.byReason).toEqual({ 'apns:Unregistered': result.counts.rejected });
    expect(result.latencyMs.accepted.count).toBe(result.counts.accepted);
    expect(result.rate.target).toBe(2000);
    expect(seen).toMatchObject({ start: 1, outcome: 1000, done: 1 });
    expect(seen.progress.length).toBeGreaterThan(0);
  });

  it('stops firing on abort and still accounts for every notification it scheduled', async () => {
    const abort = new AbortController();
    const run = new ScenarioRun({ ...small, load: { executor: 'constant-arrival-rate', rate: 500, count: 100_000 } }, { signal: abort.signal });
    run.on('outcome', () => {
      if (!abort.signal.aborted) abort.abort();
    });
    const result = await run.execute();
    expect(result.counts.scheduled).toBeLessThan(100_000);
    expect(checkInvariant(result)).toBeUndefined();
  });

  it('rejects an invalid scenario at construction, listing every problem', () => {
    const broken = { ...small, name: '', load: { executor: 'constant-arrival-rate', rate: -1, count: 0 }, sender: { ...small.sender, connections: 0 } } as ScenarioConfig;
    let error: unknown;
    try {
      new ScenarioRun(broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).problems).toEqual([
      'name must be a non-empty string',
      expect.stringMatching(/^load\.rate/),
      expect.stringMatching(/^load\.count/),
      expect.stringMatching(/^sender\.connections/),
    ]);
  });

  it("refuses Apple's production host without an explicit opt-in", () => {
    const prod: ScenarioConfig = { ...small, target: { kind: 'url', provider: 'apns', url: 'https://api.push.apple.com', credentials: { keyFile: 'k.p8', keyId: 'K', teamId: 'T' } } };
    expect(() => new ScenarioRun(prod)).toThrow(/allowProduction/);
  });

  it('refuses a mix naming a provider a URL target does not send to', () => {
    const url: ScenarioConfig = { ...small, target: { kind: 'url', provider: 'apns', url: 'https://127.0.0.1:8443', credentials: { keyFile: 'k.p8', keyId: 'K', teamId: 'T' } }, mix: { apns: 1, fcm: 1 } };
    expect(() => new ScenarioRun(url)).toThrow(/mix\.fcm: fcm is not in the target \(apns\); a URL target is an APNs origin/);
  });

  it('sends a mix to the APNs, FCM and Web Push mocks in proportion, by a seeded assignment; each provider reports its dead tokens', async () => {
    const mixed: ScenarioConfig = {
      ...small,
      name: 'mixed-small',
      target: { kind: 'mock', provider: ['apns', 'fcm', 'webpush'], tls: false, worker: false, latency: { kind: 'fixed', ms: 1 } },
      mix: { apns: 0.5, fcm: 0.3, webpush: 0.2 },
      load: { executor: 'constant-arrival-rate', rate: 2000, count: 600 },
      tokens: { count: 200, unregisteredRatio: 0.1, seed: 5 },
    };
    const run = new ScenarioRun(mixed);
    const byProvider: Record<Provider, number> = { apns: 0, fcm: 0, webpush: 0 };
    run.on('outcome', (outcome) => byProvider[outcome.provider]++);
    let placement = '';
    run.on('start', (info) => (placement = info.placement));
    const result = await run.execute();

    expect(checkInvariant(result)).toBeUndefined();
    expect(result.counts).toMatchObject({ scheduled: 600, failed: 0, expired: 0, dropped: 0 });
    expect(placement).toBe('apns in-process · fcm in-process · webpush in-process');
    // Several providers: no single `target`, each provider's origin in `targets`.
    expect(result.target).toBeUndefined();
    expect(Object.keys(result.targets ?? {})).toEqual(['apns', 'fcm', 'webpush']);
    expect(Object.values(result.targets ?? {}).every((origin) => /^https?:\/\/127\.0\.0\.1:\d+$/.test(origin))).toBe(true);
    // In proportion to the weights, within what 600 draws allow…
    expect(byProvider.apns / 600).toBeCloseTo(0.5, 1);
    expect(byProvider.fcm / 600).toBeCloseTo(0.3, 1);
    expect(byProvider.webpush / 600).toBeCloseTo(0.2, 1);
    // …and exactly the seeded assignment, so the same seed sends the same notifications the same way.
    const providerOf = createProviderAssignment(mixShares(mixed.mix, ['apns', 'fcm', 'webpush']), 5);
    const expected: Record<Provider, number> = { apns: 0, fcm: 0, webpush: 0 };
    for (let i = 0; i < 600; i++) expected[providerOf(i)]++;
    expect(byProvider).toEqual(expected);

    // Dead tokens on every provider: permanent rejections, counted by `<provider>:<reason>`, to prune.
    expect(Object.keys(result.byReason).sort()).toEqual(['apns:Unregistered', 'fcm:UNREGISTERED', 'webpush:Gone']);
    expect(Object.values(result.byReason).reduce((a, b) => a + b, 0)).toBe(result.counts.rejected);
    const pruned = new Set(result.tokensToPrune?.map((t) => t.provider));
    expect([...pruned].sort()).toEqual(['apns', 'fcm', 'webpush']);
    expect(result.target).toBeUndefined();
  });
});
