import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../core/errors.js';
import { initHistograms } from '../../reports/histogram.js';
import { checkInvariant } from '../../reports/result.js';
import type { Result } from '../../reports/result.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import { smallMixedScenario } from './fixtures/small-mixed.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import type { RunProgress } from '../../scenarios/run-events.js';
import { ScenarioRun } from '../../scenarios/runner.js';
import { ProgressCombiner, combineProgress, defaultWorkers, maxWorkers, runInWorkers, validateWorkers, workerShard } from '../../scenarios/workers.js';
import type { Emit } from '../../scenarios/workers.js';

/** The real sender worker, its .ts sources loaded by a shim (the compiled script exists only in dist/). */
const tsWorker = new URL('./fixtures/ts-workers-thread.mjs', import.meta.url);

/** The mocks in the test's thread; each worker warms up on its own. */
const small: ScenarioConfig = { ...smallMixedScenario, warmup: 5 };

/** What must not depend on how the run was split: counts, reasons, the APNs and FCM dead tokens (Web Push endpoints are each mock's own), the mocks' deliveries. */
function outcomes(result: Result): unknown {
  const { scheduled, accepted, rejected, failed, expired, dropped, duplicates } = result.counts;
  const pruned = (result.tokensToPrune ?? []).filter((t) => t.provider !== 'webpush').map((t) => `${t.provider}:${t.token}`);
  return { counts: { scheduled, accepted, rejected, failed, expired, dropped, duplicates }, byReason: result.byReason, pruned: pruned.sort(), delivered: result.delivery?.delivered, acknowledged: result.delivery?.acknowledged };
}

function recorder(): { emit: Emit; events: { event: string; args: unknown[] }[] } {
  const events: { event: string; args: unknown[] }[] = [];
  return { events, emit: (event, ...args) => void events.push({ event, args }) };
}

const tick = (n: number, counts: Partial<RunProgress> = {}): RunProgress & { tick: number } => ({
  tick: n,
  elapsedMs: n * 1000,
  scheduled: 0,
  completed: 0,
  inFlight: 0,
  accepted: 0,
  rejected: 0,
  failed: 0,
  dropped: 0,
  queued: 0,
  sendLagMs: null,
  plannedMs: 10_000,
  targetRate: 500,
  p99Ms: null,
  ...counts,
});

beforeAll(async () => {
  await initHistograms();
});

describe('validateWorkers: --workers values', () => {
  it.each([0, -1, 1.5, Number.NaN, maxWorkers(2) + 1])('refuses %s with the allowed range (usage error)', (bad) => {
    expect(() => validateWorkers(small, bad, undefined, 2)).toThrow(InvalidArgumentError);
    expect(() => validateWorkers(small, bad, undefined, 2)).toThrow(/expected a whole number from 1 to 8 \(4 per core; this machine has 2\)/);
  });

  it('refuses more workers than notifications, or than notifications in flight (closed model), saying what to change', () => {
    expect(() => validateWorkers({ ...small, load: { executor: 'constant-arrival-rate', rate: 10, count: 3 } }, 4, undefined, 2)).toThrow(/--workers 4 .*4 workers need at least 4/);
    expect(() => validateWorkers({ ...small, load: { executor: 'closed', inFlight: 2, count: 100 } }, 3, undefined, 2)).toThrow(/raise --in-flight or use fewer workers/);
  });

  it('takes 1 to 4 per core; auto is the default', () => {
    expect(validateWorkers(small, 1, undefined, 2)).toEqual({ count: 1 });
    expect(validateWorkers(small, 8, undefined, 2)).toEqual({ count: 8 });
    expect(validateWorkers(small, 'auto', undefined, 2)).toEqual(defaultWorkers(small, undefined, 2));
  });
});

describe('defaultWorkers: one per core the mock leaves, as the rate needs', () => {
  const at = (rate: number): ScenarioConfig => ({ ...defaultScenario, load: { executor: 'constant-arrival-rate', rate, count: rate * 10 } });

  it('2 cores and the embedded mock: 1, and says why', () => {
    expect(defaultWorkers(at(20_000), undefined, 2)).toEqual({ count: 1, rule: 'default: 2 cores, 1 for the embedded mock' });
  });

  it('8 cores: 7 for a rate that needs them, fewer for a rate that does not', () => {
    expect(defaultWorkers(at(40_000), undefined, 8).count).toBe(7);
    expect(defaultWorkers(at(9000), undefined, 8)).toEqual({ count: 3, rule: 'default: 8 cores, 1 for the embedded mock, 9000/s needs 3 (one per 4000/s)' });
  });

  it('an external target leaves every core to the senders; the closed model has no rate to bound them', () => {
    const external: ScenarioConfig = { ...defaultScenario, target: { kind: 'url', url: 'https://127.0.0.1:8443', credentials: { keyFile: 'k.p8', keyId: 'ABCDEFGHIJ', teamId: 'ABCDEFGHIJ' } } as ScenarioConfig['target'], load: { executor: 'closed', inFlight: 64, count: 1000 } };
    expect(defaultWorkers(external, undefined, 4)).toEqual({ count: 4, rule: 'default: 4 cores' });
  });

  it('never more workers than notifications (or in flight)', () => {
    expect(defaultWorkers({ ...defaultScenario, load: { executor: 'closed', inFlight: 2, count: 1000 } }, undefined, 16).count).toBe(2);
  });
});

describe('workerShard: a shard split over workers', () => {
  it('without a shard, worker j of N runs shard j/N', () => {
    expect([0, 1, 2].map((j) => workerShard(j, 3))).toEqual([0, 1, 2].map((index) => ({ index, count: 3 })));
  });

  it("shard 1/3 over 2 workers: together exactly shard 1/3's notifications, each once", () => {
    const parts = [0, 1].map((j) => workerShard(j, 2, { index: 1, count: 3 }));
    const sent = (s: { index: number; count: number }): number[] => Array.from({ length: 60 }, (_, i) => i).filter((i) => i % s.count === s.index);
    expect(parts.flatMap(sent).sort((a, b) => a - b)).toEqual(sent({ index: 1, count: 3 }));
  });
});

describe('progress of a run over workers', () => {
  it('sums the counts, keeps the furthest clock and the largest send lag', () => {
    expect(combineProgress([tick(2, { scheduled: 10, completed: 8, inFlight: 2, accepted: 7, rejected: 1, sendLagMs: 3 }), tick(2, { elapsedMs: 2100, scheduled: 11, completed: 11, accepted: 11, queued: 4 })])).toEqual({
      elapsedMs: 2100,
      scheduled: 21,
      completed: 19,
      inFlight: 2,
      accepted: 18,
      rejected: 1,
      failed: 0,
      dropped: 0,
      queued: 4,
      sendLagMs: 3,
      plannedMs: 10_000,
      targetRate: 1_000,
      p99Ms: null,
    });
  });

  it("adds the shards' rates, keeps the worst thread's p99 and breaker state, and the phase", () => {
    const combined = combineProgress([tick(3, { p99Ms: 12, phase: 'brownout', breaker: 'half-open' }), tick(3, { p99Ms: 40, phase: 'brownout', breaker: 'open' }), tick(3, { p99Ms: null })]);
    expect(combined).toMatchObject({ targetRate: 1_500, p99Ms: 40, phase: 'brownout', breaker: 'open' });
    // The closed model plans neither an end nor a rate.
    expect(combineProgress([tick(1, { plannedMs: null, targetRate: null }), tick(1)])).toMatchObject({ plannedMs: null, targetRate: null });
  });

  it('says a second once every running worker has sent it, and keeps a finished worker counting', () => {
    const combiner = new ProgressCombiner(2);
    expect(combiner.onTick(0, tick(1, { scheduled: 5 }))).toBeUndefined();
    expect(combiner.onTick(1, tick(1, { scheduled: 6 }))?.scheduled).toBe(11);
    expect(combiner.onTick(1, tick(2, { scheduled: 9 }))).toBeUndefined();
    expect(combiner.onFinished(0)?.scheduled).toBe(14);
    expect(combiner.onTick(1, tick(3, { scheduled: 12 }))?.scheduled).toBe(17);
  });
});

describe('runInWorkers', () => {
  it('two workers reach the same recipients as one thread: the same counts, reasons, dead tokens and deliveries, in one result', async () => {
    const single = await new ScenarioRun(small).execute();
    const { emit, events } = recorder();
    const split = await runInWorkers(small, {}, { count: 2 }, emit, tsWorker);
    expect(outcomes(split)).toEqual(outcomes(single));
    expect(split.counts.rejected).toBeGreaterThan(0);
    expect(split.workers).toBe(2);
    expect(split.rate.target).toBe(3000);
    expect(split.shard).toBeUndefined();
    expect(split.shards).toBeUndefined();
    expect(checkInvariant(split)).toBeUndefined();
    // One timeline: every planned notification in some second, summed over the workers, and each
    // second's percentiles from the workers' added histograms (which the result does not keep).
    expect(split.timeline?.reduce((sum, s) => sum + s.scheduled, 0)).toBe(600);
    const accepting = split.timeline?.filter((s) => s.accepted > 0) ?? [];
    expect(accepting.length).toBeGreaterThan(0);
    for (const s of accepting) expect(s.p99, `second ${s.second}`).toEqual(expect.any(Number));
    expect(split.timeline?.some((s) => s.hdr !== undefined)).toBe(false);
    const starts = events.filter((e) => e.event === 'start');
    expect(starts).toHaveLength(1);
    expect(starts[0]?.args[0]).toMatchObject({ workers: '2 sender worker threads' });
  }, 120_000);

  it('shard 1/3 over two workers is shard 1/3: the same counts and reasons as one thread running it, and says which shard it is', async () => {
    const shard = { index: 1, count: 3 };
    const single = await new ScenarioRun(small, { shard }).execute();
    const split = await runInWorkers(small, { shard }, { count: 2 }, () => {}, tsWorker);
    expect(outcomes(split)).toEqual(outcomes(single));
    expect(split.counts.scheduled).toBe(200);
    expect(split.shard).toMatchObject({ index: 1, count: 3, scenarioDigest: single.shard?.scenarioDigest });
    expect(split.thresholds).toBeUndefined();
    // A shard's result keeps each second's histogram for the merge of the shards.
    for (const s of split.timeline?.filter((t) => t.accepted > 0) ?? []) expect(s.hdr, `second ${s.second}`).toEqual(expect.any(String));
  }, 120_000);

  it('a signal stops every worker: the partial results merge, marked interrupted, every notification in one final state', async () => {
    const abort = new AbortController();
    const long: ScenarioConfig = { ...small, load: { executor: 'constant-arrival-rate', rate: 200, count: 20_000 } };
    const emit: Emit = (event, ..._args) => {
      if (event === 'progress') abort.abort('SIGTERM');
    };
    const result = await runInWorkers(long, { signal: abort.signal, progressIntervalMs: 100 }, { count: 2 }, emit, tsWorker);
    expect(result.interrupted?.signal).toBe('SIGTERM');
    expect(result.counts.scheduled).toBeGreaterThan(0);
    expect(result.counts.scheduled).toBeLessThan(20_000);
    expect(checkInvariant(result)).toBeUndefined();
  }, 120_000);

  it('a worker that crashes at start ends the run with an error naming it, never a hang', async () => {
    const crashing = new URL('./fixtures/crashing-worker.mjs', import.meta.url);
    await expect(runInWorkers(small, {}, { count: 2 }, () => {}, crashing)).rejects.toThrow(/sender worker [12]\/2 crashed: this worker crashes on purpose/);
  }, 60_000);

  it('a worker that exits without a result ends the run with an error, never a hang', async () => {
    const exiting = new URL('./fixtures/exiting-worker.mjs', import.meta.url);
    await expect(runInWorkers(small, {}, { count: 2 }, () => {}, exiting)).rejects.toThrow(/sender worker [12]\/2 exited \(code 3\) before its result/);
  }, 60_000);

  it('refuses to start without the worker script, saying how to build it', async () => {
    await expect(runInWorkers(small, {}, { count: 2 }, () => {}, new URL('./fixtures/no-such-worker.js', import.meta.url))).rejects.toThrow(/does not exist .*npm run build/);
  });
});
