/**
 * The live dashboard's state (cli/dashboard-state.ts): progress ticks become per-second rates, the
 * phases and breaker changes the ticks saw, the ticks' p99 median and worst; the view is plain data.
 */
import { describe, expect, it } from 'vitest';
import { DashboardState } from '../../cli/dashboard-state.js';
import type { RunProgress } from '../../scenarios/run-events.js';

const progress = (fields: Partial<RunProgress> = {}): RunProgress => ({
  elapsedMs: 1_000,
  scheduled: 0,
  completed: 0,
  inFlight: 0,
  accepted: 0,
  rejected: 0,
  failed: 0,
  dropped: 0,
  queued: 0,
  sendLagMs: null,
  plannedMs: 9_999,
  targetRate: 1_000,
  p99Ms: null,
  ...fields,
});

describe('DashboardState', () => {
  it('turns each tick into rates per second over the time since the last tick', () => {
    const state = new DashboardState();
    const first = state.onProgress(progress({ elapsedMs: 1_000, scheduled: 1_000, completed: 990, accepted: 980, rejected: 6, failed: 3, dropped: 1, p99Ms: 12.3456 }));
    const second = state.onProgress(progress({ elapsedMs: 1_500, scheduled: 1_500, completed: 1_400, accepted: 1_300, rejected: 106, failed: 3, dropped: 1, p99Ms: null }));
    expect(first).toEqual({ second: 1, planned: 1_000, answered: 990, accepted: 980, other: 10, p99: 12.346 });
    // Half a second: 500 scheduled in it is 1000 a second.
    expect(second).toEqual({ second: 1.5, planned: 1_000, answered: 820, accepted: 640, other: 200, p99: null });
    const view = state.view();
    expect(view.points).toEqual([first, second]);
    expect(view.stage).toBe('run');
    expect(view.rate).toBe(820);
    expect(view.progress?.accepted).toBe(1_300);
  });

  it('a tick at the same time as the last adds no point (no rate over no time)', () => {
    const state = new DashboardState();
    state.onProgress(progress({ elapsedMs: 2_000, completed: 10 }));
    expect(state.onProgress(progress({ elapsedMs: 2_000, completed: 10 }))).toBeUndefined();
    expect(state.view().points).toHaveLength(1);
  });

  it('goes from starting to warm-up to run to draining to done', () => {
    const state = new DashboardState();
    expect(state.stage).toBe('starting');
    state.onWarmup({ done: 10, total: 100 });
    expect(state.view()).toMatchObject({ stage: 'warm-up', warmup: { done: 10, total: 100 } });
    state.onProgress(progress({ elapsedMs: 1_000, plannedMs: 2_000 }));
    expect(state.stage).toBe('run');
    state.onProgress(progress({ elapsedMs: 3_500, plannedMs: 2_000 }));
    expect(state.stage).toBe('draining');
    state.onDone('report', 3_600);
    expect(state.view()).toMatchObject({ stage: 'done', report: 'report' });
    // Nothing moves after the end.
    expect(state.onProgress(progress({ elapsedMs: 4_000 }))).toBeUndefined();
  });

  it('a closed model (no planned end) never drains', () => {
    const state = new DashboardState();
    state.onProgress(progress({ elapsedMs: 60_000, plannedMs: null, targetRate: null }));
    expect(state.stage).toBe('run');
  });

  it('phases run from the tick that first saw them to the tick that saw another or none; the last to the end of the run', () => {
    const state = new DashboardState();
    state.onProgress(progress({ elapsedMs: 1_000, phase: 'healthy' }));
    state.onProgress(progress({ elapsedMs: 2_000, phase: 'healthy' }));
    state.onProgress(progress({ elapsedMs: 3_000, phase: 'brownout' }));
    state.onProgress(progress({ elapsedMs: 4_000, phase: 'brownout' }));
    state.onProgress(progress({ elapsedMs: 5_000 }));
    state.onProgress(progress({ elapsedMs: 6_000, phase: 'recovering' }));
    state.onDone('report', 6_400);
    expect(state.view().phases).toEqual([
      { name: 'healthy', start: 0, end: 3 },
      { name: 'brownout', start: 3, end: 5 },
      { name: 'recovering', start: 6, end: 6.4 },
    ]);
  });

  it('marks each change of the breaker state, from closed', () => {
    const state = new DashboardState();
    state.onProgress(progress({ elapsedMs: 1_000 }));
    state.onProgress(progress({ elapsedMs: 2_000, breaker: 'open' }));
    state.onProgress(progress({ elapsedMs: 3_000, breaker: 'open' }));
    state.onProgress(progress({ elapsedMs: 4_000, breaker: 'half-open' }));
    state.onProgress(progress({ elapsedMs: 5_000, breaker: 'closed' }));
    expect(state.view().breaker).toEqual([{ at: 2, to: 'open' }, { at: 4, to: 'half-open' }, { at: 5, to: 'closed' }]);
  });

  it("keeps the median and the worst of the ticks' p99s", () => {
    const state = new DashboardState();
    [30, 10, null, 50, 20].forEach((p99Ms, i) => state.onProgress(progress({ elapsedMs: (i + 1) * 1_000, p99Ms })));
    expect(state.view().tickP99).toEqual({ median: 20, worst: 50 });
  });

  it('the tick carries the new point and the header, not the whole series', () => {
    const state = new DashboardState();
    state.onStart({ scenario: 's', description: 'd', plan: 'p', target: 't', placement: 'worker' });
    state.onWarning('pushsim is falling behind');
    const point = state.onProgress(progress({ elapsedMs: 1_000, completed: 5 }));
    state.onLatency({ count: 5, p50: 1, p90: 2, p99: 3, p999: 4, max: 5 });
    const tick = state.tick(point);
    expect(tick).toMatchObject({ stage: 'run', point, warnings: ['pushsim is falling behind'], latency: { p99: 3 } });
    expect(tick).not.toHaveProperty('points');
    expect(tick).not.toHaveProperty('start');
    expect(state.view().start?.scenario).toBe('s');
  });

  it('the view is a copy: a later tick does not change a view already taken', () => {
    const state = new DashboardState();
    state.onProgress(progress({ elapsedMs: 1_000 }));
    const view = state.view();
    state.onProgress(progress({ elapsedMs: 2_000 }));
    expect(view.points).toHaveLength(1);
  });
});
