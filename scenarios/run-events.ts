/**
 * What a run emits (scenarios/runner.ts): the events' payloads, in a file of their own so the
 * worker-thread coordinator (scenarios/workers.ts) re-emits them without importing the runner.
 */
import type { BreakerState } from './tick-stats.js';
import type { Result, SentAt } from '../reports/result.js';
import type { Outcome } from '../sender/outcome.js';
import type { MetricsDelta } from './metrics-delta.js';

export interface RunStart {
  readonly scenario: string;
  readonly description: string;
  readonly plan: string;
  readonly target: string;
  readonly placement: string;
  /** When the run is one shard of the scenario: which (`shard 1/3: every 3rd notification from index 1, …`). */
  readonly shard?: string;
  /** When the run is split over worker threads: how many, and why that many (`2 sender worker threads (--workers 2)`). */
  readonly workers?: string;
}

/** The run is ready (mocks, connections, warm-up) and waits for the start the shards agreed on. */
export interface RunWaiting {
  /** The agreed start, epoch ms. */
  readonly startAt: number;
  readonly waitMs: number;
}

export interface RunProgress {
  readonly elapsedMs: number;
  readonly scheduled: number;
  readonly completed: number;
  readonly inFlight: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
  /** Notifications pushsim gave up (shed, cut). */
  readonly dropped: number;
  /** Requests waiting inside pushsim right now (the pools' queues). */
  readonly queued: number;
  /** The largest send lag (planned → on the wire) among the notifications that completed since the last tick; null if none did. */
  readonly sendLagMs: number | null;
  /** When the last notification is planned (ms on the run's clock); null when only answers end the run (closed model). */
  readonly plannedMs: number | null;
  /** The planned rate (per second) of what this run sends; null for the closed model. */
  readonly targetRate: number | null;
  /** p99 of the latency accepted since the last tick (with worker threads: the worst thread's); null when nothing was accepted. */
  readonly p99Ms: number | null;
  /** The fault phase the run is in, when the scenario has phases. */
  readonly phase?: string;
  /** The worst circuit-breaker state among the origins, once one changed state. */
  readonly breaker?: BreakerState;
}

/** The warm-up so far: notifications answered of those it sends (not measured). */
export interface RunWarmup {
  readonly done: number;
  readonly total: number;
}

export interface RunEvents {
  start: [RunStart];
  waiting: [RunWaiting];
  progress: [RunProgress];
  /** About once a second during the warm-up. */
  warmup: [RunWarmup];
  /**
   * The outcome, its latency from the planned time (ms), when it came (ms on the measured run's
   * clock), and when it first went on the wire, if it did.
   */
  outcome: [Outcome, number, number, SentAt | undefined];
  /** One request (attempt) of the measured run came back after this many ms (queueing included). Not emitted with workers: see 'metrics'. */
  attempt: [number];
  /** The retry policy scheduled a retry (measured run). Not emitted with workers: see 'metrics'. */
  retry: [];
  /** A notification went to a fallback route (measured run). Not emitted with workers: see 'metrics'. */
  fallback: [];
  /** A circuit breaker changed state (warm-up included): its origin and new state. Not emitted with workers: see 'metrics'. */
  breaker: [string, string];
  /**
   * With workers and RunOptions.metrics: what worker `source` tallied since its last tick (outcomes,
   * latencies, attempts, retries, fallbacks, its breakers), once per progress tick and once at its end.
   */
  metrics: [MetricsDelta, number];
  /**
   * With workers and RunOptions.acceptedLatency: the latencies (ms from the planned time) a worker
   * accepted since its last tick, as a compressed base64 HDR histogram, once per progress tick and
   * once at its end.
   */
  acceptedLatency: [string];
  /** Something is off, said as soon as it is known: faults that cannot fire, pushsim falling behind, an unreachable target. */
  warning: [string];
  done: [Result];
}
