/**
 * The firing loop every open-model executor shares (k6 arrival-rate executors, wrk2): notification
 * i has a *planned* offset from the start, whatever the provider is doing, and is fired at (or just
 * after) it. A slow provider cannot slow the sending down and hide its slowness (coordinated
 * omission); latency is measured from the planned time. An executor only says when each
 * notification is planned: an ArrivalSchedule.
 */

/**
 * Called once per notification at (or just after) its planned time, with that planned time. The
 * runner's returns a promise of the notification's outcome: the closed model (closed.ts) waits for
 * it before sending the next; the open model never does.
 */
export type Fire = (index: number, plannedAt: number) => unknown;

export interface ExecutorRuntime {
  /** Resolves once every notification has been fired, or the signal aborted (the rest are not fired). */
  run(fire: Fire, signal?: AbortSignal): Promise<{ fired: number }>;
}

export interface TimeSource {
  /** Monotonic milliseconds. */
  now(): number;
  /** Waits about `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /**
   * Timers fire exactly when asked (virtual time): each notification is fired at its planned
   * instant, not in batches at the next ≥1 ms wake-up.
   */
  readonly exact?: boolean;
}

export const realTime: TimeSource = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ArrivalSchedule {
  /** Notifications in all. */
  readonly count: number;
  /** Milliseconds from the start at which notification `index` is planned; non-decreasing. */
  plannedOffsetMs(index: number): number;
  /** How many notifications are planned at or before `elapsedMs` (at least 1: the first is at 0). */
  dueBy(elapsedMs: number): number;
}

/** How close to its planned instant a notification counts as due (1 ns). */
const dueToleranceMs = 1e-6;

export function runOpenModel(schedule: ArrivalSchedule, time: TimeSource): ExecutorRuntime {
  return {
    async run(fire, signal) {
      const start = time.now();
      let next = 0;
      while (next < schedule.count && !signal?.aborted) {
        // Fire everything that is due; timers are coarse (≥1 ms), so at high rates each wake-up fires a small batch.
        const due = Math.min(schedule.count, schedule.dueBy(time.now() - start));
        while (next < due) {
          fire(next, start + schedule.plannedOffsetMs(next));
          next++;
        }
        if (next < schedule.count) {
          const plannedAt = start + schedule.plannedOffsetMs(next);
          const wait = plannedAt - time.now();
          // dueBy() and the planned instants are float arithmetic rounded apart (i × 0.2 ms against
          // elapsed / 0.2 ms at 5,000/s), so the next one can be due while dueBy() says not yet. An
          // exact (virtual) clock would then sleep a wait of an ulp or less, which need not move it,
          // and spin for ever (issue 17): what is due within a nanosecond is fired now.
          if (wait <= dueToleranceMs) {
            fire(next, plannedAt);
            next++;
            continue;
          }
          await time.sleep(time.exact === true ? wait : Math.max(1, Math.min(wait, 50)));
        }
      }
      return { fired: next };
    },
  };
}
