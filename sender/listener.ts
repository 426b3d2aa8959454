/**
 * What the sender reports while it works (after Pushy's ApnsClientMetricsListener). Histograms,
 * progress and exporters subscribe here; the transport itself keeps no metrics. Every callback is
 * optional and called synchronously on the hot path, so keep them cheap.
 */
import type { Outcome } from './outcome.js';

export interface ConnectionListener {
  onConnectionAdded?(origin: string): void;
  onConnectionRemoved?(origin: string, cause: string): void;
  onConnectionFailed?(origin: string, error: Error): void;
}

export interface SenderListener extends ConnectionListener {
  /** The notification reached its final state; `durationMs` runs from `send()` to now. */
  onOutcome?(outcome: Outcome, durationMs: number): void;
}
