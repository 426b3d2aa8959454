/**
 * The run's Prometheus text (cli/run-metrics-registry.ts): every name it promises is printed,
 * histograms are cumulative with _sum and _count, pushsim's drops are labelled pushsim's, the phase
 * and breaker gauges, and gauges with nothing to say (a closed model's target rate) are absent.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createRunRegistry, runMetricNames } from '../../cli/run-metrics-registry.js';
import { MetricsTally, RunMetrics, latencyBucketsSeconds } from '../../scenarios/metrics.js';
import type { RunEvents } from '../../scenarios/run-events.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import type { Outcome } from '../../sender/outcome.js';
import { parsePrometheusText, series, total } from '../helpers/prometheus-text.js';

const openModel = { load: { executor: 'constant-arrival-rate', rate: 100, count: 500 }, faults: { phases: [{ name: 'healthy', durationMs: 1000 }, { name: 'brownout' }] } } as unknown as ScenarioConfig;
const closedModel = { load: { executor: 'closed', inFlight: 10, count: 100 } } as unknown as ScenarioConfig;

const accepted: Outcome = { status: 'accepted', provider: 'apns', token: 't', attempts: 1, id: undefined };
const shed: Outcome = { status: 'dropped', provider: 'apns', token: 't', attempts: 0, cause: 'queue-full' };
const cut: Outcome = { status: 'dropped', provider: 'apns', token: 't', attempts: 1, cause: 'shutdown' };
const rejected: Outcome = { status: 'rejected', provider: 'fcm', token: 't', attempts: 2, httpStatus: 429, reason: 'QUOTA_EXCEEDED', retryClass: 'retryable' };

async function scrape(metrics: RunMetrics): Promise<ReturnType<typeof parsePrometheusText>> {
  const registry = createRunRegistry(metrics, { p99Ms: () => 12, maxMs: () => 40 });
  return parsePrometheusText(await registry.metrics());
}

describe('the run registry', () => {
  it('prints every metric name it promises (the Grafana dashboard is checked against this list)', async () => {
    const metrics = new RunMetrics(openModel);
    const run = new EventEmitter<RunEvents>();
    metrics.attach(run);
    run.emit('outcome', accepted, 3, 1, undefined);
    run.emit('outcome', rejected, 3, 1, undefined);
    run.emit('outcome', shed, 3, 1, undefined);
    run.emit('breaker', 'https://127.0.0.1:1', 'open');
    run.emit('progress', { elapsedMs: 500, scheduled: 3, completed: 3, inFlight: 0, accepted: 1, rejected: 1, failed: 0, dropped: 1, queued: 0, sendLagMs: 2, plannedMs: 4990, targetRate: 100, p99Ms: 3, phase: 'healthy' });
    const registry = createRunRegistry(metrics, { p99Ms: () => 12, maxMs: () => 40 });
    const text = await registry.metrics();
    for (const name of runMetricNames) expect(text).toContain(`# TYPE ${name} `);
    const names = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    expect([...names].sort()).toEqual([...runMetricNames].sort());
  });

  it('latency histograms: cumulative buckets from 1 ms to 30 s and +Inf, _sum in seconds, _count', async () => {
    const metrics = new RunMetrics(openModel);
    metrics.tally.onOutcome(accepted, 1);
    metrics.tally.onOutcome(accepted, 150);
    metrics.tally.onOutcome(accepted, 60_000);
    const samples = await scrape(metrics);
    const buckets = series(samples, 'pushsim_run_latency_seconds_bucket', { provider: 'apns', state: 'accepted' });
    expect(buckets.map((b) => b.labels.le)).toEqual([...latencyBucketsSeconds.map(String), '+Inf']);
    const at = (le: string): number | undefined => buckets.find((b) => b.labels.le === le)?.value;
    expect([at('0.001'), at('0.1'), at('0.2'), at('30'), at('+Inf')]).toEqual([1, 1, 2, 2, 3]);
    expect(total(samples, 'pushsim_run_latency_seconds_sum', { state: 'accepted' })).toBeCloseTo(60.151, 6);
    expect(total(samples, 'pushsim_run_latency_seconds_count', { state: 'accepted' })).toBe(3);
    expect(total(samples, 'pushsim_run_notifications_total', { provider: 'apns', state: 'accepted' })).toBe(3);
  });

  it("pushsim's own drops are pushsim's, by cause; the provider's reasons keep the provider's name", async () => {
    const metrics = new RunMetrics(openModel);
    for (const outcome of [shed, shed, cut, rejected]) metrics.tally.onOutcome(outcome, 1);
    const samples = await scrape(metrics);
    expect(total(samples, 'pushsim_run_dropped_by_pushsim_total', { cause: 'queue-full' })).toBe(2);
    expect(total(samples, 'pushsim_run_dropped_by_pushsim_total', { cause: 'shutdown' })).toBe(1);
    expect(series(samples, 'pushsim_run_dropped_by_pushsim_total')).toHaveLength(2);
    expect(total(samples, 'pushsim_run_reasons_total', { reason: 'pushsim:queue-full', state: 'dropped' })).toBe(2);
    expect(total(samples, 'pushsim_run_reasons_total', { reason: 'fcm:QUOTA_EXCEEDED', state: 'rejected' })).toBe(1);
    expect(total(samples, 'pushsim_run_attempts_total')).toBe(3);
  });

  it('the current fault phase is 1 and the others 0; breakers read 0 closed, 1 half-open, 2 open', async () => {
    const metrics = new RunMetrics(openModel);
    const run = new EventEmitter<RunEvents>();
    metrics.attach(run);
    const worker = new MetricsTally();
    worker.onBreaker('https://a', 'half-open');
    worker.onBreaker('https://b', 'open');
    worker.onBreaker('https://c', 'closed');
    run.emit('metrics', worker.take(), 0);
    run.emit('progress', { elapsedMs: 1500, scheduled: 0, completed: 0, inFlight: 0, accepted: 0, rejected: 0, failed: 0, dropped: 0, queued: 0, sendLagMs: null, plannedMs: 4990, targetRate: 100, p99Ms: null, phase: 'brownout' });
    const samples = await scrape(metrics);
    expect(Object.fromEntries(series(samples, 'pushsim_run_fault_phase').map((s) => [s.labels.phase, s.value]))).toEqual({ healthy: 0, brownout: 1 });
    expect(Object.fromEntries(series(samples, 'pushsim_run_breaker_state').map((s) => [s.labels.origin, s.value]))).toEqual({ 'https://a': 1, 'https://b': 2, 'https://c': 0 });
    expect(total(samples, 'pushsim_run_stage', { stage: 'running' })).toBe(1);
    expect(total(samples, 'pushsim_run_stage')).toBe(1);
    expect(total(samples, 'pushsim_run_event_loop_delay_p99_seconds')).toBe(0.012);
  });

  it('a closed-model run has no target rate and no planned duration (absent, not 0)', async () => {
    const samples = await scrape(new RunMetrics(closedModel));
    expect(series(samples, 'pushsim_run_target_rate_per_second')).toEqual([]);
    expect(series(samples, 'pushsim_run_planned_duration_seconds')).toEqual([]);
    const open = await scrape(new RunMetrics(openModel));
    expect(total(open, 'pushsim_run_target_rate_per_second')).toBe(100);
    expect(total(open, 'pushsim_run_planned_duration_seconds')).toBe(4.99);
  });
});
