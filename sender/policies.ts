/**
 * The resilience policies and the one place where their order is decided.
 *
 *   fallback ─► retry ─► circuit breaker ─► authentication ─► transport
 *
 * - Authentication is innermost, so every attempt carries a current token.
 * - The breaker sees every attempt, so it counts what the origin actually does. Behind a transport of
 *   many origins (the Web Push agent) there is one breaker per origin, named in its transitions.
 * - Retry wraps the breaker: an open circuit is not retried (it answers `circuit-open`), it falls
 *   through to the fallback, which is outermost and only sees what retries could not fix.
 */
import type { Clock } from '../core/clock.js';
import type { Scheduler } from '../core/scheduler.js';
import type { RetryClass } from '../core/reasons.js';
import { originOf } from './http2/agent.js';
import { CircuitBreaker, circuitBreakerPerOrigin } from './interceptors/circuit-breaker.js';
import type { CircuitBreakerOptions } from './interceptors/circuit-breaker.js';
import { fallback } from './interceptors/fallback.js';
import type { FallbackOptions } from './interceptors/fallback.js';
import { retry } from './interceptors/retry.js';
import type { RetryOptions } from './interceptors/retry.js';
import type { SenderListener } from './listener.js';
import type { Interceptor, TransportRequest, TransportResult } from './transport.js';

type Classified<T> = Omit<T, 'classify' | 'clock' | 'scheduler'>;

export interface ResiliencePolicies {
  /** Retry with backoff; `false` turns it off. @default on, with RetryOptions defaults */
  readonly retry?: false | Classified<RetryOptions>;
  /** Circuit breaker for the origin; `false` turns it off. @default on, with CircuitBreakerOptions defaults */
  readonly circuitBreaker?: false | Classified<CircuitBreakerOptions>;
  /** A secondary route for what the primary cannot deliver. @default none */
  readonly fallback?: Omit<FallbackOptions, 'classify'>;
}

/**
 * The caller's part of a sender's chain. CommonSenderOptions (sender-options.ts) has these two
 * fields among others; named here so this file, which defines the policies those options hold,
 * does not import them back.
 */
export interface SenderChainOptions {
  readonly policies?: ResiliencePolicies;
  readonly interceptors?: readonly Interceptor[];
}

/** What a provider sender adds around the policies. */
export interface SenderChainParts {
  readonly classify: (result: TransportResult) => RetryClass | undefined;
  readonly listener: SenderListener;
  readonly origin: string;
  readonly clock: Clock;
  /** Where retries wait (virtual time in `pushsim simulate`). @default systemScheduler */
  readonly scheduler?: Scheduler | undefined;
  /** The production rate cap (or, for Web Push, the guard refusing real push services); none for a test origin. */
  readonly production?: Interceptor | undefined;
  /** Provider authentication; none for APNs certificate auth. */
  readonly auth?: Interceptor | undefined;
}

/**
 * A provider sender's whole chain, outermost first: the caller's own interceptors, the production
 * cap, the resilience policies, then authentication, innermost (see the order above).
 */
export function senderInterceptors(options: SenderChainOptions, parts: SenderChainParts): Interceptor[] {
  return [
    ...(options.interceptors ?? []),
    ...(parts.production ? [parts.production] : []),
    ...resilienceInterceptors(parts.classify, options.policies ?? {}, parts.listener, parts.origin, parts.clock, parts.scheduler),
    ...(parts.auth ? [parts.auth] : []),
  ];
}

/** Builds the interceptors, outermost first, for a provider whose responses `classify` reads. */
export function resilienceInterceptors(
  classify: (result: TransportResult) => RetryClass | undefined,
  policies: ResiliencePolicies,
  listener: SenderListener,
  origin: string,
  clock?: Clock,
  scheduler?: Scheduler,
): Interceptor[] {
  const interceptors: Interceptor[] = [];
  if (policies.fallback) {
    const { onFallback } = policies.fallback;
    const name = policies.fallback.name;
    interceptors.push(
      fallback({
        ...policies.fallback,
        classify,
        onFallback: (cause) => {
          onFallback?.(cause);
          listener.onFallback?.(name, cause);
        },
      }),
    );
  }
  if (policies.retry !== false) {
    const options = policies.retry ?? {};
    interceptors.push(
      retry({
        ...options,
        classify,
        ...(clock && { clock }),
        ...(scheduler && { scheduler }),
        onRetry: (info) => {
          options.onRetry?.(info);
          listener.onRetry?.(info.attempt, info.delayMs, info.cause);
        },
        onBudgetExhausted: () => {
          options.onBudgetExhausted?.();
          listener.onRetryBudgetExhausted?.();
        },
      }),
    );
  }
  if (policies.circuitBreaker !== false && origin === '*') {
    // A transport of many origins (Http2Agent, origin '*'): a breaker per origin, each named in its transitions.
    const options = policies.circuitBreaker ?? {};
    const { onStateChange, ...rest } = options;
    const perRequest = (request: TransportRequest): string => originOf(request.path) ?? '*';
    interceptors.push(
      circuitBreakerPerOrigin({ ...rest, classify, ...((clock ?? scheduler) && { clock: clock ?? scheduler }) }, perRequest, (at, from, to) => {
        onStateChange?.(from, to);
        listener.onBreakerStateChange?.(at, from, to);
      }),
    );
  } else if (policies.circuitBreaker !== false) {
    const options = policies.circuitBreaker ?? {};
    const breaker = new CircuitBreaker({
      ...options,
      classify,
      ...((clock ?? scheduler) && { clock: clock ?? scheduler }),
      onStateChange: (from, to) => {
        options.onStateChange?.(from, to);
        listener.onBreakerStateChange?.(origin, from, to);
      },
    });
    interceptors.push(breaker.interceptor());
  }
  return interceptors;
}
