import { describe, expect, it } from 'vitest';
import { createConstantArrivalRate, describeConstantArrivalRate, validateConstantArrivalRate } from '../../../scenarios/executors/constant-arrival-rate.js';
import type { TimeSource } from '../../../scenarios/executors/constant-arrival-rate.js';

/** Virtual time: sleeping advances the clock instantly. */
function virtualTime(): TimeSource & { slept: number[] } {
  let t = 1000;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}

describe('constant-arrival-rate', () => {
  it('plans notification i at start + i/rate and fires each exactly once, never before its planned time', async () => {
    const time = virtualTime();
    const fired: { index: number; planned: number; at: number }[] = [];
    const { fired: count } = await createConstantArrivalRate({ executor: 'constant-arrival-rate', rate: 200, count: 50 }, time).run((index, planned) => {
      fired.push({ index, planned, at: time.now() });
    });
    expect(count).toBe(50);
    expect(fired.map((f) => f.index)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    fired.forEach((f, i) => {
      expect(f.planned).toBeCloseTo(1000 + i * 5, 6);
      expect(f.at).toBeGreaterThanOrEqual(f.planned);
    });
  });

  it('keeps the planned times when the caller is slow (open model: no coordinated omission)', async () => {
    const time = virtualTime();
    const planned: number[] = [];
    await createConstantArrivalRate({ executor: 'constant-arrival-rate', rate: 1000, count: 10 }, {
      now: time.now,
      // Every wake-up comes 7 ms late.
      sleep: (ms) => time.sleep(ms + 7),
    }).run((_i, p) => planned.push(p));
    expect(planned).toEqual(Array.from({ length: 10 }, (_, i) => 1000 + i));
  });

  it('stops firing when aborted', async () => {
    const time = virtualTime();
    const abort = new AbortController();
    const { fired } = await createConstantArrivalRate({ executor: 'constant-arrival-rate', rate: 10, count: 100 }, time).run((i) => {
      if (i === 4) abort.abort();
    }, abort.signal);
    expect(fired).toBe(5);
  });

  it('lists every problem of a bad config and describes a good one', () => {
    expect(validateConstantArrivalRate({ executor: 'constant-arrival-rate', rate: 0, count: 1.5 })).toEqual([
      expect.stringMatching(/^load\.rate must be/),
      expect.stringMatching(/^load\.count must be a whole number/),
    ]);
    expect(describeConstantArrivalRate({ executor: 'constant-arrival-rate', rate: 5000, count: 50000 })).toBe('50000 notifications at 5000/s (constant arrival rate, ~10.0 s)');
  });
});
