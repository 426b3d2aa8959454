/** Outcomes built by hand to the types in sender/outcome.ts, and a collector run over them. */
import { afterAll, beforeAll } from 'vitest';
import { initHistograms } from '../../reports/histogram.js';
import { ResultCollector } from '../../reports/result.js';
import type { Result, Validity } from '../../reports/result.js';
import type { RunConfig } from '../../reports/run-config.js';
import type { Outcome } from '../../sender/outcome.js';

export const accepted = (attempts = 1): Outcome => ({ status: 'accepted', provider: 'apns', token: 'tok-a', attempts, id: 'id-1' });

export const rejected = (reason: string, httpStatus = 410): Outcome => ({
  status: 'rejected',
  provider: 'apns',
  token: 'tok-r',
  attempts: 1,
  httpStatus,
  reason,
  retryClass: 'permanent',
});

export const failed = (attempts = 3): Outcome => ({
  status: 'failed',
  provider: 'apns',
  token: 'tok-f',
  attempts,
  code: 'PUSHSIM_ERR_TIMEOUT',
  message: 'no response within 10000 ms',
});

export const expired = (): Outcome => ({ status: 'expired', provider: 'apns', token: 'tok-e', attempts: 0 });

export const dropped = (): Outcome => ({ status: 'dropped', provider: 'apns', token: 'tok-d', attempts: 0, cause: 'queue-full' });

/**
 * 10 scheduled: 4 accepted (one retried once), 2 Unregistered + 1 TooManyRequests, 1 failed after 3
 * attempts, 1 expired, 1 dropped. Accepted latencies 10/20/30/40 ms.
 */
export function sampleRun(): { collector: ResultCollector; result: Result } {
  const collector = new ResultCollector();
  for (let i = 0; i < 10; i++) collector.onScheduled();
  collector.onOutcome(accepted(), 10);
  collector.onOutcome(accepted(), 20);
  collector.onOutcome(accepted(2), 30);
  collector.onOutcome(accepted(), 40);
  collector.onOutcome(rejected('Unregistered'), 5);
  collector.onOutcome(rejected('Unregistered'), 6);
  collector.onOutcome(rejected('TooManyRequests', 429), 7);
  collector.onOutcome(failed(), 10_000);
  collector.onOutcome(expired(), 2_000);
  collector.onOutcome(dropped(), 0.05);
  const result = collector.finish({
    startedAt: new Date('2026-01-02T03:04:05.678Z'),
    durationMs: 2000,
    targetRate: 5,
    scenario: 'smoke',
  });
  return { collector, result };
}

/**
 * sampleRun() for a test file: built before its tests (histograms initialised), destroyed after.
 * Read `.result` inside tests.
 */
export function useSampleRun(): { readonly result: Result } {
  let run: { collector: ResultCollector; result: Result } | undefined;
  beforeAll(async () => {
    await initHistograms();
    run = sampleRun();
  });
  afterAll(() => run?.collector.destroy());
  return {
    get result(): Result {
      if (run === undefined) throw new Error('useSampleRun: read .result inside a test, not at collection time');
      return run.result;
    },
  };
}

/** The verdict of a run whose own in-flight limit (1) held the notifications back. */
export const invalid: Validity = {
  valid: false,
  failOnOverload: true,
  bounds: { maxSendLagMs: 1000, maxShedPercent: 0 },
  reasons: ['notifications left up to 1.80 s late at p99 against their planned time (bound 1.00 s): pushsim could not keep to its schedule'],
  bottleneck: { kind: 'sender-in-flight-limit', summary: "pushsim's own in-flight limit: …" },
  evidence: {
    sendLagP99Ms: 1800,
    fireLagP99Ms: 1,
    shed: 0,
    shedPercent: 0,
    eventLoop: { utilization: 0.2, delayP99Ms: 11, delayMaxMs: 12 },
    cpuPercent: 20,
    inFlight: { senderLimit: 1, targetLimit: 1000, peak: 1, peakQueued: 290, senderLimitedPercent: 97, targetLimitedPercent: 0, connectingPercent: 0 },
  },
};

/** pushsim's own pauses of a run with the mock in a worker, as the runner hands them to finish(). */
export const pauseReports = {
  sender: {
    summary: { eventLoopDelayMs: { p50: 0.2, p99: 4.5, max: 31.25 }, gc: { count: 12, totalMs: 40.5, maxMs: 9.75, percent: 2.5 } },
    seconds: { delayMaxMs: [31.25, 2], gcMs: [30, 10.5] },
  },
  mock: {
    summary: { eventLoopDelayMs: { p50: 0.1, p99: 2.5, max: 12 }, gc: { count: 5, totalMs: 8, maxMs: 3, percent: 0.4 } },
    seconds: { delayMaxMs: [12], gcMs: [8] },
  },
  tail: { ownP99Ms: 7, acceptedP99Ms: 40, percent: 17.5 },
};


/** The configuration of a brownout run as the runner records it (scenarios/run-config.ts). */
export const brownoutConfig: RunConfig = {
  load: { executor: 'constant-arrival-rate', rate: 500, count: 5000 },
  target: { kind: 'mock', providers: ['apns'], tls: false, worker: true, latency: { kind: 'fixed', ms: 2 } },
  mix: { apns: 1 },
  tokens: { count: 1000, unregisteredRatio: 0.02, seed: 7 },
  sender: { connections: 2, maxInFlight: 1000, maxQueue: 10000, requestTimeoutMs: 10000 },
  gracefulStopMs: 5000,
  warmup: 500,
  policies: { retry: { maxAttempts: 3, baseDelayMs: 50 }, circuitBreaker: 'default' },
  faults: {
    seed: 42,
    phases: [{ name: 'healthy', durationMs: 3000 }, { name: 'brownout', durationMs: 3000 }, { name: 'recovering' }],
    faults: [{ kind: 'outage', id: 'brownout-503', phase: 'brownout', probability: 0.3 }],
  },
  thresholds: ['p(99)<1000'],
};
