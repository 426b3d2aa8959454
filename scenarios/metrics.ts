/**
 * What a run's Prometheus endpoint shows (`pushsim run --metrics-port`), as plain numbers: the
 * runner's events go into a MetricsTally (outcomes, latencies in fixed buckets, attempts, retries,
 * fallbacks, breaker states), and RunMetrics adds what the progress ticks say (in flight, queued,
 * rates, phase). cli/run-metrics.ts turns it into Prometheus text at scrape time; nothing here
 * imports prom-client, so a sender worker thread tallies without loading it.
 *
 *   single thread:  run ──outcome/attempt/retry/fallback/breaker──► RunMetrics.tally
 *   --workers N:    worker's run ──events──► worker's MetricsTally ──take() each tick──► 'metrics'
 *                   message ──► main run emits 'metrics' ──► RunMetrics.tally.add(delta)
 *
 * One message per worker and tick, never one per notification; each worker's last delta comes
 * before its result, so at 'done' the tally holds every outcome of result.json.
 */
import type { EventEmitter } from 'node:events';
import { reasonKey } from '../sender/outcome.js';
import type { Outcome, OutcomeStatus } from '../sender/outcome.js';
import type { ScenarioConfig } from './config.js';
import { lastPlannedMs, plannedRate } from './executors/index.js';
import type { HistogramData, MetricsDelta } from './metrics-delta.js';
import type { BreakerState } from './tick-stats.js';
import type { RunEvents, RunProgress } from './run-events.js';

export type { HistogramData, MetricsDelta } from './metrics-delta.js';

/**
 * Upper bounds of the latency buckets, in seconds (Prometheus base unit): 1-2-5 steps from 1 ms to
 * 30 s, the range from a loopback mock's answer to a request timeout; histogram_quantile interpolates
 * within a bucket, so a p99 read from them is good to about one step.
 */
export const latencyBucketsSeconds: readonly number[] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30];

export function emptyHistogram(): HistogramData {
  return { buckets: new Array<number>(latencyBucketsSeconds.length + 1).fill(0), sum: 0, count: 0 };
}

/** Adds one value (ms) to `h`. A linear scan: most values sit in the first buckets, and there are 15. */
export function observeMs(h: HistogramData, ms: number): void {
  const seconds = ms / 1000;
  let i = 0;
  while (i < latencyBucketsSeconds.length && seconds > (latencyBucketsSeconds[i] as number)) i++;
  (h.buckets[i] as number)++;
  h.sum += seconds;
  h.count++;
}

function addHistogram(into: HistogramData, from: HistogramData): void {
  for (let i = 0; i < into.buckets.length; i++) into.buckets[i] = (into.buckets[i] as number) + (from.buckets[i] ?? 0);
  into.sum += from.sum;
  into.count += from.count;
}

function isBreakerState(state: string): state is BreakerState {
  return state === 'closed' || state === 'open' || state === 'half-open';
}

/** Counts and buckets of a run's events: the whole run's in the main thread, one tick's in a worker (`take()`). */
export class MetricsTally {
  /** provider → final state → latency histogram. */
  readonly #latency = new Map<string, Map<OutcomeStatus, HistogramData>>();
  readonly #reasons = new Map<string, { reason: string; state: OutcomeStatus; count: number }>();
  #attemptLatency = emptyHistogram();
  #attempts = 0;
  #retries = 0;
  #fallbacks = 0;
  readonly #breakers = new Map<string, BreakerState>();

  /** Notifications that reached their final state (the latency histograms' counts). */
  notifications(): number {
    let n = 0;
    for (const byState of this.#latency.values()) for (const h of byState.values()) n += h.count;
    return n;
  }

  onOutcome(outcome: Outcome, latencyMs: number): void {
    observeMs(this.#histogram(outcome.provider, outcome.status), latencyMs);
    this.#attempts += outcome.attempts;
    if (outcome.status === 'accepted' || outcome.status === 'expired') return;
    const reason = reasonKey(outcome) as string;
    const entry = this.#reasons.get(reason);
    if (entry === undefined) this.#reasons.set(reason, { reason, state: outcome.status, count: 1 });
    else entry.count++;
  }

  onAttempt(latencyMs: number): void {
    observeMs(this.#attemptLatency, latencyMs);
  }

  onRetry(): void {
    this.#retries++;
  }

  onFallback(): void {
    this.#fallbacks++;
  }

  onBreaker(origin: string, state: string): void {
    if (isBreakerState(state)) this.#breakers.set(origin, state);
  }

  /** Subscribes to a run's own events (a run in this thread, or a sender worker's run). */
  attach(run: EventEmitter<RunEvents>): void {
    run.on('outcome', (outcome, latencyMs) => this.onOutcome(outcome, latencyMs));
    run.on('attempt', (ms) => this.onAttempt(ms));
    run.on('retry', () => this.onRetry());
    run.on('fallback', () => this.onFallback());
    run.on('breaker', (origin, state) => this.onBreaker(origin, state));
  }

  /** Adds a worker's delta; its breaker states are the worker's, kept by RunMetrics per source. */
  add(delta: MetricsDelta): void {
    for (const { provider, state, histogram } of delta.latency) addHistogram(this.#histogram(provider, state), histogram);
    for (const { reason, state, count } of delta.reasons) {
      const entry = this.#reasons.get(reason);
      if (entry === undefined) this.#reasons.set(reason, { reason, state, count });
      else entry.count += count;
    }
    addHistogram(this.#attemptLatency, delta.attemptLatency);
    this.#attempts += delta.attempts;
    this.#retries += delta.retries;
    this.#fallbacks += delta.fallbacks;
  }

  /** Everything so far, as plain data (copies). */
  snapshot(): MetricsDelta {
    const latency: { provider: string; state: OutcomeStatus; histogram: HistogramData }[] = [];
    for (const [provider, byState] of this.#latency) for (const [state, h] of byState) latency.push({ provider, state, histogram: { buckets: [...h.buckets], sum: h.sum, count: h.count } });
    return {
      latency,
      reasons: [...this.#reasons.values()].map((r) => ({ ...r })),
      attemptLatency: { buckets: [...this.#attemptLatency.buckets], sum: this.#attemptLatency.sum, count: this.#attemptLatency.count },
      attempts: this.#attempts,
      retries: this.#retries,
      fallbacks: this.#fallbacks,
      breakers: [...this.#breakers].map(([origin, state]) => ({ origin, state })),
    };
  }

  /** The snapshot, then the counts start again from zero (breaker states stay: they are states, not counts). */
  take(): MetricsDelta {
    const delta = this.snapshot();
    this.#latency.clear();
    this.#reasons.clear();
    this.#attemptLatency = emptyHistogram();
    this.#attempts = 0;
    this.#retries = 0;
    this.#fallbacks = 0;
    return delta;
  }

  #histogram(provider: string, state: OutcomeStatus): HistogramData {
    let byState = this.#latency.get(provider);
    if (byState === undefined) this.#latency.set(provider, (byState = new Map()));
    let h = byState.get(state);
    if (h === undefined) byState.set(state, (h = emptyHistogram()));
    return h;
  }
}

/** Where the run is: starting (mocks, connections), warm-up, waiting for an agreed start, running, done. */
export type RunStage = 'starting' | 'warmup' | 'waiting' | 'running' | 'done';
export const runStages: readonly RunStage[] = ['starting', 'warmup', 'waiting', 'running', 'done'];

/** Breaker states as numbers, worst highest: 0 closed, 1 half-open, 2 open. */
export const breakerValue: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** The live numbers of one run, in the main thread: the tally and the latest progress. */
export class RunMetrics {
  readonly tally = new MetricsTally();
  stage: RunStage = 'starting';
  scheduled = 0;
  inFlight = 0;
  queued = 0;
  elapsedMs = 0;
  /** When the last notification is planned (ms on the run's clock); null for the closed model. */
  plannedMs: number | null = null;
  targetRate: number | null;
  /** Notifications that reached a provider-side final state per second over the last tick (result.json's `rate.achieved` counts the same). */
  achievedRate = 0;
  /** The largest send lag of the last tick (ms). */
  sendLagMs = 0;
  /** The scenario's fault phases, in order; `phase` is the current one (undefined before the run or without phases). */
  readonly phases: readonly string[];
  phase: string | undefined;
  /** Breaker states per source (-1: this thread; j: worker j) and origin. */
  readonly #breakers = new Map<number, Map<string, BreakerState>>();
  #last: { elapsedMs: number; completedNotDropped: number } | undefined;

  /** Until the first tick: the whole scenario's plan (a shard's or a worker's ticks then say its own). */
  constructor(config: Pick<ScenarioConfig, 'faults' | 'load'>) {
    this.phases = config.faults?.phases?.map((p) => p.name) ?? [];
    this.targetRate = plannedRate(config.load);
    const last = lastPlannedMs(config.load);
    this.plannedMs = Number.isFinite(last) ? last : null;
  }

  /**
   * Notifications planned so far: the last tick's count, or more when outcomes came since (every
   * notification with an outcome was planned); at the end, result.json's `counts.scheduled`.
   */
  scheduledSoFar(): number {
    return Math.max(this.scheduled, this.tally.notifications());
  }

  /** Subscribes to `run`: its own events in a single thread, the workers' deltas with --workers. */
  attach(run: EventEmitter<RunEvents>): void {
    this.tally.attach(run);
    run.on('breaker', (origin, state) => this.#onBreaker(-1, origin, state));
    run.on('metrics', (delta, source) => {
      this.tally.add(delta);
      for (const { origin, state } of delta.breakers) this.#onBreaker(source, origin, state);
    });
    run.on('warmup', () => {
      if (this.stage === 'starting') this.stage = 'warmup';
    });
    run.on('waiting', () => {
      this.stage = 'waiting';
    });
    run.on('progress', (progress) => this.onProgress(progress));
    run.on('done', (result) => {
      this.stage = 'done';
      this.inFlight = 0;
      this.queued = 0;
      this.scheduled = result.counts.scheduled;
      this.elapsedMs = result.durationMs;
    });
  }

  onProgress(progress: RunProgress): void {
    this.stage = 'running';
    this.scheduled = Math.max(this.scheduled, progress.scheduled);
    this.inFlight = progress.inFlight;
    this.queued = progress.queued;
    this.plannedMs = progress.plannedMs;
    if (progress.targetRate !== null) this.targetRate = progress.targetRate;
    this.sendLagMs = progress.sendLagMs ?? 0;
    this.phase = progress.phase;
    const completedNotDropped = progress.completed - progress.dropped;
    const last = this.#last ?? { elapsedMs: 0, completedNotDropped: 0 };
    const seconds = (progress.elapsedMs - last.elapsedMs) / 1000;
    if (seconds > 0) this.achievedRate = (completedNotDropped - last.completedNotDropped) / seconds;
    this.elapsedMs = progress.elapsedMs;
    this.#last = { elapsedMs: progress.elapsedMs, completedNotDropped };
  }

  /** Each origin's worst state over the sources (with workers, every worker has its own breaker per origin). */
  breakers(): Map<string, BreakerState> {
    const worst = new Map<string, BreakerState>();
    for (const states of this.#breakers.values()) {
      for (const [origin, state] of states) {
        const before = worst.get(origin);
        if (before === undefined || breakerValue[state] > breakerValue[before]) worst.set(origin, state);
      }
    }
    return worst;
  }

  #onBreaker(source: number, origin: string, state: string): void {
    if (!isBreakerState(state)) return;
    let states = this.#breakers.get(source);
    if (states === undefined) this.#breakers.set(source, (states = new Map()));
    states.set(origin, state);
  }
}
