/**
 * The result of one run, schema `pushsim.result/1`, and the collector that builds it.
 *
 *   runner ──onScheduled/onOutcome──► ResultCollector ──finish──► Result ──► text.ts / json.ts
 *                                                                   ▲
 *                                       result.json ──parseResult───┘  (merge / compare input)
 *
 * Compatibility rule: later versions may add fields, never remove or retype these.
 */
import { z } from 'zod';
import { InvalidArgumentError, InvalidConfigError, assertNumber } from '../core/errors.js';
import { outcomeStatuses, reasonKey } from '../sender/outcome.js';
import type { Outcome, OutcomeStatus } from '../sender/outcome.js';
import { createLatencyHistogram, decodeHistogram } from './histogram.js';
import type { LatencyHistogram, LatencySummary } from './histogram.js';
import type { LedgerSummary } from '../simulator/ledger/ledger.js';
import { TimelineRecorder } from './timeline.js';
import type { TimelineSecond } from './timeline.js';

export const RESULT_SCHEMA = 'pushsim.result/1';

export interface ResultCounts {
  /** Notifications the executor planned. */
  readonly scheduled: number;
  /** Requests put on the wire, retries included. */
  readonly attempts: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
  readonly expired: number;
  readonly dropped: number;
  /** Retries scheduled by the retry policy (version 1 files from before it may lack it). */
  readonly retries?: number;
  /** Notifications handed to a fallback route. */
  readonly fallbacks?: number;
  /** Deliveries the mock's ledger saw more than once (only when the target is our mock). */
  readonly duplicates?: number;
}

/** A token the provider declared dead (410 Unregistered, FCM UNREGISTERED, Web Push 404/410): delete it. */
export interface TokenToPrune {
  readonly provider: string;
  readonly token: string;
  readonly reason: string;
  /** When the provider says the token stopped being valid (epoch ms), if it said. */
  readonly timestamp?: number;
}

export interface BreakerTransition {
  /** Milliseconds since the run started. */
  readonly atMs: number;
  readonly origin: string;
  readonly from: string;
  readonly to: string;
}

/**
 * What the mocks' delivery ledgers saw during the measured run (simulator/ledger/ledger.ts): what
 * was delivered, as opposed to what the sender was told. A duplicate is a second delivery of one
 * notification (same token and apns-id, or same FCM / Web Push body): an acknowledgement lost after
 * delivery, then a retry. The ledger's own summary, so the two cannot drift, less its bookkeeping.
 */
export type DeliverySummary = Omit<LedgerSummary, 'recordsKept'>;

/** A fault of the scenario and how often it fired during the measured run (all mocks together). */
export interface FaultInjection {
  readonly id: string;
  readonly kind: string;
  readonly injected: number;
}

/**
 * How a closed-model run sent its load (scenarios/executors/closed.ts), and what that does to its
 * latency. Absent for an open-model (arrival-rate) run, whose latency runs from each notification's
 * planned time and so shows the queueing behind a slow provider.
 */
export interface LoadModel {
  readonly kind: 'closed';
  /** Notifications kept in flight. */
  readonly inFlight: number;
  /**
   * Always false here: a slow answer delays the next send, so the waiting a slow provider causes
   * never shows in latency (coordinated omission). Latency runs from each actual send.
   */
  readonly latencyCorrectedForCoordinatedOmission: false;
}

export interface LatencyEntry extends LatencySummary {
  /** Compressed base64 HDR histogram of the same values, in **microseconds**. */
  readonly hdr: string;
}

export interface Result {
  readonly schema: typeof RESULT_SCHEMA;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly counts: ResultCounts;
  /** `<provider>:<reason>` → notifications, sorted by count descending. */
  readonly byReason: Readonly<Record<string, number>>;
  /** One entry per outcome status, present even when its count is 0. */
  readonly latencyMs: Readonly<Record<OutcomeStatus, LatencyEntry>>;
  readonly rate: {
    /** Planned notifications per second; null when the run had no target (closed model). */
    readonly target: number | null;
    /** Completed notifications per second; see `achievedRate`. */
    readonly achieved: number;
  };
  /** Scenario name. */
  readonly scenario?: string;
  /** Provider origin (`scheme://host:port`) only: never a path, query or credentials. */
  readonly target?: string;
  /** A run to several providers (a mix): each provider's origin, as `target` is for one. */
  readonly targets?: Readonly<Record<string, string>>;
  /** pushsim version that wrote the result. */
  readonly pushsim?: string;
  /** Latency of single requests (attempts), as opposed to `latencyMs`, which runs end to end. */
  readonly attemptLatencyMs?: LatencyEntry;
  readonly breakerTransitions?: readonly BreakerTransition[];
  /** Distinct dead tokens, in the order they were first reported. */
  readonly tokensToPrune?: readonly TokenToPrune[];
  /** Each threshold of the scenario with its measured value; any `passed: false` fails the run. */
  readonly thresholds?: readonly { readonly expression: string; readonly actual: number | null; readonly passed: boolean }[];
  /** The mocks' delivery ledgers over the measured run; only when the target is our mock. */
  readonly delivery?: DeliverySummary;
  /** The scenario's faults, in spec order; only when it has faults. */
  readonly faults?: readonly FaultInjection[];
  /** Per second of the measured run: planned, completed by outcome, accepted latency (timeline.ts). */
  readonly timeline?: readonly TimelineSecond[];
  /** Only for a closed-model run: its latency is not corrected for coordinated omission. */
  readonly loadModel?: LoadModel;
}

/**
 * Completed notifications per second over the whole run: every notification that reached
 * accepted, rejected, failed or expired, divided by `durationMs`. Dropped ones are left out because
 * pushsim shed them itself. Rounded to 3 decimals; 0 for a zero-length run.
 */
export function achievedRate(counts: ResultCounts, durationMs: number): number {
  if (durationMs <= 0) return 0;
  const completed = counts.accepted + counts.rejected + counts.failed + counts.expired;
  return Math.round((completed / (durationMs / 1000)) * 1000) / 1000;
}

/** A message when `scheduled ≠ accepted + rejected + failed + expired + dropped`, else undefined. */
export function checkInvariant(result: Result): string | undefined {
  const { scheduled, accepted, rejected, failed, expired, dropped } = result.counts;
  const ended = accepted + rejected + failed + expired + dropped;
  if (scheduled === ended) return undefined;
  const gap =
    ended < scheduled
      ? `${scheduled - ended} notification(s) have no outcome`
      : `${ended - scheduled} outcome(s) more than scheduled`;
  return (
    `scheduled ${scheduled} ≠ accepted ${accepted} + rejected ${rejected} + failed ${failed}` +
    ` + expired ${expired} + dropped ${dropped} = ${ended}: ${gap}`
  );
}

export interface FinishOptions {
  readonly startedAt: Date;
  readonly durationMs: number;
  /** Planned notifications per second, or null for a run without a target rate. */
  readonly targetRate: number | null;
  readonly scenario?: string;
  /** Provider URL; reduced to its origin so no credentials, token paths or query strings are kept. */
  readonly target?: string;
  /** Provider → URL for a run to several providers; each reduced to its origin like `target`. */
  readonly targets?: Readonly<Record<string, string>>;
  readonly pushsim?: string;
  /** The mocks' delivery ledgers, when the target is our mock: gives `delivery` and `counts.duplicates`. */
  readonly delivery?: DeliverySummary;
  readonly faults?: readonly FaultInjection[];
  /** A closed-model run says so, and that its latency is not corrected for coordinated omission. */
  readonly loadModel?: LoadModel;
}

type MutableCounts = { -readonly [K in keyof ResultCounts]-?: number };

/**
 * Counts outcomes and records their latencies. A subscriber of the runner, not part of the sender:
 * it only sees final outcomes. Call `destroy()` when done (WebAssembly histograms).
 */
export class ResultCollector {
  readonly #counts: Omit<MutableCounts, 'duplicates'> = { scheduled: 0, attempts: 0, accepted: 0, rejected: 0, failed: 0, expired: 0, dropped: 0, retries: 0, fallbacks: 0 };
  readonly #byReason = new Map<string, number>();
  readonly #attempts = createLatencyHistogram();
  readonly #transitions: BreakerTransition[] = [];
  readonly #prune = new Map<string, TokenToPrune>();
  readonly #latency: Record<OutcomeStatus, LatencyHistogram> = {
    accepted: createLatencyHistogram(),
    rejected: createLatencyHistogram(),
    failed: createLatencyHistogram(),
    expired: createLatencyHistogram(),
    dropped: createLatencyHistogram(),
  };

  /** Per-second entries, from the first call that says when (`atMs`); without one, no timeline. */
  #timeline: TimelineRecorder | undefined;

  /** One notification planned; `atMs` (since the measured start) puts it in the timeline. */
  onScheduled(atMs?: number): void {
    this.#counts.scheduled++;
    if (atMs !== undefined) (this.#timeline ??= new TimelineRecorder()).onScheduled(atMs);
  }

  /**
   * One notification reached its final state, `latencyMs` after it was planned (dropped/expired
   * too); `atMs` (since the measured start) is when, for the timeline.
   */
  onOutcome(outcome: Outcome, latencyMs: number, atMs?: number): void {
    // Record first: it is the only step that can throw (NaN), and then no count has moved.
    this.#latency[outcome.status].recordMs(latencyMs);
    if (atMs !== undefined) (this.#timeline ??= new TimelineRecorder()).onOutcome(outcome.status, latencyMs, atMs);
    this.#counts[outcome.status]++;
    this.#counts.attempts += outcome.attempts;
    if (outcome.status === 'rejected' && outcome.retryClass === 'permanent' && !this.#prune.has(outcome.token)) {
      this.#prune.set(outcome.token, {
        provider: outcome.provider,
        token: outcome.token,
        reason: outcome.reason,
        ...(outcome.timestamp !== undefined && { timestamp: outcome.timestamp }),
      });
    }
    const key = reasonKey(outcome);
    if (key !== undefined) this.#byReason.set(key, (this.#byReason.get(key) ?? 0) + 1);
  }

  /** One request (attempt) got its answer or failure after `latencyMs`. */
  onAttempt(latencyMs: number): void {
    this.#attempts.recordMs(latencyMs);
  }

  onRetry(): void {
    this.#counts.retries++;
  }

  onFallback(): void {
    this.#counts.fallbacks++;
  }

  onBreakerStateChange(transition: BreakerTransition): void {
    this.#transitions.push(transition);
  }

  /** Snapshot of everything so far; the collector stays usable (a live report may call it per tick). */
  finish(options: FinishOptions): Result {
    const { startedAt, durationMs, targetRate } = options;
    if (Number.isNaN(startedAt.getTime())) throw new InvalidArgumentError('startedAt must be a valid Date');
    assertNumber('durationMs', durationMs, 0);
    if (targetRate !== null) assertNumber('targetRate', targetRate, 0);

    const { delivery, faults } = options;
    const counts: ResultCounts = { ...this.#counts, ...(delivery !== undefined && { duplicates: delivery.duplicates }) };
    const latencyMs = Object.fromEntries(
      outcomeStatuses.map((status) => {
        const histogram = this.#latency[status];
        return [status, { ...histogram.summary(), hdr: histogram.encode() }];
      }),
    ) as Record<OutcomeStatus, LatencyEntry>;
    const byReason = Object.fromEntries(
      [...this.#byReason].sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : ka > kb ? 1 : 0)),
    );

    return {
      schema: RESULT_SCHEMA,
      startedAt: startedAt.toISOString(),
      durationMs,
      counts,
      byReason,
      latencyMs,
      rate: { target: targetRate, achieved: achievedRate(counts, durationMs) },
      ...(options.scenario !== undefined && { scenario: options.scenario }),
      ...(options.target !== undefined && { target: originOf(options.target) }),
      ...(options.targets !== undefined && { targets: Object.fromEntries(Object.entries(options.targets).map(([provider, url]) => [provider, originOf(url)])) }),
      ...(options.pushsim !== undefined && { pushsim: options.pushsim }),
      ...(this.#attempts.count > 0 && { attemptLatencyMs: { ...this.#attempts.summary(), hdr: this.#attempts.encode() } }),
      breakerTransitions: [...this.#transitions],
      tokensToPrune: [...this.#prune.values()],
      ...(delivery !== undefined && { delivery }),
      ...(faults !== undefined && { faults }),
      ...(this.#timeline !== undefined && { timeline: this.#timeline.snapshot() }),
      ...(options.loadModel !== undefined && { loadModel: options.loadModel }),
    };
  }

  /** Frees the histograms; idempotent. */
  destroy(): void {
    for (const histogram of Object.values(this.#latency)) histogram.destroy();
    this.#attempts.destroy();
    this.#timeline?.destroy();
  }
}

function originOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new InvalidArgumentError('target must be an absolute URL', { cause: error });
  }
  return parsed.origin;
}

const count = z.number().int().nonnegative();
const millis = z.number().nonnegative();

const deliveryCounts = z.object({ delivered: count, duplicates: count });

const latencyEntrySchema = z
  .object({ count, p50: millis, p90: millis, p99: millis, p999: millis, max: millis, hdr: z.string().min(1) })
  .superRefine((entry, ctx) => {
    // The histogram is what merge/compare recompute from, so it must decode and agree with `count`.
    let histogram: LatencyHistogram;
    try {
      histogram = decodeHistogram(entry.hdr);
    } catch {
      ctx.addIssue({ code: 'custom', path: ['hdr'], message: 'is not a compressed base64 HDR histogram' });
      return;
    }
    try {
      if (histogram.count !== entry.count) {
        ctx.addIssue({ code: 'custom', path: ['hdr'], message: `holds ${histogram.count} values but count is ${entry.count}` });
      }
    } finally {
      histogram.destroy();
    }
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
  target: z.string().optional(),
  targets: z.record(z.string(), z.string()).optional(),
  pushsim: z.string().optional(),
  attemptLatencyMs: latencyEntrySchema.optional(),
  breakerTransitions: z.array(z.object({ atMs: millis, origin: z.string(), from: z.string(), to: z.string() })).optional(),
  tokensToPrune: z.array(z.object({ provider: z.string(), token: z.string(), reason: z.string(), timestamp: z.number().optional() })).optional(),
  thresholds: z.array(z.object({ expression: z.string(), actual: z.number().nullable(), passed: z.boolean() })).optional(),
  delivery: z
    .object({
      delivered: count,
      unique: count,
      duplicates: count,
      unidentified: count,
      tokensWithDuplicates: count,
      duplicatesByToken: z.record(z.string(), count),
      byProvider: z.record(z.string(), deliveryCounts),
      byPhase: z.record(z.string(), deliveryCounts),
    })
    .optional(),
  faults: z.array(z.object({ id: z.string(), kind: z.string(), injected: count })).optional(),
  timeline: z
    .array(
      z.object({
        second: count,
        scheduled: count,
        accepted: count,
        rejected: count,
        failed: count,
        expired: count,
        dropped: count,
        p50: millis.nullable(),
        p99: millis.nullable(),
        max: millis.nullable(),
      }),
    )
    .optional(),
  loadModel: z.object({ kind: z.literal('closed'), inFlight: z.number().int().positive(), latencyCorrectedForCoordinatedOmission: z.literal(false) }).optional(),
});

/**
 * Validates a loaded result.json. Throws InvalidConfigError listing every problem. Unknown fields
 * (from a later version) are accepted and left out of the returned object. The outcome invariant is
 * not checked here: a broken run is still a valid file (use `checkInvariant`).
 */
export function parseResult(json: unknown, source = 'result.json'): Result {
  const parsed = resultSchema.safeParse(json);
  if (parsed.success) return parsed.data satisfies Result;
  const problems = parsed.error.issues.map((issue) => {
    // `byReason["apns:Unregistered"]` rather than `byReason.apns:Unregistered`.
    const path = issue.path
      .map((key, i) => (typeof key === 'string' && /^[A-Za-z_]\w*$/.test(key) ? `${i === 0 ? '' : '.'}${key}` : `[${JSON.stringify(key)}]`))
      .join('');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  throw new InvalidConfigError(source, problems);
}
