/**
 * afterAtLeast never runs before its delay, on real timers: setTimeout alone does when the event
 * loop has been busy since its iteration began (its clock is then stale). Lower bounds only: how
 * late a run comes is the machine's business, so nothing here can flake on a slow machine.
 */
import { describe, expect, it } from 'vitest';
import { afterAtLeast } from '../../simulator/delay.js';

/** Keeps the thread busy for `ms`, as a mock handling a batch of requests in one loop iteration is. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe('afterAtLeast', () => {
  it('never runs before the delay, even when scheduled late in a busy loop iteration', async () => {
    const early: number[] = [];
    // 20 rounds of 10 timers, each scheduled after up to 2 ms of busy work in the same iteration.
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          busy(0.2 * i);
          const delay = 1 + ((round * 10 + i) % 7) * 0.7;
          const since = performance.now();
          return new Promise<void>((resolve) =>
            afterAtLeast(delay, () => {
              const waited = performance.now() - since;
              if (waited < delay) early.push(delay - waited);
              resolve();
            }),
          );
        }),
      );
    }
    expect(early).toEqual([]);
  });

  it('counts from `since`: runs at once when the delay has already passed, later when not', async () => {
    let ran = false;
    afterAtLeast(5, () => (ran = true), performance.now() - 10);
    expect(ran).toBe(true);
    const since = performance.now() - 20;
    const waited = await new Promise<number>((resolve) => afterAtLeast(30, () => resolve(performance.now() - since), since));
    expect(waited).toBeGreaterThanOrEqual(30);
  });

  it('does not run once cancelled', async () => {
    let ran = false;
    const cancel = afterAtLeast(10, () => (ran = true));
    cancel();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(ran).toBe(false);
  });

  it('waits a delay longer than one timer can hold (days) without spinning or warning, and can still be cancelled', async () => {
    const overflow: string[] = [];
    const onWarning = (warning: Error): void => {
      if (warning.name === 'TimeoutOverflowWarning') overflow.push(warning.message);
    };
    process.on('warning', onWarning);
    try {
      let ran = false;
      const cancel = afterAtLeast(1e12, () => (ran = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      cancel();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(ran).toBe(false);
      expect(overflow).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

