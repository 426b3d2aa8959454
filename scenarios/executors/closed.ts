/**
 * The closed model (k6 `constant-vus`, h2load `-m`): a fixed number of notifications in flight; the
 * next is sent as soon as one is answered, until `count` have been sent or `durationMs` has passed.
 * It finds the most a provider, a mock or pushsim itself can take: throughput is whatever comes
 * back.
 *
 * Its latency is NOT corrected for coordinated omission: a slow answer delays the next send, so
 * the time notifications would have waited behind a slow provider never shows (Gil Tene, "How NOT to
 * measure latency"). Latency runs from each actual send; the result says so (`loadModel`). Measure
 * latency with an arrival-rate executor, at a rate below the maximum found here.
 */
import type { ExecutorRuntime, Fire, TimeSource } from './open-model.js';
import { realTime } from './open-model.js';

export interface ClosedModelConfig {
  readonly executor: 'closed';
  /** Notifications kept in flight. */
  readonly inFlight: number;
  /** Notifications to send in all; with `durationMs` too, whichever ends first. */
  readonly count?: number;
  /** Stop sending new notifications after this long. */
  readonly durationMs?: number;
}

export const maxClosedInFlight = 100_000;
const maxCount = 100_000_000;
const maxDurationMs = 24 * 3600 * 1000;

export function validateClosedModel(config: ClosedModelConfig, path = 'load'): string[] {
  const problems: string[] = [];
  if (typeof config.inFlight !== 'number' || !Number.isInteger(config.inFlight) || config.inFlight < 1 || config.inFlight > maxClosedInFlight) {
    problems.push(`${path}.inFlight must be a whole number of notifications from 1 to ${maxClosedInFlight}, got ${JSON.stringify(config.inFlight)}`);
  }
  if (config.count === undefined && config.durationMs === undefined) {
    problems.push(`${path} needs count (notifications to send) or durationMs (how long to send), or both: the closed model stops at whichever comes first`);
  }
  if (config.count !== undefined && (typeof config.count !== 'number' || !Number.isInteger(config.count) || config.count < 1 || config.count > maxCount)) {
    problems.push(`${path}.count must be a whole number of notifications from 1 to ${maxCount}, got ${JSON.stringify(config.count)}`);
  }
  if (config.durationMs !== undefined && (typeof config.durationMs !== 'number' || !Number.isInteger(config.durationMs) || config.durationMs < 1 || config.durationMs > maxDurationMs)) {
    problems.push(`${path}.durationMs must be a whole number of ms from 1 to ${maxDurationMs}, got ${JSON.stringify(config.durationMs)}`);
  }
  return problems;
}

export function describeClosedModel(config: ClosedModelConfig): string {
  const until = [config.count !== undefined && `${config.count} notifications`, config.durationMs !== undefined && `${(config.durationMs / 1000).toFixed(1)} s`].filter(Boolean).join(' or ');
  return `${until}, ${config.inFlight} in flight (closed model: as fast as answers come back; latency not corrected for coordinated omission)`;
}

/**
 * `fire` must return a promise that settles when the notification has its outcome (the runner's
 * does); a notification is then replaced by the next. `run` resolves as soon as nothing more will
 * be fired (count reached, time up or aborted), without waiting for those still in flight: the
 * runner's graceful stop deals with them, as it does for the open model.
 */
export function createClosedModel(config: ClosedModelConfig, time: TimeSource = realTime): ExecutorRuntime {
  return {
    run(fire: Fire, signal?: AbortSignal) {
      const count = config.count ?? Number.POSITIVE_INFINITY;
      const endAt = config.durationMs === undefined ? Number.POSITIVE_INFINITY : time.now() + config.durationMs;
      let next = 0;
      let finished = false;
      return new Promise<{ fired: number }>((resolve) => {
        const finish = (): void => {
          if (finished) return;
          finished = true;
          signal?.removeEventListener('abort', finish);
          resolve({ fired: next });
        };
        const more = (now = time.now()): boolean => !finished && next < count && signal?.aborted !== true && now < endAt;
        // One slot of `inFlight`: fire, wait for the outcome, fire again while there is more to send.
        // The clock is read once per notification: the instant it is checked against the end is its planned time.
        const slot = (): void => {
          const now = time.now();
          if (!more(now)) return finish();
          const index = next++;
          const outcome = fire(index, now);
          if (next >= count) finish();
          Promise.resolve(outcome).then(slot, slot);
        };
        // Time is up even when every notification in flight hangs: look at least every 50 ms (a
        // short sleep, so a run that ends early keeps no timer alive for long).
        const watch = async (): Promise<void> => {
          while (!finished) {
            const left = endAt - time.now();
            if (left <= 0) return finish();
            await time.sleep(Math.min(left, 50));
          }
        };
        signal?.addEventListener('abort', finish, { once: true });
        for (let i = 0; i < config.inFlight && more(); i++) slot();
        if (!more()) finish();
        else if (config.durationMs !== undefined) void watch();
      });
    },
  };
}
