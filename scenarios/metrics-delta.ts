/**
 * The plain data a run's metrics tally moves between threads (a worker's delta each tick, structured
 * clone): its own file so the run's event map (run-events.ts) can name it without importing the
 * tally, which itself listens to those events.
 */
import type { OutcomeStatus } from '../sender/outcome.js';
import type { BreakerState } from './tick-stats.js';

/** Bucket counts (not cumulative; the last one is +Inf), their sum in seconds and their count. */
export interface HistogramData {
  readonly buckets: number[];
  sum: number;
  count: number;
}

/** What a MetricsTally holds, as plain data that crosses a worker thread's port (structured clone). */
export interface MetricsDelta {
  /** Latency from planned send to final state, per provider and final state (its count is the notifications'). */
  readonly latency: readonly { readonly provider: string; readonly state: OutcomeStatus; readonly histogram: HistogramData }[];
  /** result.json's `byReason` keys (`apns:Unregistered`, `pushsim:queue-full`) with the final state they ended in. */
  readonly reasons: readonly { readonly reason: string; readonly state: OutcomeStatus; readonly count: number }[];
  /** Latency of single requests (attempts), queueing inside pushsim included. */
  readonly attemptLatency: HistogramData;
  /** Requests put on the wire for the notifications that reached a final state (result.json `counts.attempts`). */
  readonly attempts: number;
  readonly retries: number;
  readonly fallbacks: number;
  /** The source's breakers that ever changed state, with their state now (not a delta: the latest). */
  readonly breakers: readonly { readonly origin: string; readonly state: BreakerState }[];
}
