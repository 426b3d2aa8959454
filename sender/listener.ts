/**
 * What the sender reports while it works (after Pushy's ApnsClientMetricsListener). Histograms,
 * progress and exporters subscribe here; the transport and interceptors keep no metrics. Every
 * callback is optional and called synchronously on the hot path, so keep them cheap.
 */
import type { BreakerState } from './interceptors/circuit-breaker.js';
import type { Outcome } from './outcome.js';

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
  /** One request (attempt) came back, `durationMs` after it was handed to the transport (queueing included). */
  onAttempt?(durationMs: number): void;
  /** A retry was scheduled after attempt `attempt`, in `delayMs`, because of `cause`. */
  onRetry?(attempt: number, delayMs: number, cause: string): void;
  /** A retry was wanted but the retry budget was empty. */
  onRetryBudgetExhausted?(): void;
  /** The notification went to the fallback route `route`. */
  onFallback?(route: string, cause: string): void;
  onBreakerStateChange?(origin: string, from: BreakerState, to: BreakerState): void;
}
