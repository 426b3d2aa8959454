/**
 * Retries what may succeed later: 429/5xx rejections of the `retryable` class (core/reasons.ts),
 * and requests that got no answer (connection refused, reset, GOAWAY, timeout).
 *
 * - Backoff is exponential with full jitter: delay = random(0, min(cap, base · 2^n)) (AWS
 *   Architecture Blog, "Exponential Backoff And Jitter"), so clients that failed together do not
 *   retry together; a `Retry-After` from the provider replaces it (FCM: "honour Retry-After",
 *   protocols.md §2.5).
 * - A retry budget caps retries to a fraction of first attempts (no retry storms).
 * - A request whose deadline (apns-expiration / TTL) would pass before the retry is `expired`.
 * - Nothing pushsim ended itself is retried (`shutdown`: the run stopped; `queue-full`, `closed`), and
 *   a retry that never left (the stop, or the circuit breaker opened meanwhile) returns the attempt
 *   before it: that is what the provider said. (A first attempt the open circuit kept in stays
 *   `circuit-open`: nothing else was said.)
 * - Answers that may have been processed (timeout, reset after the request was written) are
 *   retried only with `retryMaybeProcessed` (default true: at-least-once; the ledger of our mock
 *   counts the duplicates this can cause).
 */
import type { Clock } from '../../core/clock.js';
import { maxTimerMs } from '../../core/clock.js';
import { systemScheduler } from '../../core/scheduler.js';
import type { Scheduler } from '../../core/scheduler.js';
import { PushSimError, assertInteger } from '../../core/errors.js';
import type { RetryClass } from '../../core/reasons.js';
import type { DispatchContext, Interceptor, TransportRequest, TransportResult } from '../transport.js';
import { retryAfterMs } from './retry-after.js';
import { RetryBudget } from './retry-budget.js';
import type { RetryBudgetOptions } from './retry-budget.js';

export interface RetryOptions {
  /** The provider adapter's classification of a response (undefined = success). */
  readonly classify: (result: TransportResult) => RetryClass | undefined;
  /** Attempts in all, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** @default 100 */
  readonly baseDelayMs?: number;
  /** @default 30000 */
  readonly maxDelayMs?: number;
  /** Retry-After values above this are not waited for: the result is returned as is. @default 60000 */
  readonly maxRetryAfterMs?: number;
  readonly budget?: RetryBudgetOptions | RetryBudget;
  /** Also retry failures that the origin may have processed (timeouts, resets mid-request). @default true */
  readonly retryMaybeProcessed?: boolean;
  /** Where backoff waits and deadlines are read (virtual time in `pushsim simulate`). @default systemScheduler */
  readonly scheduler?: Scheduler;
  /** Reads the time for deadlines and Retry-After dates. @default scheduler */
  readonly clock?: Clock;
  /** Waits. @default scheduler.sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** [0, 1) — the jitter source; injectable for deterministic tests. */
  readonly random?: () => number;
  /**
   * A retry after attempt `attempt` was made, `delayMs` after it, because of `cause`: called once
   * the retry came back, and not for a retry that never left (the sender destroyed, the circuit open).
   */
  readonly onRetry?: (info: { attempt: number; delayMs: number; cause: string }) => void;
  readonly onBudgetExhausted?: () => void;
}

/** What an option left out means (also for labels elsewhere, e.g. `pushsim tune`). */
export const retryDefaults = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 30_000 } as const;

export function retry(options: RetryOptions): Interceptor {
  const maxAttempts = assertInteger('retry maxAttempts', options.maxAttempts ?? retryDefaults.maxAttempts, 1, 100);
  const base = assertInteger('retry baseDelayMs', options.baseDelayMs ?? retryDefaults.baseDelayMs, 0, maxTimerMs);
  const cap = assertInteger('retry maxDelayMs', options.maxDelayMs ?? retryDefaults.maxDelayMs, 0, maxTimerMs);
  const maxRetryAfter = assertInteger('retry maxRetryAfterMs', options.maxRetryAfterMs ?? 60_000, 0, maxTimerMs);
  const budget = options.budget instanceof RetryBudget ? options.budget : new RetryBudget(options.budget);
  const scheduler = options.scheduler ?? systemScheduler;
  const clock = options.clock ?? scheduler;
  const sleep = options.sleep ?? ((ms: number) => scheduler.sleep(ms));
  const random = options.random ?? Math.random;
  const maybeProcessed = options.retryMaybeProcessed ?? true;

  const cause = (result: TransportResult): string | undefined => {
    if (result.ok) return options.classify(result) === 'retryable' ? `HTTP ${result.status}` : undefined;
    switch (result.kind) {
      case 'connect':
      case 'goaway':
      case 'reset':
      case 'timeout':
        return result.unprocessed || maybeProcessed ? result.kind : undefined;
      default:
        return undefined; // expired, queue-full, closed, circuit-open, shutdown: retrying cannot help here
    }
  };

  // The first attempt is a plain `.then` (an async frame per notification costs ~400 bytes of
  // garbage and a microtask); the loop below runs only for what needs retrying.
  return (next) => {
    const retryFrom = async (request: TransportRequest, context: DispatchContext, first: TransportResult, firstCause: string): Promise<TransportResult> => {
      let previous = first;
      let why = firstCause;
      for (let attempt = 1; ; attempt++) {
        const hinted = previous.ok ? retryAfterMs(previous.headers, clock.now()) : undefined;
        if (hinted !== undefined && hinted > maxRetryAfter) return previous;
        const exponential = Math.min(cap, base * 2 ** (attempt - 1));
        const delayMs = hinted ?? Math.floor(random() * exponential);
        if (request.deadline !== undefined && clock.now() + delayMs > request.deadline) {
          return { ok: false, kind: 'expired', error: new PushSimError('PUSHSIM_ERR_EXPIRED', `the deadline passes before the next retry (after ${why})`), unprocessed: true };
        }
        if (!budget.withdraw()) {
          options.onBudgetExhausted?.();
          return previous;
        }
        const retrying = { attempt, delayMs, cause: why };
        await sleep(delayMs);
        const result = await next(request, context);
        // A retry that never left pushsim — the run's stop, or an open circuit, kept it in — was not
        // made: it is not counted, and the last answer the origin gave stands.
        if (!result.ok && result.unprocessed && (result.kind === 'shutdown' || result.kind === 'circuit-open')) return previous;
        options.onRetry?.(retrying);
        previous = result;
        const whyAgain = cause(result);
        if (whyAgain === undefined || attempt + 1 >= maxAttempts) return result;
        why = whyAgain;
      }
    };
    return (request, context) => {
      budget.deposit();
      return next(request, context).then((result) => {
        const why = cause(result);
        return why === undefined || maxAttempts <= 1 ? result : retryFrom(request, context, result, why);
      });
    };
  };
}
