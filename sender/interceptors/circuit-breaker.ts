/**
 * A circuit breaker per origin (one instance per transport):
 *
 *   closed ──(error rate ≥ threshold over the window, or N consecutive failures)──► open
 *   open ──(openMs elapsed)──► half-open ──(probe succeeds)──► closed
 *                                        └─(probe fails)────► open
 *
 * While open, requests are not sent: they come back as `circuit-open` failures (unprocessed), which
 * the fallback interceptor can route elsewhere. What counts as a failure: a `retryable` rejection
 * (429/5xx) or no answer at all. Permanent and config rejections are the provider working fine, and
 * what pushsim ended itself (queue full, closed, its own `shutdown` at the end of a run) is not held
 * against the origin.
 */
import type { Clock } from '../../core/clock.js';
import { maxTimerMs, systemClock } from '../../core/clock.js';
import { PushSimError, assertInteger, assertNumber } from '../../core/errors.js';
import type { RetryClass } from '../../core/reasons.js';
import type { FailureKind, Interceptor, TransportRequest, TransportResult } from '../transport.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * What every request kept in by an open circuit gets: one shared, frozen answer rather than a new
 * Error (and its stack trace, several µs) per request, which is what an outage at 1,000/s is made of.
 */
const circuitOpen: TransportResult = Object.freeze({ ok: false, kind: 'circuit-open', unprocessed: true, error: new PushSimError('PUSHSIM_ERR_CIRCUIT_OPEN', 'circuit open: the origin is failing, request not sent') });

export interface CircuitBreakerOptions {
  readonly classify: (result: TransportResult) => RetryClass | undefined;
  /** Error rate (0–1] over the window that opens the circuit. @default 0.5 */
  readonly errorRate?: number;
  /** Requests the window must hold before the error rate counts. @default 20 */
  readonly minRequests?: number;
  /** Consecutive failures that open the circuit whatever the rate. @default 50 */
  readonly consecutiveFailures?: number;
  /** Rolling window length, in 10 buckets. @default 10000 */
  readonly windowMs?: number;
  /** How long the circuit stays open before probing. @default 5000 */
  readonly openMs?: number;
  /** Probes allowed at once while half-open. @default 1 */
  readonly halfOpenProbes?: number;
  readonly clock?: Clock;
  readonly onStateChange?: (from: BreakerState, to: BreakerState) => void;
}

const BUCKETS = 10;

/** Failures pushsim caused itself, or that never reached the origin: they say nothing about its health. */
const notTheOrigin: ReadonlySet<FailureKind> = new Set<FailureKind>(['expired', 'queue-full', 'closed', 'circuit-open', 'shutdown']);

/** What an option left out means (also for labels elsewhere, e.g. `pushsim tune`). */
export const circuitBreakerDefaults = { errorRate: 0.5, minRequests: 20, openMs: 5000 } as const;

export class CircuitBreaker {
  readonly #o: Required<Omit<CircuitBreakerOptions, 'onStateChange' | 'classify' | 'clock'>>;
  readonly #classify: CircuitBreakerOptions['classify'];
  readonly #clock: Clock;
  readonly #onStateChange: CircuitBreakerOptions['onStateChange'];
  readonly #totals = new Array<number>(BUCKETS).fill(0);
  readonly #failures = new Array<number>(BUCKETS).fill(0);
  #bucketAt = 0;
  #consecutive = 0;
  #state: BreakerState = 'closed';
  #openedAt = 0;
  #probing = 0;

  constructor(options: CircuitBreakerOptions) {
    this.#o = {
      errorRate: assertNumber('circuit breaker errorRate', options.errorRate ?? circuitBreakerDefaults.errorRate, Number.MIN_VALUE, 1),
      minRequests: assertInteger('circuit breaker minRequests', options.minRequests ?? circuitBreakerDefaults.minRequests, 1),
      consecutiveFailures: assertInteger('circuit breaker consecutiveFailures', options.consecutiveFailures ?? 50, 1),
      windowMs: assertInteger('circuit breaker windowMs', options.windowMs ?? 10_000, BUCKETS, maxTimerMs),
      openMs: assertInteger('circuit breaker openMs', options.openMs ?? circuitBreakerDefaults.openMs, 0, maxTimerMs),
      halfOpenProbes: assertInteger('circuit breaker halfOpenProbes', options.halfOpenProbes ?? 1, 1),
    };
    this.#classify = options.classify;
    this.#clock = options.clock ?? systemClock;
    this.#onStateChange = options.onStateChange;
  }

  get state(): BreakerState {
    if (this.#state === 'open' && this.#clock.now() - this.#openedAt >= this.#o.openMs) this.#move('half-open');
    return this.#state;
  }

  interceptor(): Interceptor {
    return (next) => (request, context) => {
      const state = this.state;
      if (state === 'open' || (state === 'half-open' && this.#probing >= this.#o.halfOpenProbes)) {
        return Promise.resolve(circuitOpen);
      }
      if (state === 'closed') return next(request, context).then(this.#recordClosed);
      this.#probing++;
      return next(request, context).then(this.#recordProbe);
    };
  }

  // Shared by every request (no closure or async frame per request on the hot path).
  readonly #recordClosed = (result: TransportResult): TransportResult => {
    this.#record(result, false);
    return result;
  };

  readonly #recordProbe = (result: TransportResult): TransportResult => {
    this.#probing--;
    this.#record(result, true);
    return result;
  };

  #record(result: TransportResult, probe: boolean): void {
    const failed = result.ok ? this.#classify(result) === 'retryable' : !notTheOrigin.has(result.kind);
    if (!result.ok && !failed) return; // never reached the origin: says nothing about its health
    if (probe || this.#state === 'half-open') {
      if (failed) this.#trip();
      else this.#close();
      return;
    }
    if (this.#state !== 'closed') return;
    const bucket = this.#rotate();
    this.#totals[bucket] = (this.#totals[bucket] ?? 0) + 1;
    if (failed) this.#failures[bucket] = (this.#failures[bucket] ?? 0) + 1;
    this.#consecutive = failed ? this.#consecutive + 1 : 0;
    if (!failed) return;
    const total = sum(this.#totals);
    if (this.#consecutive >= this.#o.consecutiveFailures || (total >= this.#o.minRequests && sum(this.#failures) / total >= this.#o.errorRate)) this.#trip();
  }

  /** Index of the current bucket, clearing buckets that fell out of the window. */
  #rotate(): number {
    const bucketMs = this.#o.windowMs / BUCKETS;
    const now = Math.floor(this.#clock.now() / bucketMs);
    const stale = Math.min(BUCKETS, now - this.#bucketAt);
    for (let i = 1; i <= stale; i++) {
      const index = (this.#bucketAt + i) % BUCKETS;
      this.#totals[index] = 0;
      this.#failures[index] = 0;
    }
    this.#bucketAt = now;
    return now % BUCKETS;
  }

  #trip(): void {
    this.#openedAt = this.#clock.now();
    this.#move('open');
  }

  #close(): void {
    this.#totals.fill(0);
    this.#failures.fill(0);
    this.#consecutive = 0;
    this.#move('closed');
  }

  #move(to: BreakerState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#onStateChange?.(from, to);
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/**
 * One breaker per origin behind a transport that serves many (the Web Push agent: one push service
 * failing must not open the circuit for the others). `originOf` names a request's origin;
 * `onStateChange` hears which origin moved. Past `maxOrigins` the least recently used breaker is
 * forgotten (it was closed, or its origin has gone quiet).
 */
export function circuitBreakerPerOrigin(
  options: Omit<CircuitBreakerOptions, 'onStateChange'>,
  originOf: (request: TransportRequest) => string,
  onStateChange: (origin: string, from: BreakerState, to: BreakerState) => void,
  maxOrigins = 256,
): Interceptor {
  new CircuitBreaker(options); // bad options throw here, at construction
  const breakers = new Map<string, Interceptor>();
  return (next) => (request, context) => {
    const origin = originOf(request);
    let breaker = breakers.get(origin);
    if (breaker === undefined) {
      breaker = new CircuitBreaker({ ...options, onStateChange: (from, to) => onStateChange(origin, from, to) }).interceptor();
      if (breakers.size >= maxOrigins) breakers.delete(breakers.keys().next().value as string);
    } else {
      breakers.delete(origin);
    }
    breakers.set(origin, breaker);
    return breaker(next)(request, context);
  };
}

/** One breaker around whatever it wraps (the interceptor form of `new CircuitBreaker(o).interceptor()`). */
export function circuitBreaker(options: CircuitBreakerOptions): Interceptor {
  return new CircuitBreaker(options).interceptor();
}
