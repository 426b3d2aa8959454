/**
 * Reading a result.json back (merge, compare, report): the schema every field is checked against,
 * and the histograms' own check. In a module of its own, away from the collector (result.ts) that
 * every run loads: the build inlines zod into this file's dist/ copy (build/inline-dependencies.mjs),
 * so `pushsim report`, `merge` and `compare` start without loading zod's ~90 modules.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { InvalidConfigError } from '../core/errors.js';
import { pushAll } from '../core/arrays.js';
import { outcomeStatuses } from '../sender/outcome.js';
import { decodeHistogram } from './histogram.js';
import type { LatencyHistogram } from './histogram.js';
import { RESULT_SCHEMA } from './result.js';
import type { Result } from './result.js';

// zod/mini: the same checks and messages as zod's classic API in a fraction of its start-up (its
// schemas carry no methods to set up); its messages come from the English locale, set here.
z.config(en());

const count = z.int().check(z.nonnegative());
const nonNegative = z.number().check(z.nonnegative());
const millis = nonNegative;
const positiveCount = z.int().check(z.positive());
const percent = z.number().check(z.gte(0), z.lte(100));

const deliveryCounts = z.object({ delivered: count, duplicates: count });
const providerDelivery = z.extend(deliveryCounts, { acknowledged: z.optional(count), notAcknowledged: z.optional(count) });

// The histogram's own check (it decodes and agrees with `count`) is a pass after the schema
// (histogramProblems), so a reader that renders no histogram need not load the HDR library.
const latencyEntrySchema = z.object({ count, p50: millis, p90: millis, p99: millis, p999: millis, max: millis, hdr: z.string().check(z.minLength(1)) });

const threadPausesSchema = z.object({
  eventLoopDelayMs: z.object({ p50: millis, p99: millis, max: millis }),
  gc: z.object({ count, totalMs: millis, maxMs: millis, percent: nonNegative }),
});

/** A policy in `config`: 'default', off, or the options the scenario gave. */
const runPolicySchema = z.union([z.literal('default'), z.literal(false), z.record(z.string(), z.unknown())]);

const resultSchema = z.object({
  schema: z.literal(RESULT_SCHEMA),
  startedAt: z.iso.datetime({ offset: true }),
  durationMs: millis,
  counts: z.object({
    scheduled: count,
    attempts: count,
    accepted: count,
    rejected: count,
    failed: count,
    expired: count,
    dropped: count,
    retries: z.optional(count),
    fallbacks: z.optional(count),
    duplicates: z.optional(count),
    shutdownInFlight: z.optional(count),
    shutdownQueued: z.optional(count),
  }),
  byReason: z.record(z.string(), count),
  latencyMs: z.object({
    accepted: latencyEntrySchema,
    rejected: latencyEntrySchema,
    failed: latencyEntrySchema,
    expired: latencyEntrySchema,
    dropped: latencyEntrySchema,
  }),
  rate: z.object({ target: z.nullable(nonNegative), achieved: nonNegative }),
  scenario: z.optional(z.string()),
  shard: z.optional(z.object({ index: count, count: positiveCount, scenarioDigest: z.string().check(z.minLength(1)), startAt: z.optional(z.iso.datetime({ offset: true })), lateMs: z.optional(millis) })),
  shards: z.optional(z.object({ count: positiveCount, scenarioDigest: z.string().check(z.minLength(1)), startAt: z.optional(z.iso.datetime({ offset: true })), startSkewMs: millis })),
  workers: z.optional(positiveCount),
  workersRule: z.optional(z.string()),
  target: z.optional(z.string()),
  targets: z.optional(z.record(z.string(), z.string())),
  pushsim: z.optional(z.string()),
  attemptLatencyMs: z.optional(latencyEntrySchema),
  breakerTransitions: z.optional(z.array(z.object({ atMs: millis, origin: z.string(), from: z.string(), to: z.string() }))),
  tokensToPrune: z.optional(z.array(z.object({ provider: z.string(), token: z.string(), reason: z.string(), timestamp: z.optional(z.number()) }))),
  deliveredBy: z.optional(z.record(z.string(), count)),
  providerFallbacks: z.optional(z.record(z.string(), count)),
  thresholds: z.optional(z.array(z.object({ expression: z.string(), actual: z.nullable(z.number()), passed: z.boolean() }))),
  delivery: z.optional(
    z.object({
      delivered: count,
      unique: count,
      duplicates: count,
      unidentified: count,
      tokensWithDuplicates: count,
      duplicatesByToken: z.record(z.string(), count),
      byProvider: z.record(z.string(), providerDelivery),
      byPhase: z.record(z.string(), deliveryCounts),
      acknowledged: z.optional(count),
      notAcknowledged: z.optional(count),
      notAcknowledgedExact: z.optional(z.boolean()),
    }),
  ),
  faults: z.optional(z.array(z.object({ id: z.string(), kind: z.string(), injected: count }))),
  timeline: z.optional(
    z.array(
      z.object({
        second: count,
        scheduled: count,
        sent: z.optional(count),
        accepted: count,
        rejected: count,
        failed: count,
        expired: count,
        dropped: count,
        p50: z.nullable(millis),
        p99: z.nullable(millis),
        max: z.nullable(millis),
        senderDelayMs: z.optional(millis),
        senderGcMs: z.optional(millis),
        mockDelayMs: z.optional(millis),
        mockGcMs: z.optional(millis),
        hdr: z.optional(z.string().check(z.minLength(1))),
        retries: z.optional(count),
        injected: z.optional(count),
      }),
    ),
  ),
  loadModel: z.optional(z.object({ kind: z.literal('closed'), inFlight: positiveCount, latencyCorrectedForCoordinatedOmission: z.literal(false) })),
  sendLagMs: z.optional(latencyEntrySchema),
  queueWaitMs: z.optional(latencyEntrySchema),
  wireLatencyMs: z.optional(latencyEntrySchema),
  validity: z.optional(
    z.object({
      valid: z.boolean(),
      failOnOverload: z.boolean(),
      bounds: z.object({ maxSendLagMs: millis, maxShedPercent: nonNegative, maxPauseSharePercent: z.optional(nonNegative) }),
      reasons: z.array(z.string()),
      bottleneck: z.optional(z.object({ kind: z.enum(['sender-cpu', 'sender-in-flight-limit', 'target-in-flight-limit', 'connecting']), summary: z.string() })),
      evidence: z.object({
        sendLagP99Ms: z.nullable(millis),
        fireLagP99Ms: z.nullable(millis),
        shed: count,
        shedPercent: nonNegative,
        eventLoop: z.object({ utilization: z.number().check(z.gte(0), z.lte(1)), delayP99Ms: millis, delayMaxMs: millis }),
        cpuPercent: nonNegative,
        inFlight: z.object({
          senderLimit: count,
          targetLimit: z.nullable(count),
          peak: count,
          peakQueued: count,
          senderLimitedPercent: percent,
          targetLimitedPercent: percent,
          connectingPercent: percent,
        }),
      }),
    }),
  ),
  pauses: z.optional(
    z.object({
      sender: threadPausesSchema,
      mock: z.optional(threadPausesSchema),
      tail: z.optional(z.object({ ownP99Ms: millis, acceptedP99Ms: millis, percent: nonNegative })),
    }),
  ),
  interrupted: z.optional(z.object({ signal: z.string(), atMs: millis, duringWarmup: z.optional(z.boolean()) })),
  unreachable: z.optional(z.object({ origin: z.string(), cause: z.string(), message: z.string(), atMs: millis, duringWarmup: z.optional(z.boolean()) })),
  recipientsLost: z.optional(z.object({ file: z.string(), problem: z.string(), atMs: millis })),
  phases: z.optional(z.array(z.object({ name: z.string(), startMs: millis, endMs: millis }))),
  warnings: z.optional(z.array(z.string())),
  config: z.optional(
    z.object({
      load: z.record(z.string(), z.unknown()),
      target: z.object({ kind: z.string(), providers: z.array(z.string()), tls: z.optional(z.boolean()), worker: z.optional(z.boolean()), latency: z.optional(z.unknown()) }),
      mix: z.record(z.string(), nonNegative),
      tokens: z.object({ count, unregisteredRatio: z.number().check(z.gte(0), z.lte(1)), seed: count }),
      sender: z.record(z.string(), z.unknown()),
      gracefulStopMs: millis,
      warmup: count,
      policies: z.object({ retry: runPolicySchema, circuitBreaker: runPolicySchema }),
      faults: z.optional(z.object({ seed: z.optional(count), phases: z.optional(z.array(z.record(z.string(), z.unknown()))), faults: z.array(z.record(z.string(), z.unknown())) })),
      validity: z.optional(z.record(z.string(), z.unknown())),
      thresholds: z.optional(z.array(z.string())),
      recipients: z.optional(z.object({ file: z.string(), format: z.string(), rows: z.optional(count), sha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))) })),
    }),
  ),
  providers: z.optional(z.record(z.string(), z.object({ accepted: count, rejected: count, failed: count, expired: count, dropped: count, acceptedLatencyMs: latencyEntrySchema }))),
  virtual: z.optional(z.object({ durationMs: millis, seed: z.optional(z.int()) })),
  realPushes: z.optional(z.object({ sent: count, dryRun: count, byProvider: z.record(z.string(), count), maxNotifications: count, maxRate: z.number().check(z.positive()) })),
});

/**
 * Validates a loaded result.json. Throws InvalidConfigError listing every problem. Unknown fields
 * (from a later version) are accepted and left out of the returned object. The outcome invariant is
 * not checked here: a broken run is still a valid file (use `checkInvariant`).
 */
export interface ParseResultOptions {
  /**
   * Decode every HDR histogram and check it against its `count` (what merge, compare and the HTML
   * report recompute from). Off for a reader that only shows the summary numbers (text, JSON, JUnit
   * reports): it then starts without loading the HDR library. @default true
   */
  readonly histograms?: boolean;
}

export function parseResult(json: unknown, source = 'result.json', options: ParseResultOptions = {}): Result {
  // jitless: a process parses one or a few results; compiling the schema's parser first costs more
  // (~10 ms) than it saves.
  const parsed = resultSchema.safeParse(json, { jitless: true });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      // `byReason["apns:Unregistered"]` rather than `byReason.apns:Unregistered`.
      const path = issue.path
        .map((key, i) => (typeof key === 'string' && /^[A-Za-z_]\w*$/.test(key) ? `${i === 0 ? '' : '.'}${key}` : `[${JSON.stringify(key)}]`))
        .join('');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    });
    // Every problem at once: the histograms that are there are checked too.
    if (options.histograms !== false) pushAll(problems, histogramProblems(json));
    throw new InvalidConfigError(source, problems);
  }
  const result = parsed.data satisfies Result;
  if (options.histograms !== false) {
    const problems = histogramProblems(result);
    if (problems.length > 0) throw new InvalidConfigError(source, problems);
  }
  return result;
}

/**
 * Each latency entry's histogram must decode and hold `count` values, and each second's (a shard's
 * timeline) at most its `accepted` (an answer for a second already closed is counted, not recorded);
 * the problems, with their paths. Reads the document as given (it may have failed the schema
 * elsewhere): entries without a string `hdr` and a number count are the schema's to report.
 */
function histogramProblems(document: unknown): string[] {
  const at = (value: unknown, key: string | number): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);
  const latency = at(document, 'latencyMs');
  const timeline = at(document, 'timeline');
  const entries: { path: string; entry: unknown; count: string; exact: boolean }[] = [
    ...outcomeStatuses.map((status) => ({ path: `latencyMs.${status}`, entry: at(latency, status), count: 'count', exact: true })),
    ...(['attemptLatencyMs', 'sendLagMs', 'queueWaitMs', 'wireLatencyMs'] as const).map((key) => ({ path: key, entry: at(document, key), count: 'count', exact: true })),
    ...(Array.isArray(timeline) ? timeline.map((second: unknown, i) => ({ path: `timeline[${i}]`, entry: second, count: 'accepted', exact: false })) : []),
    ...providerEntries(at(document, 'providers')),
  ];
  const problems: string[] = [];
  for (const { path, entry, count: countKey, exact } of entries) {
    const hdr = at(entry, 'hdr');
    const count = at(entry, countKey);
    if (typeof hdr !== 'string' || hdr === '' || typeof count !== 'number') continue;
    let histogram: LatencyHistogram;
    try {
      histogram = decodeHistogram(hdr);
    } catch {
      problems.push(`${path}.hdr: is not a compressed base64 HDR histogram`);
      continue;
    }
    try {
      if (exact ? histogram.count !== count : histogram.count > count) problems.push(`${path}.hdr: holds ${histogram.count} values but ${countKey} is ${count}`);
    } finally {
      histogram.destroy();
    }
  }
  return problems;
}

/** Each provider's accepted-latency entry (a mixed run's `providers`), for the histograms' check. */
function providerEntries(providers: unknown): { path: string; entry: unknown; count: string; exact: boolean }[] {
  if (typeof providers !== 'object' || providers === null) return [];
  return Object.entries(providers as Record<string, unknown>).map(([name, p]) => ({
    path: `providers[${JSON.stringify(name)}].acceptedLatencyMs`,
    entry: typeof p === 'object' && p !== null ? (p as Record<string, unknown>)['acceptedLatencyMs'] : undefined,
    count: 'count',
    exact: true,
  }));
}
