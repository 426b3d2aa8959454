/**
 * A run's numbers (scenarios/metrics.ts RunMetrics) in Prometheus text format with prom-client, read
 * at scrape time through `collect()` as the mocks' control API does (simulator/control/prometheus.ts):
 * nothing on the send path touches prom-client. Names are `pushsim_run_…` (the mock's own metrics are
 * `pushsim_…` without `run`), units in the names, seconds as the base unit. docs/metrics.md lists them.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { Metric } from 'prom-client';
import { breakerValue, latencyBucketsSeconds, runStages } from '../scenarios/metrics.js';
import type { HistogramData, RunMetrics } from '../scenarios/metrics.js';

/** pushsim's own event-loop delay over the last progress tick (ms), when measured. */
export interface EventLoopDelay {
  p99Ms(): number;
  maxMs(): number;
}

/** Every metric name this registry exports (the Grafana dashboard's test checks its queries against them). */
export const runMetricNames = [
  'pushsim_run_notifications_total',
  'pushsim_run_reasons_total',
  'pushsim_run_dropped_by_pushsim_total',
  'pushsim_run_scheduled_total',
  'pushsim_run_attempts_total',
  'pushsim_run_retries_total',
  'pushsim_run_fallbacks_total',
  'pushsim_run_latency_seconds',
  'pushsim_run_attempt_latency_seconds',
  'pushsim_run_in_flight',
  'pushsim_run_queued',
  'pushsim_run_target_rate_per_second',
  'pushsim_run_achieved_rate_per_second',
  'pushsim_run_send_lag_seconds',
  'pushsim_run_elapsed_seconds',
  'pushsim_run_planned_duration_seconds',
  'pushsim_run_stage',
  'pushsim_run_fault_phase',
  'pushsim_run_breaker_state',
  'pushsim_run_event_loop_delay_p99_seconds',
  'pushsim_run_event_loop_delay_max_seconds',
] as const;

export function createRunRegistry(metrics: RunMetrics, eventLoop?: EventLoopDelay): Registry {
  const registry = new Registry();
  const registers = [registry];
  const snapshot = () => metrics.tally.snapshot();

  new Counter({
    name: 'pushsim_run_notifications_total',
    help: 'Notifications that reached their final state (accepted, rejected, failed, expired, dropped), by provider.',
    labelNames: ['provider', 'state'],
    registers,
    collect() {
      this.reset();
      for (const { provider, state, histogram } of snapshot().latency) this.inc({ provider, state }, histogram.count);
    },
  });
  new Counter({
    name: 'pushsim_run_reasons_total',
    help: 'Rejections, failures and drops by reason, keyed as result.json byReason: <provider>:<reason> is the provider\'s (or the way to it), pushsim:<cause> is pushsim\'s own.',
    labelNames: ['reason', 'state'],
    registers,
    collect() {
      this.reset();
      for (const { reason, state, count } of snapshot().reasons) this.inc({ reason, state }, count);
    },
  });
  new Counter({
    name: 'pushsim_run_dropped_by_pushsim_total',
    help: "Notifications pushsim itself gave up, never the provider's doing: cause queue-full (shed), shutdown (cut on the wire at the stop), shutdown-queued (never sent), closed.",
    labelNames: ['cause'],
    registers,
    collect() {
      this.reset();
      for (const { reason, count } of snapshot().reasons) if (reason.startsWith('pushsim:')) this.inc({ cause: reason.slice('pushsim:'.length) }, count);
    },
  });
  counterOf(registers, 'pushsim_run_scheduled_total', 'Notifications the load generator planned so far.', () => metrics.scheduledSoFar());
  counterOf(registers, 'pushsim_run_attempts_total', 'Requests put on the wire for the notifications that reached their final state, retries and fallbacks included.', () => snapshot().attempts);
  counterOf(registers, 'pushsim_run_retries_total', 'Retries the retry policy scheduled.', () => snapshot().retries);
  counterOf(registers, 'pushsim_run_fallbacks_total', 'Notifications handed to a fallback route.', () => snapshot().fallbacks);

  registry.registerMetric(
    histogramOf('pushsim_run_latency_seconds', 'Latency from the planned send time to the final state (open model: queueing behind a slow provider included), by provider and final state.', () =>
      snapshot().latency.map(({ provider, state, histogram }) => ({ labels: { provider, state }, histogram })),
    ),
  );
  registry.registerMetric(
    histogramOf('pushsim_run_attempt_latency_seconds', 'Latency of single requests (attempts), waiting inside pushsim included.', () => [{ labels: {}, histogram: snapshot().attemptLatency }]),
  );

  gaugeOf(registers, 'pushsim_run_in_flight', 'Notifications sent or being sent, not yet in their final state (last progress tick).', () => metrics.inFlight);
  gaugeOf(registers, 'pushsim_run_queued', "Requests waiting inside pushsim's pools (last progress tick).", () => metrics.queued);
  registry.registerMetric(optionalGauge('pushsim_run_target_rate_per_second', 'The planned arrival rate (notifications per second); absent for the closed model.', () => metrics.targetRate));
  gaugeOf(registers, 'pushsim_run_achieved_rate_per_second', 'Notifications that reached accepted, rejected, failed or expired per second over the last progress tick.', () => metrics.achievedRate);
  gaugeOf(registers, 'pushsim_run_send_lag_seconds', 'The largest lag from planned time to on the wire in the last progress tick.', () => metrics.sendLagMs / 1000);
  gaugeOf(registers, 'pushsim_run_elapsed_seconds', "Time on the measured run's clock.", () => metrics.elapsedMs / 1000);
  registry.registerMetric(
    optionalGauge('pushsim_run_planned_duration_seconds', "When the last notification is planned, on the run's clock; absent for the closed model.", () => (metrics.plannedMs === null ? null : metrics.plannedMs / 1000)),
  );
  new Gauge({
    name: 'pushsim_run_stage',
    help: 'Where the run is: 1 for the current stage (starting, warmup, waiting, running, done), 0 for the others.',
    labelNames: ['stage'],
    registers,
    collect() {
      for (const stage of runStages) this.set({ stage }, stage === metrics.stage ? 1 : 0);
    },
  });
  new Gauge({
    name: 'pushsim_run_fault_phase',
    help: "The scenario's fault phases: 1 for the current one, 0 for the others (after: past the last phase).",
    labelNames: ['phase'],
    registers,
    collect() {
      this.reset();
      const current = metrics.phase;
      for (const phase of metrics.phases) this.set({ phase }, phase === current ? 1 : 0);
      if (current !== undefined && !metrics.phases.includes(current)) this.set({ phase: current }, 1);
    },
  });
  new Gauge({
    name: 'pushsim_run_breaker_state',
    help: 'Circuit-breaker state per origin: 0 closed, 1 half-open, 2 open (with worker threads, the worst of their breakers); only origins whose breaker changed state.',
    labelNames: ['origin'],
    registers,
    collect() {
      this.reset();
      for (const [origin, state] of metrics.breakers()) this.set({ origin }, breakerValue[state]);
    },
  });
  if (eventLoop !== undefined) {
    gaugeOf(registers, 'pushsim_run_event_loop_delay_p99_seconds', "p99 of pushsim's main-thread event-loop delay over the last progress tick.", () => eventLoop.p99Ms() / 1000);
    gaugeOf(registers, 'pushsim_run_event_loop_delay_max_seconds', "The largest delay of pushsim's main-thread event loop over the last progress tick.", () => eventLoop.maxMs() / 1000);
  }
  return registry;
}

function counterOf(registers: Registry[], name: string, help: string, value: () => number): void {
  new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(value());
    },
  });
}

function gaugeOf(registers: Registry[], name: string, help: string, value: () => number): void {
  new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(value());
    },
  });
}

/** A gauge with no sample while `value()` is null (prom-client's unlabelled Gauge would print 0). */
function optionalGauge(name: string, help: string, value: () => number | null): Metric {
  const metric = {
    name,
    help,
    type: 'gauge',
    aggregator: 'sum',
    get() {
      const v = value();
      return { name, help, type: 'gauge', aggregator: 'sum', values: v === null ? [] : [{ value: v, labels: {} }] };
    },
    reset() {},
  };
  return metric as unknown as Metric;
}

interface Series {
  readonly labels: Record<string, string>;
  readonly histogram: HistogramData;
}

/**
 * A histogram whose buckets are already counted (RunMetrics keeps them, summed over worker threads),
 * in the shape prom-client's registry prints: `_bucket{le}` cumulative, `_sum`, `_count`. prom-client's
 * own Histogram only takes single observations, which the worker threads' sums are not.
 */
function histogramOf(name: string, help: string, series: () => Series[]): Metric {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
      for (const { labels, histogram } of series()) {
        let cumulative = 0;
        histogram.buckets.forEach((count, i) => {
          cumulative += count;
          const le = i < latencyBucketsSeconds.length ? (latencyBucketsSeconds[i] as number) : '+Inf';
          values.push({ value: cumulative, labels: { ...labels, le }, metricName: `${name}_bucket` });
        });
        values.push({ value: histogram.sum, labels, metricName: `${name}_sum` });
        values.push({ value: histogram.count, labels, metricName: `${name}_count` });
      }
      return { name, help, type: 'histogram', values, aggregator: 'sum' };
    },
    reset() {},
  };
  return metric as unknown as Metric;
}
