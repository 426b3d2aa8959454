import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeHistogram, initHistograms } from '../../reports/histogram.js';
import { ResultCollector } from '../../reports/result.js';
import { TimelineRecorder, injectedPerSecond, withInjected } from '../../reports/timeline.js';

describe('TimelineRecorder', () => {
  beforeAll(() => initHistograms());
  const recorders: TimelineRecorder[] = [];
  afterEach(() => {
    for (const r of recorders.splice(0)) r.destroy();
  });
  const recorder = (): TimelineRecorder => {
    const r = new TimelineRecorder();
    recorders.push(r);
    return r;
  };

  it("keeps each closed second's histogram only when asked (a shard's timeline, for the merge)", () => {
    const plain = recorder();
    const shard = new TimelineRecorder({ histograms: true });
    recorders.push(shard);
    for (const t of [plain, shard]) {
      t.onOutcome('accepted', 10, 100);
      t.onOutcome('accepted', 30, 900);
      t.onOutcome('accepted', 200, 1_100);
    }
    expect(plain.snapshot().map((s) => s.hdr)).toEqual([undefined, undefined]);
    const seconds = shard.snapshot();
    const counts = seconds.map((s) => {
      const h = decodeHistogram(s.hdr ?? '');
      try {
        return [h.count, h.summary().max];
      } finally {
        h.destroy();
      }
    });
    expect(counts[0]?.[0]).toBe(2);
    expect(counts[0]?.[1]).toBeCloseTo(30, 1);
    // The second still filling is summarised with its histogram too.
    expect(counts[1]?.[0]).toBe(1);
  });

  it('buckets planned notifications and outcomes by second, with accepted latency per second', () => {
    const t = recorder();
    for (let i = 0; i < 10; i++) t.onScheduled(i * 250);
    t.onOutcome('accepted', 10, 100);
    t.onOutcome('accepted', 30, 900);
    t.onOutcome('rejected', 500, 950);
    t.onOutcome('accepted', 200, 1_100);
    // Nothing completes in second 2; a failure and a slow acceptance in second 3.
    t.onOutcome('failed', 5_000, 3_000);
    t.onOutcome('accepted', 2_000, 3_999);
    const seconds = t.snapshot();
    expect(seconds.map((s) => [s.second, s.scheduled, s.accepted, s.rejected, s.failed])).toEqual([
      [0, 4, 2, 1, 0],
      [1, 4, 1, 0, 0],
      [2, 2, 0, 0, 0],
      [3, 0, 1, 0, 1],
    ]);
    // Only accepted latencies, only those of their own second (HDR precision: 3 significant digits).
    expect(seconds[0]?.p50).toBeCloseTo(10, 1);
    expect(seconds[0]?.max).toBeCloseTo(30, 1);
    expect(seconds[1]?.p50).toBeCloseTo(200, 0);
    expect(seconds[1]?.max).toBeCloseTo(200, 0);
    expect(seconds[2]).toMatchObject({ p50: null, p99: null, max: null });
    expect(Math.abs((seconds[3]?.max ?? 0) - 2_000)).toBeLessThan(2); // 3 significant digits
  });

  it('snapshots without closing the second still filling: later values of that second still count', () => {
    const t = recorder();
    t.onOutcome('accepted', 10, 0);
    expect(t.snapshot()[0]?.accepted).toBe(1);
    expect(t.snapshot()[0]?.max).toBeCloseTo(10, 1);
    t.onOutcome('accepted', 90, 500);
    expect(t.snapshot()[0]?.accepted).toBe(2);
    expect(t.snapshot()[0]?.max).toBeCloseTo(90, 1);
  });

  it('counts an outcome for a second already closed but adds no latency to it', () => {
    const t = recorder();
    t.onOutcome('accepted', 10, 0);
    t.onOutcome('accepted', 20, 1_000);
    t.onOutcome('accepted', 999, 999);
    const [first] = t.snapshot();
    expect(first?.accepted).toBe(2);
    expect(first?.max).toBeCloseTo(10, 1);
  });

  it("stays one small entry per second for an hour, pushsim's own pauses included", () => {
    const collector = new ResultCollector();
    const hour = 3_600;
    const accepted = { status: 'accepted' as const, provider: 'apns' as const, token: 't', attempts: 1, id: 'i' };
    for (let second = 0; second < hour; second++) {
      for (let k = 0; k < 5; k++) {
        collector.onScheduled(second * 1_000 + k * 200);
        collector.onOutcome(accepted, 8 + k * 3.217, second * 1_000 + k * 200 + 15, { atMs: second * 1_000 + k * 200 + 1, lagMs: 1.25 });
      }
    }
    const series = (value: number): number[] => Array.from({ length: hour }, () => value);
    const thread = { summary: { eventLoopDelayMs: { p50: 0.1, p99: 3.3, max: 123.456 }, gc: { count: 9_000, totalMs: 25_000.125, maxMs: 48.75, percent: 0.694 } }, seconds: { delayMaxMs: series(12.345), gcMs: series(6.789) } };
    const result = collector.finish({ startedAt: new Date(), durationMs: hour * 1_000, targetRate: 5, pauses: { sender: thread, mock: thread } });
    collector.destroy();
    const timeline = result.timeline ?? [];
    expect(timeline).toHaveLength(hour);
    // Every field of the busiest kind of second, with 3-decimal latencies and all four pause numbers.
    const sizes = timeline.map((entry) => JSON.stringify(entry).length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(260);
    expect(JSON.stringify(timeline).length).toBeLessThan(hour * 260);
    expect(timeline[hour - 1]).toMatchObject({ second: hour - 1, scheduled: 5, sent: 5, accepted: 5, senderDelayMs: 12.345, mockGcMs: 6.789 });
  });
});


describe('retries and injected faults per second', () => {
  beforeAll(() => initHistograms());

  it('counts each retry in the second it came back; a second without one has 0', () => {
    const t = new TimelineRecorder();
    try {
      t.onScheduled(0);
      t.onRetry(200);
      t.onRetry(999);
      t.onRetry(2_500);
      expect(t.snapshot().map((s) => [s.second, s.retries])).toEqual([
        [0, 2],
        [1, 0],
        [2, 1],
      ]);
    } finally {
      t.destroy();
    }
  });

  it("places each tenth of the fault clock in the run's second holding its middle, counting every injection once", () => {
    // Bins of 100 ms: bin 9 is 900–1000 ms on the fault clock; the run's clock started 30 ms later,
    // so its middle (950) is at 920 ms: second 0. Bin 10's middle (1050) is at 1020 ms: second 1.
    const counts = [1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4];
    expect(injectedPerSecond({ binMs: 100, counts }, 30, 3)).toEqual([3, 3, 4]);
    // A larger offset moves a tenth into the second before: bin 10's middle at 1050 − 600 = 450 ms.
    expect(injectedPerSecond({ binMs: 100, counts }, 600, 3)).toEqual([6, 4, 0]);
    // Before the run's clock zero: second 0; past the last second: the last. Nothing is lost.
    expect(injectedPerSecond({ binMs: 100, counts: [5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7] }, 400, 2)).toEqual([5, 7]);
    expect(injectedPerSecond({ binMs: 100, counts }, 0, 0)).toEqual([]);
  });

  it('withInjected gives every second its count, 0 where the list ends', () => {
    const seconds = [0, 1, 2].map((second) => ({ second, scheduled: 1, accepted: 1, rejected: 0, failed: 0, expired: 0, dropped: 0, p50: 1, p99: 1, max: 1 }));
    expect(withInjected(seconds, [4, 1]).map((s) => s.injected)).toEqual([4, 1, 0]);
  });
});
