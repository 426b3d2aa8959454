/**
 * A timer that never fires before its delay has passed, for the mocks' injected latency.
 *
 * `setTimeout(fn, 7.6)` can run fn after as little as ~6 ms: Node starts the count from the event
 * loop's cached clock (taken when the loop iteration began, so older by however long the iteration
 * has been running), in whole milliseconds, and fires when that coarse count reaches the delay. A
 * busy mock — one that handled a batch of requests in the same iteration — thus answered up to a
 * millisecond before the latency it was told to inject. Here the monotonic clock is read when the
 * timer fires and, if the deadline is still ahead, the timer is set again for the rest.
 *
 * The deadline runs from `since` (performance.now() milliseconds): the request's arrival, so the
 * time spent reading and validating it is part of the latency instead of added to it.
 */

import { maxTimerMs } from '../core/clock.js';
import type { Scheduler } from '../core/scheduler.js';

/** Cancels the pending run (a no-op after it ran). */
export type CancelDelay = () => void;

const nothing: CancelDelay = () => {};

/**
 * The longest one setTimeout waits: Node turns a longer delay into 1 ms with a TimeoutOverflowWarning,
 * so a latency fault of days would answer at once and spin. A longer wait is several timers.
 */

/** Runs `run` once `delayMs` have passed since `since`, never earlier: at once (synchronously) when they already have. */
export function afterAtLeast(delayMs: number, run: () => void, since: number = performance.now()): CancelDelay {
  const due = since + delayMs;
  if (due - performance.now() <= 0) {
    run();
    return nothing;
  }
  let timer: NodeJS.Timeout;
  const check = (): void => {
    const left = due - performance.now();
    if (left > 0) timer = setTimeout(check, Math.min(left, maxTimerMs));
    else run();
  };
  timer = setTimeout(check, Math.min(due - performance.now(), maxTimerMs));
  return () => clearTimeout(timer);
}

/**
 * `afterAtLeast` on a Scheduler (core/scheduler.ts): `since` is the scheduler's monotonic ms. A
 * virtual clock never fires early, so no re-check is needed; the simulated mocks (simulator/virtual/)
 * time their answers with it. Runs `run` synchronously when the delay has already passed.
 */
export function afterAtLeastOn(scheduler: Scheduler, delayMs: number, run: () => void, since: number = scheduler.monotonic()): CancelDelay {
  const wait = since + delayMs - scheduler.monotonic();
  if (wait <= 0) {
    run();
    return nothing;
  }
  return scheduler.after(wait, run);
}
