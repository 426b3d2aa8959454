import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLatencyHistogram, initHistograms } from '../../reports/histogram.js';
import { RESULT_SCHEMA, ResultCollector, checkInvariant } from '../../reports/result.js';
import { parseResult } from '../../reports/result-parse.js';
import type { Result } from '../../reports/result.js';
import type { Outcome } from '../../sender/outcome.js';
import { InvalidConfigError } from '../../core/errors.js';
import { accepted, dropped, invalid, pauseReports, rejected, sampleRun } from './fixtures.js';

const collectors: ResultCollector[] = [];
function track(collector: ResultCollector): ResultCollector {
  collectors.push(collector);
  return collector;
}

beforeAll(async () => {
  await initHistograms();
});

afterEach(() => {
  for (const c of collectors.splice(0)) c.destroy();
});

function run(): Result {
  const { collector, result } = sampleRun();
  track(collector);
  return result;
}

describe('ResultCollector', () => {
  it('counts a mix of outcomes, attempts and reasons', () => {
    const result = run();
    expect(result.schema).toBe(RESULT_SCHEMA);
    expect(result.startedAt).toBe('2026-01-02T03:04:05.678Z');
    expect(result.durationMs).toBe(2000);
    expect(result.scenario).toBe('smoke');
    expect(result.counts).toEqual({
      scheduled: 10,
      attempts: 4 + 1 + 3 + 3, // accepted 1+1+2+1, rejected 3×1, failed 3, expired/dropped 0
      accepted: 4,
      rejected: 3,
      failed: 1,
      expired: 1,
      dropped: 1,
      retries: 0,
      fallbacks: 0,
      shutdownInFlight: 0,
      shutdownQueued: 0,
    });
    // What pushsim did itself is keyed `pushsim:`, never under the provider.
    expect(result.byReason).toEqual({
      'apns:Unregistered': 2,
      'apns:PUSHSIM_ERR_TIMEOUT': 1,
      'apns:TooManyRequests': 1,
      'pushsim:queue-full': 1,
    });
    expect(checkInvariant(result)).toBeUndefined();
  });

  it('sorts byReason by count descending, then by key', () => {
    expect(Object.keys(run().byReason)).toEqual([
      'apns:Unregistered',
      'apns:PUSHSIM_ERR_TIMEOUT',
      'apns:TooManyRequests',
      'pushsim:queue-full',
    ]);
  });

  it('records latency per outcome status, dropped and expired included', () => {
    const { latencyMs } = run();
    expect(Object.keys(latencyMs).sort()).toEqual(['accepted', 'dropped', 'expired', 'failed', 'rejected']);
    expect(latencyMs.accepted.count).toBe(4);
    expect(latencyMs.accepted.max).toBeCloseTo(40, 1);
    expect(latencyMs.accepted.p50).toBeCloseTo(20, 1);
    expect(latencyMs.rejected.count).toBe(3);
    expect(latencyMs.failed.p50).toBeCloseTo(10_000, -1);
    expect(latencyMs.expired.p50).toBeCloseTo(2000, -1);
    expect(latencyMs.dropped.p50).toBe(0.05);
    for (const entry of Object.values(latencyMs)) expect(entry.hdr).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('defines achieved as completed (not dropped) notifications per second', () => {
    const result = run();
    expect(result.rate).toEqual({ target: 5, achieved: 4.5 }); // 9 completed in 2 s
  });

  it('reports zero achieved rate for a zero-length run and accepts a null target', () => {
    const collector = track(new ResultCollector());
    collector.onScheduled();
    collector.onOutcome(accepted(), 1);
    const result = collector.finish({ startedAt: new Date(0), durationMs: 0, targetRate: null });
    expect(result.rate).toEqual({ target: null, achieved: 0 });
  });

  it('keeps only the origin of the target URLs', () => {
    const collector = track(new ResultCollector());
    const result = collector.finish({
      startedAt: new Date(0),
      durationMs: 1,
      targetRate: 1,
      target: 'https://user:s3cret@api.push.apple.com:443/3/device/abcdef?key=k3y',
      targets: { fcm: 'https://user:s3cret@fcm.googleapis.com/v1/projects/p/messages:send?key=k3y' },
    });
    expect(result.target).toBe('https://api.push.apple.com');
    expect(result.targets).toEqual({ fcm: 'https://fcm.googleapis.com' });
    const json = JSON.stringify(result);
    for (const secret of ['s3cret', 'abcdef', 'k3y', 'user']) expect(json).not.toContain(secret);
  });

  it('throws on bad finish options and on a NaN latency, without counting it', () => {
    const collector = track(new ResultCollector());
    expect(() => collector.finish({ startedAt: new Date(0), durationMs: -1, targetRate: 1 })).toThrow(/durationMs/);
    expect(() => collector.finish({ startedAt: new Date('nope'), durationMs: 1, targetRate: 1 })).toThrow(/startedAt/);
    expect(() => collector.finish({ startedAt: new Date(0), durationMs: 1, targetRate: 1, target: 'not a url' })).toThrow(/target/);
    expect(() => collector.onOutcome(dropped(), Number.NaN)).toThrow(/NaN/);
    const result = collector.finish({ startedAt: new Date(0), durationMs: 1, targetRate: 1 });
    expect(result.counts.dropped).toBe(0);
    expect(result.latencyMs.dropped.count).toBe(0);
    expect(result.byReason).toEqual({});
  });

  it('finish is a snapshot: counting continues afterwards', () => {
    const collector = track(new ResultCollector());
    collector.onScheduled();
    collector.onOutcome(rejected('BadDeviceToken', 400), 3);
    const first = collector.finish({ startedAt: new Date(0), durationMs: 1000, targetRate: 1 });
    collector.onScheduled();
    const second = collector.finish({ startedAt: new Date(0), durationMs: 1000, targetRate: 1 });
    expect(first.counts.scheduled).toBe(1);
    expect(second.counts.scheduled).toBe(2);
  });
});

describe('checkInvariant', () => {
  it('reports notifications without an outcome', () => {
    const collector = track(new ResultCollector());
    for (let i = 0; i < 3; i++) collector.onScheduled();
    collector.onOutcome(accepted(), 1);
    collector.onOutcome(dropped(), 1);
    const message = checkInvariant(collector.finish({ startedAt: new Date(0), durationMs: 1, targetRate: 1 }));
    expect(message).toContain('scheduled 3');
    expect(message).toContain('= 2');
    expect(message).toContain('1 notification(s) have no outcome');
  });

  it('catches a hand-broken result with more outcomes than scheduled', () => {
    const result = run();
    const broken: Result = { ...result, counts: { ...result.counts, failed: result.counts.failed + 2 } };
    expect(checkInvariant(broken)).toContain('2 outcome(s) more than scheduled');
  });
});

describe('parseResult', () => {
  it('accepts what the collector writes, after a JSON round trip', () => {
    const result = run();
    expect(parseResult(JSON.parse(JSON.stringify(result)))).toEqual(result);
  });

  it("carries pushsim's own pauses: the summaries in `pauses`, each thread's seconds in the timeline, through a JSON round trip", () => {
    const collector = track(new ResultCollector());
    collector.onScheduled(0);
    collector.onOutcome(accepted(), 12, 500);
    collector.onScheduled(1_000);
    collector.onOutcome(accepted(), 14, 1_500);
    const result = collector.finish({ startedAt: new Date(), durationMs: 2_000, targetRate: 1, pauses: pauseReports });
    expect(result.pauses).toEqual({ sender: pauseReports.sender.summary, mock: pauseReports.mock.summary, tail: pauseReports.tail });
    // Second 1 has no mock numbers (the worker read none): 0, not a hole.
    expect(result.timeline?.map(({ senderDelayMs, senderGcMs, mockDelayMs, mockGcMs }) => [senderDelayMs, senderGcMs, mockDelayMs, mockGcMs])).toEqual([
      [31.25, 30, 12, 8],
      [2, 10.5, 0, 0],
    ]);
    expect(parseResult(JSON.parse(JSON.stringify(result)))).toEqual(result);
    expect(() => parseResult({ ...result, pauses: { sender: { eventLoopDelayMs: { p50: -1, p99: 0, max: 0 } } } })).toThrow(InvalidConfigError);
  });

  it('accepts unknown fields from later versions and leaves them out', () => {
    const result = run();
    const parsed = parseResult({ ...result, addedInV1_5: { x: 1 } });
    expect(parsed).toEqual(result);
    expect(parsed).not.toHaveProperty('addedInV1_5');
  });

  it('lists every problem at once', () => {
    const result = run();
    const bad = JSON.parse(JSON.stringify(result)) as Record<string, unknown> & {
      counts: Record<string, unknown>;
      latencyMs: { accepted: Record<string, unknown>; failed?: unknown };
      rate: Record<string, unknown>;
    };
    bad.schema = 'pushsim.result/0';
    bad.startedAt = 'yesterday';
    bad.counts.accepted = -1;
    bad.counts.dropped = '1';
    delete bad.latencyMs.failed;
    bad.latencyMs.accepted.hdr = 'bm90IGhkcg==';
    bad.rate.achieved = Number.POSITIVE_INFINITY;

    let error: unknown;
    try {
      parseResult(bad, 'shard-2/result.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    const { problems, message, code } = error as InvalidConfigError;
    expect(code).toBe('PUSHSIM_ERR_INVALID_CONFIG');
    expect(message).toContain('shard-2/result.json');
    const paths = ['schema', 'startedAt', 'counts.accepted', 'counts.dropped', 'latencyMs.failed', 'latencyMs.accepted.hdr', 'rate.achieved'];
    for (const path of paths) expect(problems.some((p) => p.startsWith(`${path}:`)), path).toBe(true);
    expect(problems).toHaveLength(paths.length);
  });

  it('flags an hdr histogram whose count disagrees with the entry', () => {
    const result = run();
    const other = createLatencyHistogram();
    other.recordMs(1);
    const hdr = other.encode();
    other.destroy();
    const tampered = { ...result, latencyMs: { ...result.latencyMs, accepted: { ...result.latencyMs.accepted, hdr } } };
    expect(() => parseResult(tampered)).toThrow(/latencyMs\.accepted\.hdr: holds 1 values but count is 4/);
  });

  it('rejects things that are not a result at all', () => {
    for (const value of [null, 'result', 42, []]) {
      expect(() => parseResult(value)).toThrow(InvalidConfigError);
    }
  });
});

describe('ResultCollector resilience fields', () => {
  it('counts retries and fallbacks, keeps breaker transitions, lists each dead token once, records attempt latency', async () => {
    await initHistograms();
    const collector = new ResultCollector();
    const dead = { status: 'rejected', provider: 'apns', token: 'dead', attempts: 1, httpStatus: 410, reason: 'Unregistered', retryClass: 'permanent', timestamp: 42 } as const;
    const busy = { status: 'rejected', provider: 'apns', token: 'busy', attempts: 3, httpStatus: 429, reason: 'TooManyRequests', retryClass: 'retryable' } as const;
    for (const outcome of [dead, dead, busy]) {
      collector.onScheduled();
      collector.onOutcome(outcome, 5);
    }
    collector.onRetry();
    collector.onRetry();
    collector.onFallback();
    collector.onAttempt(2);
    collector.onAttempt(4);
    collector.onBreakerStateChange({ atMs: 10, origin: 'http://x', from: 'closed', to: 'open' });
    const delivery = {
      delivered: 5,
      unique: 3,
      duplicates: 2,
      unidentified: 0,
      tokensWithDuplicates: 1,
      duplicatesByToken: { busy: 2 },
      byProvider: { apns: { delivered: 5, duplicates: 2 } },
      byPhase: { brownout: { delivered: 5, duplicates: 2 } },
    };
    const faults = [{ id: 'lost-acks', kind: 'accept-then-fail', injected: 2 }];
    const result = collector.finish({ startedAt: new Date(0), durationMs: 1000, targetRate: 3, delivery, faults });
    collector.destroy();
    expect(result.counts).toMatchObject({ retries: 2, fallbacks: 1, duplicates: 2 });
    expect(result).toMatchObject({ delivery, faults });
    expect(result.tokensToPrune).toEqual([{ provider: 'apns', token: 'dead', reason: 'Unregistered', timestamp: 42 }]);
    expect(result.breakerTransitions).toEqual([{ atMs: 10, origin: 'http://x', from: 'closed', to: 'open' }]);
    expect(result.attemptLatencyMs?.count).toBe(2);
    expect(parseResult(JSON.parse(JSON.stringify(result)))).toMatchObject({ counts: { retries: 2 }, tokensToPrune: [{ token: 'dead' }], delivery, faults });
    expect(() => parseResult({ ...JSON.parse(JSON.stringify(result)), delivery: { ...delivery, duplicates: -1 } })).toThrow(/delivery\.duplicates/);
    // No times were given: no timeline.
    expect(result.timeline).toBeUndefined();
  });
});

const cutBy = (cause: 'shutdown' | 'shutdown-queued' | 'queue-full'): Outcome => ({ status: 'dropped', provider: 'apns', token: 'tok', attempts: cause === 'shutdown' ? 1 : 0, cause });


function collect(fill: (c: ResultCollector) => void, extra: Partial<Parameters<ResultCollector['finish']>[0]> = {}): Result {
  const collector = new ResultCollector();
  try {
    fill(collector);
    return collector.finish({ startedAt: new Date('2026-01-01T00:00:00.000Z'), durationMs: 3000, targetRate: 100, ...extra });
  } finally {
    collector.destroy();
  }
}

describe('ResultCollector: pushsim’s own part', () => {
  it('records each send lag, the "sent" second, and per attempt the time queued apart from the time on the wire', () => {
    const result = collect((c) => {
      for (let i = 0; i < 3; i++) c.onScheduled(i * 100);
      c.onFired(0.5);
      c.onOutcome(accepted(), 12, 15, { atMs: 3, lagMs: 3 });
      c.onOutcome(accepted(), 1500, 1600, { atMs: 1100, lagMs: 1000 });
      c.onOutcome(cutBy('queue-full'), 200, 200);
      c.onAttempt(12, { queuedMs: 2, wireMs: 10 });
      c.onAttempt(600, { queuedMs: 590, wireMs: 10 });
      c.onAttempt(1); // failed before the wire: no split
    });
    expect(result.sendLagMs).toMatchObject({ count: 2 });
    expect(result.sendLagMs?.max).toBeCloseTo(1000, 0);
    expect(result.queueWaitMs).toMatchObject({ count: 2 });
    expect(result.queueWaitMs?.max).toBeCloseTo(590, 0);
    expect(result.wireLatencyMs?.max).toBeCloseTo(10, 1);
    expect(result.attemptLatencyMs?.count).toBe(3);
    expect(result.timeline?.map((s) => [s.second, s.scheduled, s.sent])).toEqual([
      [0, 3, 1],
      [1, 0, 1],
    ]);
    expect(result.byReason).toEqual({ 'pushsim:queue-full': 1 });
  });

  it('counts what the run’s stop cut apart, inside dropped, so the invariant still adds up', () => {
    const result = collect((c) => {
      for (let i = 0; i < 4; i++) c.onScheduled();
      c.onOutcome(accepted(), 5);
      c.onOutcome(cutBy('shutdown'), 5000);
      c.onOutcome(cutBy('shutdown-queued'), 5000);
      c.onOutcome(cutBy('shutdown-queued'), 5000);
    });
    expect(result.counts).toMatchObject({ scheduled: 4, accepted: 1, dropped: 3, shutdownInFlight: 1, shutdownQueued: 2 });
    expect(result.byReason).toEqual({ 'pushsim:shutdown-queued': 2, 'pushsim:shutdown': 1 });
    expect(checkInvariant(result)).toBeUndefined();
  });

  it('carries validity, interruption, an unreachable target, phases and warnings, and reads them back', () => {
    const result = collect((c) => c.onScheduled(), {
      validity: invalid,
      interrupted: { signal: 'SIGINT', atMs: 1234 },
      unreachable: { origin: 'https://127.0.0.1:1', cause: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1', atMs: 0, duringWarmup: true },
      phases: [{ name: 'healthy', startMs: 0, endMs: 3000 }],
      warnings: ["phase 'down' begins at 60 s, after the run's last notification is planned (10 s)"],
    });
    const back = parseResult(JSON.parse(JSON.stringify(result)));
    expect(back).toEqual(result);
    expect(back.validity?.bottleneck?.kind).toBe('sender-in-flight-limit');
    expect(() => parseResult({ ...JSON.parse(JSON.stringify(result)), validity: { ...invalid, bottleneck: { kind: 'gremlins', summary: '' } } })).toThrow(/validity\.bottleneck\.kind/);
  });

  it('still reads a result written before these fields existed', () => {
    const old = collect((c) => {
      c.onScheduled(0);
      c.onOutcome(accepted(), 5, 5);
    });
    const { sendLagMs: _s, counts, timeline, ...rest } = JSON.parse(JSON.stringify(old)) as Result;
    const { shutdownInFlight: _i, shutdownQueued: _q, ...oldCounts } = counts;
    const withoutSent = timeline?.map(({ sent: _sent, ...second }) => second);
    expect(parseResult({ ...rest, counts: oldCounts, timeline: withoutSent }).timeline?.[0]?.sent).toBeUndefined();
  });
});

describe('ResultCollector: what the report shows beyond the counts', () => {
  it('splits outcomes and accepted latency per provider once asked to, and only then', () => {
    const plain = track(new ResultCollector());
    plain.onScheduled();
    plain.onOutcome(accepted(), 5);
    expect(plain.finish({ startedAt: new Date(0), durationMs: 1000, targetRate: 1 }).providers).toBeUndefined();

    const mixed = track(new ResultCollector());
    mixed.trackProviders();
    const outcomes: [Outcome, number][] = [
      [{ ...accepted(), provider: 'fcm' }, 30],
      [accepted(), 10],
      [accepted(), 20],
      [{ ...rejected('UNREGISTERED', 404), provider: 'fcm' }, 3],
      [{ ...dropped(), provider: 'webpush' }, 0.1],
    ];
    for (const [outcome, ms] of outcomes) {
      mixed.onScheduled();
      mixed.onOutcome(outcome, ms);
    }
    const result = mixed.finish({ startedAt: new Date(0), durationMs: 1000, targetRate: 5 });
    expect(Object.keys(result.providers ?? {})).toEqual(['apns', 'fcm', 'webpush']);
    expect(result.providers?.['apns']).toMatchObject({ accepted: 2, rejected: 0, failed: 0, expired: 0, dropped: 0, acceptedLatencyMs: { count: 2 } });
    expect(result.providers?.['apns']?.acceptedLatencyMs.max).toBeCloseTo(20, 1);
    expect(result.providers?.['fcm']).toMatchObject({ accepted: 1, rejected: 1, acceptedLatencyMs: { count: 1 } });
    // A provider that accepted nothing has an empty histogram, not a made-up latency.
    expect(result.providers?.['webpush']).toMatchObject({ accepted: 0, dropped: 1, acceptedLatencyMs: { count: 0 } });
    expect(parseResult(JSON.parse(JSON.stringify(result))).providers).toEqual(result.providers);
  });

  it('counts a retry in the timeline only when told when; the total either way', () => {
    const c = track(new ResultCollector());
    c.onScheduled(0);
    c.onRetry();
    c.onRetry(1_200);
    const result = c.finish({ startedAt: new Date(0), durationMs: 2000, targetRate: 1 });
    expect(result.counts.retries).toBe(2);
    expect(result.timeline?.map((s) => s.retries)).toEqual([0, 1]);
  });

  it('rejects a per-provider entry or a configuration of the wrong shape, naming where', () => {
    const valid = JSON.parse(JSON.stringify(run())) as Record<string, unknown>;
    let error: unknown;
    try {
      parseResult({ ...valid, providers: { apns: { accepted: -1 } }, config: { load: {} } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    const problems = (error as InvalidConfigError).problems.join('\n');
    expect(problems).toContain('providers.apns.accepted');
    expect(problems).toContain('config.target');
  });

  it('still reads a result from before retries, injected faults, config and providers were recorded', () => {
    const c = track(new ResultCollector());
    c.onScheduled(0);
    c.onOutcome(accepted(), 5, 5);
    const written = JSON.parse(JSON.stringify(c.finish({ startedAt: new Date(0), durationMs: 1000, targetRate: 1 }))) as Result;
    const old = { ...written, timeline: written.timeline?.map(({ retries: _r, injected: _i, ...second }) => second) };
    const parsed = parseResult(old);
    expect(parsed.timeline?.[0]?.retries).toBeUndefined();
    expect(parsed.config).toBeUndefined();
    expect(parsed.providers).toBeUndefined();
  });
});
