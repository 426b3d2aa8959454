/**
 * What the runner needs to run on a Scheduler rather than Node's timers: a repeating tick, the
 * executors' time source, and the loop that moves a virtual clock while the measured run lasts.
 */
import type { CancelTimer, Scheduler, VirtualScheduler } from '../core/scheduler.js';
import type { TimeSource } from './executors/index.js';

/** Runs `tick` every `ms` on the scheduler (unref'd on real time) until the returned function is called. */
export function every(scheduler: Scheduler, ms: number, tick: () => void): CancelTimer {
  let cancel: CancelTimer | undefined;
  let stopped = false;
  const arm = (): void => {
    cancel = scheduler.after(
      ms,
      () => {
        if (stopped) return;
        arm();
        tick();
      },
      true,
    );
  };
  arm();
  return () => {
    stopped = true;
    cancel?.();
  };
}

/** An executor's time source on the scheduler's monotonic clock; exact when the clock is virtual. */
export function onVirtualTime(scheduler: Scheduler): TimeSource {
  return { now: () => scheduler.monotonic(), sleep: (ms) => scheduler.sleep(ms), exact: scheduler.virtual };
}

/** Real time the loop waits for a simulation that has nothing due and is not done, before it calls it stalled. */
const stallMs = 10_000;

/**
 * Moves the virtual clock until `work` settles: runs every due timer, and when none is left but the
 * work still waits, yields to real I/O for a while (nothing modelled should wait on it: Scheduler.hold
 * keeps the clock still for real work that is). A work that waits on nothing the scheduler will
 * ever run is a bug: after `stallMs` of real time without a timer it fails (a bug: exit 1)
 * rather than hanging.
 */
export async function driveVirtual<T>(scheduler: VirtualScheduler, work: Promise<T>): Promise<T> {
  let done = false;
  const settled = work.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  let idleSince: number | undefined;
  while (!done) {
    const ran = await scheduler.run();
    if (done) break;
    if (ran > 0) idleSince = undefined;
    else {
      idleSince ??= Date.now();
      if (Date.now() - idleSince > stallMs) throw new Error(`the simulation stalled at virtual ${Math.round(scheduler.monotonic())} ms: nothing is due and the run still waits (something waits on real time)`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  await settled;
  return work;
}
