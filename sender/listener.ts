/**
 * What the sender reports while it works (after Pushy's ApnsClientMetricsListener). Histograms,
 * progress and exporters subscribe here; the transport and interceptors keep no metrics. Every
 * callback is optional and called synchronously on the hot path, so keep them cheap.
 */
import type { Provider } from '../core/reasons.js';
import type { BreakerState } from './interceptors/circuit-breaker.js';
import type { Outcome } from './outcome.js';
import type { TransportResult } from './transport.js';

/** Where an attempt's time went, when it reached the wire. */
export interface AttemptTiming {
  readonly queuedMs: number;
  readonly wireMs: number;
}

export interface ConnectionListener {
  onConnectionAdded?(origin: string): void;
  onConnectionRemoved?(origin: string, cause: string): void;
  onConnectionFailed?(origin: string, error: Error): void;
}

export interface SenderListener extends ConnectionListener {
  /** The notification reached its final state; `durationMs` runs from `send()` to now. */
  onOutcome?(outcome: Outcome, durationMs: number): void;
  /** A request (one attempt) is handed to the transport. */
  onSent?(): void;
  /**
   * One request (attempt) came back, `durationMs` after it was handed to the transport (queueing
   * included). `timing` splits it when the request reached the wire: `queuedMs` waiting inside
   * pushsim (the pool's queue, a free stream), `wireMs` from the stream opening to the answer.
   */
  onAttempt?(durationMs: number, timing?: AttemptTiming): void;
  /**
   * The same attempt's answer (or failure) as the transport got it, from `provider`, after `wireMs`
   * on the wire (stream opened → answer; the whole attempt when it never reached a stream). For
   * recording what a provider did (reports/profile.ts); leave it unset otherwise.
   */
  onAnswer?(provider: Provider, result: TransportResult, wireMs: number): void;
  /** A retry was made after attempt `attempt`, `delayMs` later, because of `cause` (reported when it came back; see RetryOptions.onRetry). */
  onRetry?(attempt: number, delayMs: number, cause: string): void;
  /** A retry was wanted but the retry budget was empty. */
  onRetryBudgetExhausted?(): void;
  /** The notification went to the fallback route `route`. */
  onFallback?(route: string, cause: string): void;
  onBreakerStateChange?(origin: string, from: BreakerState, to: BreakerState): void;
}
