import { describe, expect, it } from 'vitest';
import type { TimeSource } from '../../../scenarios/executors/open-model.js';
import {
  createRampingArrivalRate,
  describeRampingArrivalRate,
  rampingCount,
  rampingSchedule,
  validateRampingArrivalRate,
} from '../../../scenarios/executors/ramping-arrival-rate.js';
import type { RampingArrivalRateConfig } from '../../../scenarios/executors/ramping-arrival-rate.js';

/** Virtual time: sleeping advances the clock instantly. */
function virtualTime(): TimeSource {
  let t = 0;
  return { now: () => t, sleep: async (ms) => void (t += ms) };
}

const ramp = (stages: RampingArrivalRateConfig['stages'], startRate?: number): RampingArrivalRateConfig => ({ executor: 'ramping-arrival-rate', stages, ...(startRate !== undefined && { startRate }) });

/** Notifications planned in [fromMs, toMs). */
const plannedBetween = (offsets: readonly number[], fromMs: number, toMs: number): number => offsets.filter((o) => o >= fromMs && o < toMs).length;

describe('ramping-arrival-rate', () => {
  it('plans the integral of the rate: a linear ramp, then a hold, then a ramp down', () => {
    // 0 → 1000/s over 2 s (1,000), 1000/s for 1 s (1,000), 1000 → 0/s over 1 s (500).
    const config = ramp([{ durationMs: 2000, target: 1000 }, { durationMs: 1000, target: 1000 }, { durationMs: 1000, target: 0 }]);
    expect(rampingCount(config)).toBe(2500);
    const schedule = rampingSchedule(config);
    const offsets = Array.from({ length: schedule.count }, (_, i) => schedule.plannedOffsetMs(i));
    // Non-decreasing, inside the stages.
    expect(offsets.every((o, i) => i === 0 || o >= (offsets[i - 1] as number))).toBe(true);
    expect(offsets[0]).toBe(0);
    expect(offsets.at(-1)).toBeLessThan(4000);
    // The ramp: N(t) = t²/4 ms → 250 in the first second, 750 in the second.
    expect(plannedBetween(offsets, 0, 1000)).toBe(250);
    expect(plannedBetween(offsets, 1000, 2000)).toBe(750);
    expect(plannedBetween(offsets, 2000, 3000)).toBe(1000);
    expect(plannedBetween(offsets, 3000, 4000)).toBe(500);
    // Halfway up the first ramp the rate is 500/s: planned ~2 ms apart.
    const i = offsets.findIndex((o) => o >= 1000);
    expect((offsets[i + 1] as number) - (offsets[i] as number)).toBeCloseTo(2, 1);
  });

  it('says how many notifications are due at each moment, consistently with the planned offsets', () => {
    const schedule = rampingSchedule(ramp([{ durationMs: 1000, target: 400 }, { durationMs: 500, target: 400 }], 100));
    for (let i = 0; i < schedule.count; i++) {
      const at = schedule.plannedOffsetMs(i);
      // At its planned time notification i is due; a little before, it is not.
      expect(schedule.dueBy(at + 1e-6)).toBeGreaterThan(i);
      if (at > 0.01) expect(schedule.dueBy(at - 0.01)).toBeLessThanOrEqual(i);
    }
  });

  it('fires each notification once, at or after its planned time, and holds the planned times when late', async () => {
    const time = virtualTime();
    const late: TimeSource = { now: time.now, sleep: (ms) => time.sleep(ms + 3) };
    const config = ramp([{ durationMs: 500, target: 2000 }]);
    const fired: { index: number; planned: number; at: number }[] = [];
    const { fired: count } = await createRampingArrivalRate(config, late).run((index, planned) => fired.push({ index, planned, at: time.now() }));
    expect(count).toBe(500);
    expect(fired.map((f) => f.index)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    const schedule = rampingSchedule(config);
    fired.forEach((f) => {
      expect(f.at).toBeGreaterThanOrEqual(f.planned);
      expect(f.planned).toBeCloseTo(schedule.plannedOffsetMs(f.index), 9);
    });
  });

  it('stops firing when aborted', async () => {
    const abort = new AbortController();
    const { fired } = await createRampingArrivalRate(ramp([{ durationMs: 10_000, target: 100 }], 100), virtualTime()).run((i) => {
      if (i === 9) abort.abort();
    }, abort.signal);
    expect(fired).toBe(10);
  });

  it('lists every problem with its path', () => {
    expect(validateRampingArrivalRate(ramp([]))).toEqual([expect.stringMatching(/^load\.stages must be a list of 1 to 100 stages/)]);
    const problems = validateRampingArrivalRate(ramp([{ durationMs: 0, target: 5 }, { durationMs: 1000, target: -1 }], -3));
    expect(problems).toEqual([expect.stringMatching(/^load\.startRate/), expect.stringMatching(/^load\.stages\[0\]\.durationMs/), expect.stringMatching(/^load\.stages\[1\]\.target/)]);
    expect(validateRampingArrivalRate(ramp([{ durationMs: 1000, target: 0 }]))).toEqual([expect.stringMatching(/plan 0 notifications/)]);
  });

  it('describes the plan', () => {
    expect(describeRampingArrivalRate(ramp([{ durationMs: 30_000, target: 5000 }, { durationMs: 60_000, target: 5000 }]))).toBe(
      '375000 notifications, ramping arrival rate: 0→5000/s over 30 s, 5000/s for 60 s (~90.0 s)',
    );
  });
});
