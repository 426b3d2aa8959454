import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClosedModel, describeClosedModel, validateClosedModel } from '../../../scenarios/executors/closed.js';
import type { ClosedModelConfig } from '../../../scenarios/executors/closed.js';
import { describeLoad, loadModelOf, plannedCount, plannedRate, resultLoadModel, validateLoad } from '../../../scenarios/executors/index.js';
import type { TimeSource } from '../../../scenarios/executors/index.js';

/** Fake timers drive both the executor's clock and the simulated answers, so concurrency is real. */
const time: TimeSource = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** A provider answering every notification `ms` after it was sent; records when each was fired and how many were open. */
function provider(ms: number | 'never') {
  let open = 0;
  const fired: { index: number; at: number; plannedAt: number }[] = [];
  const state = { fired, maxOpen: 0 };
  const fire = (index: number, plannedAt: number): Promise<void> => {
    fired.push({ index, at: Date.now(), plannedAt });
    state.maxOpen = Math.max(state.maxOpen, ++open);
    if (ms === 'never') return new Promise(() => {});
    return new Promise((resolve) => setTimeout(resolve, ms)).then(() => void open--);
  };
  return { state, fire };
}

const closed = (extra: Partial<ClosedModelConfig>): ClosedModelConfig => ({ executor: 'closed', inFlight: 4, ...extra });

describe('closed model', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('keeps exactly inFlight notifications open, sending the next as one is answered, until count are sent', async () => {
    const { state, fire } = provider(10);
    let resolvedAt: number | undefined;
    const run = createClosedModel(closed({ inFlight: 4, count: 10 }), time)
      .run(fire)
      .then((r) => ((resolvedAt = Date.now()), r));
    await vi.advanceTimersByTimeAsync(100);
    expect(await run).toEqual({ fired: 10 });
    expect(state.maxOpen).toBe(4);
    expect(state.fired.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // 4 at 0 ms, 4 more as those are answered at 10 ms, the last 2 at 20 ms.
    expect(state.fired.map((f) => f.at)).toEqual([0, 0, 0, 0, 10, 10, 10, 10, 20, 20]);
    // Latency runs from each actual send: there is no schedule to be late against.
    expect(state.fired.every((f) => f.plannedAt === f.at)).toBe(true);
    // Done firing once the last is sent, without waiting for it (the runner's graceful stop does).
    expect(resolvedAt).toBe(20);
  });

  it('stops sending after durationMs', async () => {
    const { state, fire } = provider(10);
    const run = createClosedModel(closed({ inFlight: 2, durationMs: 35 }), time).run(fire);
    await vi.advanceTimersByTimeAsync(200);
    expect(await run).toEqual({ fired: 8 });
    expect(state.fired.map((f) => f.at)).toEqual([0, 0, 10, 10, 20, 20, 30, 30]);
  });

  it('ends at durationMs even when no answer ever comes, and at count when that comes first', async () => {
    const hanging = provider('never');
    let endedAt: number | undefined;
    const run = createClosedModel(closed({ inFlight: 3, durationMs: 100 }), time)
      .run(hanging.fire)
      .then((r) => ((endedAt = Date.now()), r));
    await vi.advanceTimersByTimeAsync(500);
    expect(await run).toEqual({ fired: 3 });
    expect(endedAt).toBe(100);

    const fast = provider(1);
    const both = createClosedModel(closed({ inFlight: 2, count: 5, durationMs: 10_000 }), time).run(fast.fire);
    await vi.advanceTimersByTimeAsync(50);
    expect(await both).toEqual({ fired: 5 });
    // Nothing left scheduled: a run that ended early keeps no timer alive for its duration.
    await vi.advanceTimersByTimeAsync(100);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops sending when aborted', async () => {
    const abort = new AbortController();
    const { state, fire } = provider(10);
    const run = createClosedModel(closed({ inFlight: 2, count: 1000 }), time).run((index, plannedAt) => {
      if (index === 4) abort.abort();
      return fire(index, plannedAt);
    }, abort.signal);
    await vi.advanceTimersByTimeAsync(100);
    expect(await run).toEqual({ fired: 5 });
    expect(state.fired).toHaveLength(5);
  });

  it('lists every problem of a bad config, and describes a good one', () => {
    expect(validateClosedModel(closed({ inFlight: 0 }))).toEqual([expect.stringMatching(/^load\.inFlight must be a whole number .* from 1 to 100000, got 0/), expect.stringMatching(/^load needs count .* or durationMs/)]);
    expect(validateClosedModel(closed({ inFlight: 2.5, count: -1, durationMs: 1.5 }), 'x')).toEqual([
      expect.stringMatching(/^x\.inFlight/),
      expect.stringMatching(/^x\.count must be a whole number/),
      expect.stringMatching(/^x\.durationMs must be a whole number of ms/),
    ]);
    expect(validateClosedModel(closed({ count: 100 }))).toEqual([]);
    expect(describeClosedModel(closed({ inFlight: 100, count: 50_000 }))).toBe(
      '50000 notifications, 100 in flight (closed model: as fast as answers come back; latency not corrected for coordinated omission)',
    );
    expect(describeClosedModel(closed({ inFlight: 8, count: 10, durationMs: 30_000 }))).toMatch(/^10 notifications or 30\.0 s, 8 in flight/);
  });

  it('is registered with the other executors: no target rate, and a result that declares its latency uncorrected', () => {
    const load = closed({ inFlight: 16, count: 300 });
    expect(validateLoad(load)).toEqual([]);
    expect(validateLoad({ ...load, inFlight: -1 })).toHaveLength(1);
    expect(describeLoad(load)).toContain('16 in flight');
    expect(plannedRate(load)).toBeNull();
    expect(plannedCount(load)).toBe(300);
    expect(plannedCount(closed({ durationMs: 1000 }))).toBeUndefined();
    expect(loadModelOf(load)).toBe('closed');
    expect(loadModelOf({ executor: 'constant-arrival-rate', rate: 1, count: 1 })).toBe('open');
    expect(resultLoadModel(load)).toEqual({ kind: 'closed', inFlight: 16, latencyCorrectedForCoordinatedOmission: false });
    expect(resultLoadModel({ executor: 'constant-arrival-rate', rate: 1, count: 1 })).toBeUndefined();
  });
});
