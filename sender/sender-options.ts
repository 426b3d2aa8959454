/**
 * What every provider sender (ApnsSender, FcmSender, WebPushSender) takes besides its origin and
 * credentials: pool limits, observation, policies, and the production opt-in. One declaration, so
 * the three cannot drift apart.
 */
import type { Clock } from '../core/clock.js';
import type { Scheduler } from '../core/scheduler.js';
import type { SenderListener } from './listener.js';
import type { ResiliencePolicies } from './policies.js';
import type { Interceptor, Transport } from './transport.js';

export interface CommonSenderOptions {
  /** HTTP/2 sessions (Web Push: per push-service origin). @default 1 */
  readonly connections?: number;
  /** Requests on the wire (Web Push: per origin). @default 1000 */
  readonly maxInFlight?: number;
  /** Requests waiting for a stream (Web Push: per origin). @default 100000 */
  readonly maxQueue?: number;
  /** @default 30000 */
  readonly requestTimeoutMs?: number;
  readonly listener?: SenderListener;
  /**
   * Where every wait and time reading of the sender's policies happens: retry backoff and
   * Retry-After, deadlines, the circuit breaker's window and open time, token refresh. A
   * VirtualScheduler runs them on virtual time (`pushsim simulate`, with a simulated `transport`).
   * @default systemScheduler
   */
  readonly scheduler?: Scheduler;
  /** Reads the time (token ages, breaker windows, deadlines) without waiting. @default scheduler */
  readonly clock?: Clock;
  /**
   * Retry, circuit breaker and fallback (sender/policies.ts). Retry and the breaker are on by
   * default; pass `{ retry: false, circuitBreaker: false }` for a bare sender.
   */
  readonly policies?: ResiliencePolicies;
  /** Extra interceptors, outermost first, placed outside the policies and authentication. */
  readonly interceptors?: readonly Interceptor[];
  /** Use this transport instead of opening HTTP/2 connections (tests, fallbacks). */
  readonly transport?: Transport;
  /** Required to send to the provider's production service (real devices). @default false */
  readonly allowProduction?: boolean;
  /** Requests per second when sending to production. @default 50 */
  readonly productionRateLimit?: number;
}
