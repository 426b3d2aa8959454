/**
 * Reading a result.json back (merge, compare, report): the schema every field is checked against,
 * and the histograms' own check. In a module of its own, away from the collector (result.ts) that
 * every run loads: the build inlines zod into this file's dist/ copy (build/inline-dependencies.mjs),
 * so `pushsim report`, `merge` and `compare` start without loading zod's ~90 modules.
 */
import { z } from 'zod';
import { InvalidConfigError } from '../core/errors.js';
import { pushAll } from '../core/arrays.js';
import { outcomeStatuses } from '../sender/outcome.js';
import { decodeHistogram } from './histogram.js';
import type { LatencyHistogram } from './histogram.js';
import { RESULT_SCHEMA } from './result.js';
import type { Result } from './result.js';

const count = z.number().int().nonnegative();
const millis = z.number().nonnegative();

const deliveryCounts = z.object({ delivered: count, duplicates: count });
const providerDelivery = deliveryCounts.extend({ acknowledged: count.optional(), notAcknowledged: count.optional() });

// The histogram's own check (it decodes and agrees with `count`) is a pass after the schema
// (histogramProblems), so a reader that renders no histogram need not load the HDR library.
const latencyEntrySchema = z.object({ count, p50: millis, p90: millis, p99: millis, p999: millis, max: millis, hdr: z.string().min(1) });

const threadPausesSchema = z.object({
  eventLoopDelayMs: z.object({ p50: millis, p99: millis, max: millis }),
  gc: z.object({ count, totalMs: millis, maxMs: millis, percent: z.number().nonnegative() }),
});

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
    retries: count.optional(),
    fallbacks: count.optional(),
    duplicates: count.optional(),
    shutdownInFlight: count.optional(),
    shutdownQueued: count.optional(),
  }),
  byReason: z.record(z.string(), count),
  latencyMs: z.object({
    accepted: latencyEntrySchema,
    rejected: latencyEntrySchema,
    failed: latencyEntrySchema,
    expired: latencyEntrySchema,
    dropped: latencyEntrySchema,
  }),
  rate: z.object({ target: z.number().nonnegative().nullable(), achieved: z.number().nonnegative() }),
  scenario: z.string().optional(),
  shard: z.object({ index: count, count: z.number().int().positive(), scenarioDigest: z.string().min(1), startAt: z.iso.datetime({ offset: true }).optional(), lateMs: millis.optional() }).optional(),
  shards: z.object({ count: z.number().int().positive(), scenarioDigest: z.string().min(1), startAt: z.iso.datetime({ offset: true }).optional(), startSkewMs: millis }).optional(),
  workers: z.number().int().positive().optional(),
  workersRule: z.string().optional(),
  target: z.string().optional(),
  targets: z.record(z.string(), z.string()).optional(),
  pushsim: z.string().optional(),
  attemptLatencyMs: latencyEntrySchema.optional(),
  breakerTransitions: z.array(z.object({ atMs: millis, origin: z.string(), from: z.string(), to: z.string() })).optional(),
  tokensToPrune: z.array(z.object({ provider: z.string(), token: z.string(), reason: z.string(), timestamp: z.number().optional() })).optional(),
  deliveredBy: z.record(z.string(), count).optional(),
  providerFallbacks: z.record(z.string(), count).optional(),
  thresholds: z.array(z.object({ expression: z.string(), actual: z.number().nullable(), passed: z.boolean() })).optional(),
  delivery: z
    .object({
      delivered: count,
      unique: count,
      duplicates: count,
      unidentified: count,
      tokensWithDuplicates: count,
      duplicatesByToken: z.record(z.string(), count),
      byProvider: z.record(z.string(), providerDelivery),
      byPhase: z.record(z.string(), deliveryCounts),
      acknowledged: count.optional(),
      notAcknowledged: count.optional(),
      notAcknowledgedExact: z.boolean().optional(),
    })
    .optional(),
  faults: z.array(z.object({ id: z.string(), kind: z.string(), injected: count })).optional(),
  timeline: z
    .array(
      z.object({
        second: count,
        scheduled: count,
        sent: count.optional(),
        accepted: count,
        rejected: count,
        failed: count,
        expired: count,
        dropped: count,
        p50: millis.nullable(),
        p99: millis.nullable(),
        max: millis.nullable(),
        senderDelayMs: millis.optional(),
        senderGcMs: millis.optional(),
        mockDelayMs: millis.optional(),
        mockGcMs: millis.optional(),
      }),
    )
    .optional(),
  loadModel: z.object({ kind: z.literal('closed'), inFlight: z.number().int().positive(), latencyCorrectedForCoordinatedOmission: z.literal(false) }).optional(),
  sendLagMs: latencyEntrySchema.optional(),
  queueWaitMs: latencyEntrySchema.optional(),
  wireLatencyMs: latencyEntrySchema.optional(),
  validity: z
    .object({
      valid: z.boolean(),
      failOnOverload: z.boolean(),
      bounds: z.object({ maxSendLagMs: millis, maxShedPercent: z.number().nonnegative(), maxPauseSharePercent: z.number().nonnegative().optional() }),
      reasons: z.array(z.string()),
      bottleneck: z.object({ kind: z.enum(['sender-cpu', 'sender-in-flight-limit', 'target-in-flight-limit', 'connecting']), summary: z.string() }).optional(),
      evidence: z.object({
        sendLagP99Ms: millis.nullable(),
        fireLagP99Ms: millis.nullable(),
        shed: count,
        shedPercent: z.number().nonnegative(),
        eventLoop: z.object({ utilization: z.number().min(0).max(1), delayP99Ms: millis, delayMaxMs: millis }),
        cpuPercent: z.number().nonnegative(),
        inFlight: z.object({
          senderLimit: count,
          targetLimit: count.nullable(),
          peak: count,
          peakQueued: count,
          senderLimitedPercent: z.number().min(0).max(100),
          targetLimitedPercent: z.number().min(0).max(100),
          connectingPercent: z.number().min(0).max(100),
        }),
      }),
    })
    .optional(),
  pauses: z
    .object({
      sender: threadPausesSchema,
      mock: threadPausesSchema.optional(),
      tail: z.object({ ownP99Ms: millis, acceptedP99Ms: millis, percent: z.number().nonnegative() }).optional(),
    })
    .optional(),
  interrupted: z.object({ signal: z.string(), atMs: millis, duringWarmup: z.boolean().optional() }).optional(),
  unreachable: z.object({ origin: z.string(), cause: z.string(), message: z.string(), atMs: millis, duringWarmup: z.boolean().optional() }).optional(),
  phases: z.array(z.object({ name: z.string(), startMs: millis, endMs: millis })).optional(),
  warnings: z.array(z.string()).optional(),
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
 * Each latency entry's histogram must decode and hold `count` values; the problems, with their paths.
 * Reads the document as given (it may have failed the schema elsewhere): entries without a string
 * `hdr` and a number `count` are the schema's to report.
 */
function histogramProblems(document: unknown): string[] {
  const at = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);
  const latency = at(document, 'latencyMs');
  const entries: [string, unknown][] = [
    ...outcomeStatuses.map((status): [string, unknown] => [`latencyMs.${status}`, at(latency, status)]),
    ...(['attemptLatencyMs', 'sendLagMs', 'queueWaitMs', 'wireLatencyMs'] as const).map((key): [string, unknown] => [key, at(document, key)]),
  ];
  const problems: string[] = [];
  for (const [path, candidate] of entries) {
    const hdr = at(candidate, 'hdr');
    const count = at(candidate, 'count');
    if (typeof hdr !== 'string' || hdr === '' || typeof count !== 'number') continue;
    const entry = { hdr, count };
    let histogram: LatencyHistogram;
    try {
      histogram = decodeHistogram(entry.hdr);
    } catch {
      problems.push(`${path}.hdr: is not a compressed base64 HDR histogram`);
      continue;
    }
    try {
      if (histogram.count !== entry.count) problems.push(`${path}.hdr: holds ${histogram.count} values but count is ${entry.count}`);
    } finally {
      histogram.destroy();
    }
  }
  return problems;
}
