/**
 * The run's metric tally (scenarios/metrics.ts): which bucket a latency lands in, outcomes keyed as
 * result.json's byReason (pushsim's drops as pushsim's), a worker's per-tick deltas adding up to the
 * whole, and the live numbers RunMetrics takes from progress ticks and breaker changes.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { RunEvents, RunProgress } from '../../scenarios/run-events.js';
import { MetricsTally, RunMetrics, emptyHistogram, latencyBucketsSeconds, observeMs } from '../../scenarios/metrics.js';
import type { Outcome } from '../../sender/outcome.js';
import type { Result } from '../../reports/result.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import { ScenarioRun } from '../../scenarios/runner.js';

const accepted: Outcome = { status: 'accepted', provider: 'apns', token: 't1', attempts: 1, id: 'x' };
const unregistered: Outcome = { status: 'rejected', provider: 'apns', token: 't2', attempts: 1, httpStatus: 410, reason: 'Unregistered', retryClass: 'permanent' };
const shed: Outcome = { status: 'dropped', provider: 'fcm', token: 't3', attempts: 0, cause: 'queue-full' };
const reset: Outcome = { status: 'failed', provider: 'apns', token: 't4', attempts: 3, code: 'PUSHSIM_ERR_CONNECT', message: 'reset' };

function progress(fields: Partial<RunProgress>): RunProgress {
  return { elapsedMs: 1000, scheduled: 0, completed: 0, inFlight: 0, accepted: 0, rejected: 0, failed: 0, dropped: 0, queued: 0, sendLagMs: null, plannedMs: 5000, targetRate: 100, p99Ms: null, ...fields };
}

const config = { load: { executor: 'constant-arrival-rate', rate: 200, count: 1000 }, faults: { phases: [{ name: 'healthy', durationMs: 1000 }, { name: 'brownout' }] } } as unknown as ScenarioConfig;

describe('latency buckets', () => {
  it('cover 1 ms to 30 s, ascending', () => {
    expect(latencyBucketsSeconds[0]).toBe(0.001);
    expect(latencyBucketsSeconds.at(-1)).toBe(30);
    expect([...latencyBucketsSeconds].sort((a, b) => a - b)).toEqual(latencyBucketsSeconds);
  });

  it('a value on a bound counts in that bucket (le is ≤), one past the last in +Inf; the sum is in seconds', () => {
    const h = emptyHistogram();
    observeMs(h, 1);
    observeMs(h, 1.5);
    observeMs(h, 30_000);
    observeMs(h, 45_000);
    expect(h.buckets[0]).toBe(1);
    expect(h.buckets[1]).toBe(1);
    expect(h.buckets[latencyBucketsSeconds.length - 1]).toBe(1);
    expect(h.buckets[latencyBucketsSeconds.length]).toBe(1);
    expect(h.count).toBe(4);
    expect(h.sum).toBeCloseTo(75.0025, 6);
  });
});

describe('MetricsTally', () => {
  it('keys reasons as result.json byReason does: the provider\'s under its name, pushsim\'s drops under pushsim:', () => {
    const tally = new MetricsTally();
    for (const outcome of [accepted, accepted, unregistered, shed, reset]) tally.onOutcome(outcome, 5);
    const snapshot = tally.snapshot();
    expect(snapshot.reasons).toEqual(
      expect.arrayContaining([
        { reason: 'apns:Unregistered', state: 'rejected', count: 1 },
        { reason: 'pushsim:queue-full', state: 'dropped', count: 1 },
        { reason: 'apns:PUSHSIM_ERR_CONNECT', state: 'failed', count: 1 },
      ]),
    );
    expect(snapshot.reasons).toHaveLength(3);
    expect(snapshot.latency.map((l) => [l.provider, l.state, l.histogram.count])).toEqual(
      expect.arrayContaining([
        ['apns', 'accepted', 2],
        ['apns', 'rejected', 1],
        ['apns', 'failed', 1],
        ['fcm', 'dropped', 1],
      ]),
    );
    expect(snapshot.attempts).toBe(6);
    expect(tally.notifications()).toBe(5);
  });

  it('take() hands over what came since the last take and starts again; breaker states stay', () => {
    const tally = new MetricsTally();
    tally.onOutcome(accepted, 3);
    tally.onRetry();
    tally.onFallback();
    tally.onAttempt(2);
    tally.onBreaker('https://a', 'open');
    const first = tally.take();
    expect([first.retries, first.fallbacks, first.attemptLatency.count, first.latency.length]).toEqual([1, 1, 1, 1]);
    const second = tally.take();
    expect([second.retries, second.fallbacks, second.attemptLatency.count, second.latency.length, second.attempts]).toEqual([0, 0, 0, 0, 0]);
    expect(second.breakers).toEqual([{ origin: 'https://a', state: 'open' }]);
  });

  it('deltas added up equal one tally that saw everything (a worker thread\'s ticks, summed by the main thread)', () => {
    const whole = new MetricsTally();
    const worker = new MetricsTally();
    const merged = new MetricsTally();
    const outcomes = [accepted, unregistered, shed, reset, accepted, accepted, unregistered];
    outcomes.forEach((outcome, i) => {
      for (const t of [whole, worker]) {
        t.onOutcome(outcome, i * 7.5);
        t.onAttempt(i);
        if (i % 2 === 0) t.onRetry();
      }
      if (i % 3 === 2) merged.add(worker.take());
    });
    merged.add(worker.take());
    const sorted = (d: ReturnType<MetricsTally['snapshot']>) => ({ ...d, latency: [...d.latency].sort((a, b) => a.state.localeCompare(b.state) || a.provider.localeCompare(b.provider)), reasons: [...d.reasons].sort((a, b) => a.reason.localeCompare(b.reason)), breakers: [] });
    expect(sorted(merged.snapshot())).toEqual(sorted(whole.snapshot()));
  });

  it('a snapshot is a copy: later outcomes do not change it', () => {
    const tally = new MetricsTally();
    tally.onOutcome(accepted, 1);
    const before = tally.snapshot();
    tally.onOutcome(accepted, 1);
    expect(before.latency[0]?.histogram.count).toBe(1);
  });
});

describe('RunMetrics', () => {
  it('starts with the scenario\'s plan, then follows the progress ticks: in flight, queued, achieved rate over the tick, phase', () => {
    const run = new EventEmitter<RunEvents>();
    const metrics = new RunMetrics(config);
    metrics.attach(run);
    expect([metrics.targetRate, metrics.plannedMs, metrics.stage, metrics.phases]).toEqual([200, 4995, 'starting', ['healthy', 'brownout']]);
    run.emit('warmup', { done: 1, total: 10 });
    expect(metrics.stage).toBe('warmup');
    run.emit('progress', progress({ elapsedMs: 1000, scheduled: 210, completed: 200, dropped: 10, inFlight: 10, queued: 3, phase: 'healthy', sendLagMs: 4 }));
    expect([metrics.stage, metrics.inFlight, metrics.queued, metrics.achievedRate, metrics.phase, metrics.sendLagMs]).toEqual(['running', 10, 3, 190, 'healthy', 4]);
    run.emit('progress', progress({ elapsedMs: 3000, scheduled: 610, completed: 600, dropped: 10, phase: 'brownout', targetRate: 100 }));
    expect([metrics.achievedRate, metrics.phase, metrics.targetRate]).toEqual([200, 'brownout', 100]);
  });

  it('counts what the run emits in its own thread, and what worker threads send as deltas', () => {
    const run = new EventEmitter<RunEvents>();
    const metrics = new RunMetrics(config);
    metrics.attach(run);
    run.emit('outcome', accepted, 4, 10, undefined);
    run.emit('retry');
    run.emit('fallback');
    run.emit('attempt', 3);
    const worker = new MetricsTally();
    worker.onOutcome(unregistered, 9);
    worker.onRetry();
    run.emit('metrics', worker.take(), 0);
    const seen = metrics.tally.snapshot();
    expect([seen.retries, seen.fallbacks, seen.attemptLatency.count, metrics.tally.notifications()]).toEqual([2, 1, 1, 2]);
  });

  it('scheduled never reads below the notifications that already have an outcome, and is result.json\'s at the end', () => {
    const run = new EventEmitter<RunEvents>();
    const metrics = new RunMetrics(config);
    metrics.attach(run);
    run.emit('progress', progress({ scheduled: 1 }));
    run.emit('outcome', accepted, 4, 10, undefined);
    run.emit('outcome', accepted, 4, 10, undefined);
    expect(metrics.scheduledSoFar()).toBe(2);
    run.emit('done', { counts: { scheduled: 7 }, durationMs: 3000 } as unknown as Result);
    expect([metrics.scheduledSoFar(), metrics.stage, metrics.inFlight, metrics.queued]).toEqual([7, 'done', 0, 0]);
  });

  it('an origin\'s breaker reads as the worst state any thread\'s breaker for it is in', () => {
    const run = new EventEmitter<RunEvents>();
    const metrics = new RunMetrics(config);
    metrics.attach(run);
    const a = new MetricsTally();
    const b = new MetricsTally();
    a.onBreaker('https://apns', 'open');
    b.onBreaker('https://apns', 'half-open');
    b.onBreaker('https://fcm', 'closed');
    run.emit('metrics', a.take(), 0);
    run.emit('metrics', b.take(), 1);
    expect(Object.fromEntries(metrics.breakers())).toEqual({ 'https://apns': 'open', 'https://fcm': 'closed' });
    a.onBreaker('https://apns', 'closed');
    run.emit('metrics', a.take(), 0);
    expect(metrics.breakers().get('https://apns')).toBe('half-open');
    run.emit('breaker', 'https://webpush', 'open');
    run.emit('breaker', 'https://webpush', 'not-a-state');
    expect(metrics.breakers().get('https://webpush')).toBe('open');
  });
});

describe('RunMetrics on a real run in this thread', () => {
  // What RunMetrics tallied from the events must equal the result, whatever the run's timing did.
  async function runAndCompare(faultProbability: number, circuitBreaker: { errorRate: number; minRequests: number }): Promise<Result> {
    const run = new ScenarioRun({
      ...defaultScenario,
      target: { kind: 'mock', provider: 'apns', tls: false, worker: false, latency: { kind: 'fixed', ms: 2 } },
      load: { executor: 'constant-arrival-rate', rate: 2000, count: 800 },
      tokens: { count: 200, unregisteredRatio: 0.05, seed: 3 },
      warmup: 0,
      sender: { ...defaultScenario.sender, maxInFlight: 16, maxQueue: 8 },
      policies: { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, circuitBreaker: { ...circuitBreaker, windowMs: 1000, openMs: 50 } },
      faults: { seed: 5, faults: [{ kind: 'error', id: 'errors', probability: faultProbability, apns: 'InternalServerError' }] },
    });
    const metrics = new RunMetrics(run.config);
    metrics.attach(run);
    const result = await run.execute();
    const tally = metrics.tally.snapshot();
    const byState = (state: string): number => tally.latency.filter((l) => l.state === state).reduce((n, l) => n + l.histogram.count, 0);
    expect({ accepted: byState('accepted'), rejected: byState('rejected'), failed: byState('failed'), expired: byState('expired'), dropped: byState('dropped') }).toEqual({
      accepted: result.counts.accepted,
      rejected: result.counts.rejected,
      failed: result.counts.failed,
      expired: result.counts.expired,
      dropped: result.counts.dropped,
    });
    expect(Object.fromEntries(tally.reasons.map((r) => [r.reason, r.count]))).toEqual(result.byReason);
    expect([tally.attempts, tally.retries, tally.fallbacks, tally.attemptLatency.count]).toEqual([result.counts.attempts, result.counts.retries, result.counts.fallbacks, result.attemptLatencyMs?.count ?? 0]);
    expect([metrics.scheduledSoFar(), metrics.stage, metrics.inFlight]).toEqual([result.counts.scheduled, 'done', 0]);
    const last = result.breakerTransitions?.at(-1);
    if (last !== undefined) expect(metrics.breakers().get(last.origin)).toBe(last.to);
    return result;
  }

  it('what it tallied from the events equals the result: states, reasons, attempts, retries, attempt latencies', async () => {
    // The breaker needs 40 answers, half of them errors, to open: with 30 % errors the first retries
    // always reach the mock. (A breaker opening at 20 % after 10 answers could turn every retry into
    // an uncounted circuit-open on a busy machine, where the first answers arrive in one batch.)
    const result = await runAndCompare(0.3, { errorRate: 0.5, minRequests: 40 });
    expect(result.counts.retries).toBeGreaterThan(0);
  });

  it('and its breakers read as the result\'s last transition when every answer is an error', async () => {
    const result = await runAndCompare(1, { errorRate: 0.2, minRequests: 10 });
    expect(result.breakerTransitions?.length ?? 0).toBeGreaterThan(0);
  });
});
