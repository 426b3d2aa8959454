/**
 * Caps the request rate with a token bucket: a request waits for a token instead of being sent
 * early. Used as the safety rail for real providers (a load test must not turn into a flood of
 * real notifications) and to stay under a known quota (FCM: 600k/min per project, protocols.md §2.6).
 * Waits longer than `maxWaitMs` fail as `queue-full` (dropped), so a backlog cannot grow forever.
 */
import type { Clock } from '../../core/clock.js';
import { systemScheduler } from '../../core/scheduler.js';
import type { Scheduler } from '../../core/scheduler.js';
import { PushSimError, assertInteger, assertNumber } from '../../core/errors.js';
import type { Interceptor } from '../transport.js';

export interface RateLimitOptions {
  /** Requests per second, sustained. */
  readonly perSecond: number;
  /** Requests that may go at once after a quiet spell. @default perSecond (one second's worth) */
  readonly burst?: number;
  /** @default 60000 */
  readonly maxWaitMs?: number;
  /** Where waits happen and the bucket's time is read (virtual time in `pushsim simulate`). @default systemScheduler */
  readonly scheduler?: Scheduler;
  /** @default scheduler */
  readonly clock?: Clock;
  /** @default scheduler.sleep */
  readonly sleep?: (ms: number) => Promise<void>;
}

export function rateLimit(options: RateLimitOptions): Interceptor {
  const perMs = assertNumber('rate limit perSecond', options.perSecond, Number.MIN_VALUE) / 1000;
  const burst = assertNumber('rate limit burst', options.burst ?? options.perSecond, 1);
  const maxWaitMs = assertInteger('rate limit maxWaitMs', options.maxWaitMs ?? 60_000, 0);
  const scheduler = options.scheduler ?? systemScheduler;
  const clock = options.clock ?? scheduler;
  const sleep = options.sleep ?? ((ms: number) => scheduler.sleep(ms));
  let tokens = burst;
  let refilledAt = clock.now();
  return (next) => (request, context) => {
    const now = clock.now();
    tokens = Math.min(burst, tokens + (now - refilledAt) * perMs);
    refilledAt = now;
    // Take the token now (possibly going negative): callers queue in arrival order behind it.
    tokens -= 1;
    if (tokens >= 0) return next(request, context);
    const waitMs = Math.ceil(-tokens / perMs);
    if (waitMs > maxWaitMs) {
      tokens += 1;
      return Promise.resolve({ ok: false, kind: 'queue-full', unprocessed: true, error: new PushSimError('PUSHSIM_ERR_QUEUE_FULL', `rate limit of ${options.perSecond}/s: would wait ${waitMs} ms`) });
    }
    return sleep(waitMs).then(() => next(request, context));
  };
}
