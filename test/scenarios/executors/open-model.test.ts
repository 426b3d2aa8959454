/**
 * The open-model firing loop on an exact (virtual) clock, where it sleeps the exact wait to the next
 * planned instant: planned offsets (i × 1000/rate) and dueBy() round apart in floating point, and
 * before issue 17's fix a rate such as 5,000/s (0.2 ms apart) made the loop sleep ulp-sized waits
 * that never moved the clock, for ever (`pushsim simulate default` spun at 100 % CPU).
 */
import { describe, expect, it } from 'vitest';
import { constantSchedule } from '../../../scenarios/executors/constant-arrival-rate.js';
import { runOpenModel } from '../../../scenarios/executors/open-model.js';
import type { ArrivalSchedule, TimeSource } from '../../../scenarios/executors/open-model.js';
import { rampingSchedule } from '../../../scenarios/executors/ramping-arrival-rate.js';

/** An exact clock as the virtual scheduler's: sleeping `ms` adds `ms`; a spin fails the test instead of hanging it. */
function exactTime(startMs: number, maxSleeps: number): TimeSource {
  let t = startMs;
  let sleeps = 0;
  return {
    exact: true,
    now: () => t,
    sleep: async (ms) => {
      if (++sleeps > maxSleeps) throw new Error(`still sleeping after ${maxSleeps} sleeps (waits of ${ms} ms at ${t} ms): the loop spins`);
      t += ms;
    },
  };
}

async function fireAll(schedule: ArrivalSchedule, time: TimeSource): Promise<{ fired: number; late: number; early: number }> {
  let late = 0;
  let early = 0;
  const { fired } = await runOpenModel(schedule, time).run((_index, plannedAt) => {
    const now = time.now();
    if (now < plannedAt - 1e-6) early++;
    if (now > plannedAt + 1e-6) late++;
  });
  return { fired, late, early };
}

describe('open model on an exact clock', () => {
  for (const rate of [1000, 3000, 4500, 5000, 7000, 8000, 33_333]) {
    for (const startMs of [0, 1234.567, 3_600_000.3]) {
      it(`fires 2,000 at ${rate}/s from ${startMs} ms, each at its planned instant, with at most one sleep each`, async () => {
        const result = await fireAll(constantSchedule({ executor: 'constant-arrival-rate', rate, count: 2000 }), exactTime(startMs, 2000));
        expect(result).toEqual({ fired: 2000, late: 0, early: 0 });
      });
    }
  }

  it('fires a ramp (0 → 5,000/s over 2 s, then a hold) the same way', async () => {
    const schedule = rampingSchedule({ executor: 'ramping-arrival-rate', stages: [{ durationMs: 2000, target: 5000 }, { durationMs: 1000, target: 5000 }] });
    const result = await fireAll(schedule, exactTime(17.25, schedule.count));
    expect(result).toEqual({ fired: schedule.count, late: 0, early: 0 });
    expect(schedule.count).toBe(10_000);
  });
});
