/**
 * Constant arrival rate — the open model (k6 `constant-arrival-rate`, wrk2): notification i is
 * *planned* for `start + i / rate`, whatever the provider is doing. A slow provider therefore
 * cannot slow our sending down and hide its slowness (coordinated omission); latency is measured
 * from the planned time, not from when the request actually left.
 *
 * Config (pure data, validated with every problem listed) and runtime are separate types.
 */
export interface ConstantArrivalRateConfig {
  readonly executor: 'constant-arrival-rate';
  /** Notifications per second. */
  readonly rate: number;
  /** How many notifications to schedule in all. */
  readonly count: number;
}

export function validateConstantArrivalRate(config: ConstantArrivalRateConfig, path = 'load'): string[] {
  const problems: string[] = [];
  if (typeof config.rate !== 'number' || !Number.isFinite(config.rate) || config.rate <= 0 || config.rate > 1_000_000) {
    problems.push(`${path}.rate must be a number of notifications per second from 0 to 1000000 (exclusive of 0), got ${JSON.stringify(config.rate)}`);
  }
  if (typeof config.count !== 'number' || !Number.isInteger(config.count) || config.count < 1 || config.count > 100_000_000) {
    problems.push(`${path}.count must be a whole number of notifications from 1 to 100000000, got ${JSON.stringify(config.count)}`);
  }
  return problems;
}

export function describeConstantArrivalRate(config: ConstantArrivalRateConfig): string {
  const seconds = config.count / config.rate;
  return `${config.count} notifications at ${config.rate}/s (constant arrival rate, ~${seconds.toFixed(1)} s)`;
}

/** Called once per notification at (or just after) its planned time, with that planned time. */
export type Fire = (index: number, plannedAt: number) => void;

export interface ExecutorRuntime {
  /** Resolves once every notification has been fired, or the signal aborted (the rest are not fired). */
  run(fire: Fire, signal?: AbortSignal): Promise<{ fired: number }>;
}

export interface TimeSource {
  /** Monotonic milliseconds. */
  now(): number;
  /** Waits about `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

const realTime: TimeSource = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function createConstantArrivalRate(config: ConstantArrivalRateConfig, time: TimeSource = realTime): ExecutorRuntime {
  const intervalMs = 1000 / config.rate;
  return {
    async run(fire, signal) {
      const start = time.now();
      let next = 0;
      while (next < config.count && !signal?.aborted) {
        // Fire everything that is due; timers are coarse (≥1 ms), so at high rates each wake-up fires a small batch.
        const due = Math.min(config.count, Math.floor((time.now() - start) / intervalMs) + 1);
        while (next < due) {
          fire(next, start + next * intervalMs);
          next++;
        }
        if (next < config.count) {
          const wait = start + next * intervalMs - time.now();
          await time.sleep(Math.max(1, Math.min(wait, 50)));
        }
      }
      return { fired: next };
    },
  };
}
