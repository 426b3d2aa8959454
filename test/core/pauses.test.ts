import { afterEach, describe, expect, it } from 'vitest';
import { PauseMonitor } from '../../core/pauses.js';

const monitors: PauseMonitor[] = [];
afterEach(() => {
  for (const monitor of monitors.splice(0)) monitor.stop();
});

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a blocked event loop: what a long synchronous callback or a GC pause does to it
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('PauseMonitor', () => {
  it('puts a blocked event loop in the second it happened, and in the whole-run delay', async () => {
    const monitor = new PauseMonitor();
    monitors.push(monitor);
    // Second 0 began 2.3 s ago: the block below happens in second 2.
    monitor.start(performance.timeOrigin + performance.now() - 2_300);
    await sleep(50);
    busy(120);
    // Wait past the boundary at 3 s, where second 2 is read.
    await sleep(900);
    monitor.stop();
    const { summary, seconds } = monitor.report();
    // At least the 120 ms block (less the 10 ms sampling interval): never less, whatever the machine does.
    expect(seconds.delayMaxMs[2]).toBeGreaterThanOrEqual(100);
    expect(summary.eventLoopDelayMs.max).toBeGreaterThanOrEqual(100);
    expect(summary.eventLoopDelayMs.p99).toBeLessThanOrEqual(summary.eventLoopDelayMs.max);
    // Seconds before the monitor started are there, empty: the index is the second.
    expect(seconds.delayMaxMs.slice(0, 2)).toEqual([0, 0]);
  });

  it('counts garbage-collection pauses, attributed to the second they began in', async () => {
    const monitor = new PauseMonitor();
    monitors.push(monitor);
    monitor.start();
    // Enough short-lived garbage for several young-generation collections.
    let keep = 0;
    for (let round = 0; round < 40; round++) {
      const garbage = Array.from({ length: 50_000 }, (_, i) => ({ i, text: `item ${i}` }));
      keep += garbage.length;
      await sleep(1);
    }
    expect(keep).toBe(2_000_000);
    monitor.stop();
    const { summary, seconds } = monitor.report();
    expect(summary.gc.count).toBeGreaterThan(0);
    expect(summary.gc.totalMs).toBeGreaterThan(0);
    expect(summary.gc.maxMs).toBeLessThanOrEqual(summary.gc.totalMs);
    expect(summary.gc.percent).toBeGreaterThan(0);
    // The per-second GC time adds up to the total.
    const perSecond = seconds.gcMs.reduce((sum, ms) => sum + ms, 0);
    expect(perSecond).toBeCloseTo(summary.gc.totalMs, 0);
  });

  it('reports zeros before it measured anything, and stop() is idempotent', () => {
    const monitor = new PauseMonitor();
    expect(monitor.report()).toEqual({
      summary: { eventLoopDelayMs: { p50: 0, p99: 0, max: 0 }, gc: { count: 0, totalMs: 0, maxMs: 0, percent: 0 } },
      seconds: { delayMaxMs: [], gcMs: [] },
    });
    monitor.stop();
    monitor.stop();
  });
});
