/**
 * The result of one run, schema `pushsim.result/1`, and the collector that builds it.
 *
 *   runner ──onScheduled/onOutcome──► ResultCollector ──finish──► Result ──► text.ts / json.ts
 *                                                                   ▲
 *                                       result.json ──parseResult───┘  (merge / compare input; result-parse.ts)
 *
 * Compatibility rule: later versions may add fields, never remove or retype these.
 */
import { InvalidArgumentError, assertNumber } from '../core/errors.js';
import type { ThreadPauseReport, ThreadPauses } from '../core/pauses.js';
import type { Provider } from '../core/reasons.js';
import { outcomeStatuses, reasonKey } from '../sender/outcome.js';
import type { AttemptTiming } from '../sender/listener.js';
import type { Outcome, OutcomeStatus } from '../sender/outcome.js';
import { createLatencyHistogram } from './histogram.js';
import type { LatencyHistogram, LatencySummary } from './histogram.js';
import type { LedgerSummary } from '../simulator/ledger/ledger.js';
import type { Acknowledgement, ProviderDelivery } from './delivery.js';
import { TimelineRecorder, injectedPerSecond, withInjected } from './timeline.js';
import type { TimelineOptions, TimelineSecond } from './timeline.js';
import type { InjectionCounts } from '../simulator/faults/injection-timeline.js';
import type { RunConfig } from './run-config.js';

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
  /**
   * Of `dropped`: notifications pushsim cut when the run stopped (its graceful stop ran out, an
   * interruption, an unreachable target) while they were on the wire; they may have been processed.
   */
  readonly shutdownInFlight?: number;
  /** Of `dropped`: notifications still inside pushsim when the run stopped: never sent. */
  readonly shutdownQueued?: number;
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
  /**
   * On the measured run's clock: milliseconds since the first measured planned send (the timeline's
   * and the fault phases' clock). Transitions during the warm-up are left out.
   */
  readonly atMs: number;
  readonly origin: string;
  readonly from: string;
  readonly to: string;
}

/**
 * What the mocks' delivery ledgers saw during the measured run (simulator/ledger/ledger.ts): what
 * was delivered, as opposed to what the sender was told. A duplicate is a second delivery of one
 * notification (same token and apns-id, or same FCM / Web Push body): an acknowledgement lost after
 * delivery, then a retry. The ledger's own summary, so the two cannot drift, less its bookkeeping;
 * from a run, with the notifications delivered but not acknowledged (delivery.ts) in total and per
 * provider (files from before them lack those fields).
 */
export type DeliverySummary = Omit<LedgerSummary, 'recordsKept' | 'byProvider'> &
  Partial<Omit<Acknowledgement, 'byProvider'>> & { readonly byProvider: Readonly<Record<string, ProviderDelivery>> };

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

/**
 * One provider's share of a run to several (the `mixed` scenario): how its notifications ended, and
 * the end-to-end latency of those it accepted. The five counts add up to the provider's notifications.
 */
export interface ProviderOutcomes {
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
  readonly expired: number;
  readonly dropped: number;
  /** Latency (from the planned time) of the provider's accepted notifications, with its HDR histogram. */
  readonly acceptedLatencyMs: LatencyEntry;
}

/** A fault phase on the measured run's clock (ms since the first measured planned send), cut to the run. */
export interface PhaseSpan {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** What limited the sending (scenarios/overload.ts decides). */
export type BottleneckKind = 'sender-cpu' | 'sender-in-flight-limit' | 'target-in-flight-limit' | 'connecting';

/** The measurements behind a validity verdict. */
export interface OverloadEvidence {
  /** p99 of how late notifications went on the wire against their planned time (ms); null when none did. */
  readonly sendLagP99Ms: number | null;
  /** p99 of how late the load generator handed notifications to the sender (ms): its own lateness. */
  readonly fireLagP99Ms: number | null;
  /** Notifications pushsim shed (`pushsim:queue-full`), and their share of `scheduled` in %. */
  readonly shed: number;
  readonly shedPercent: number;
  /** The sender thread's event loop over the measured run (perf_hooks): busy share 0–1, delay p99 and max (ms). */
  readonly eventLoop: { readonly utilization: number; readonly delayP99Ms: number; readonly delayMaxMs: number };
  /** CPU of the whole process (sender and in-process mocks, all threads) over the measured run, % of one core. */
  readonly cpuPercent: number;
  /**
   * The in-flight limits, sampled every 50 ms: pushsim's own (`sender.maxInFlight`, per provider,
   * summed), the target's (its SETTINGS_MAX_CONCURRENT_STREAMS × connections; null before any
   * connection), the peaks seen, and the share of samples (%) in which each limit was full (or,
   * `connectingPercent`, requests waited for a first connection).
   */
  readonly inFlight: {
    readonly senderLimit: number;
    readonly targetLimit: number | null;
    readonly peak: number;
    readonly peakQueued: number;
    readonly senderLimitedPercent: number;
    readonly targetLimitedPercent: number;
    readonly connectingPercent: number;
  };
}

/**
 * Whether the run measured the target or pushsim. A run is not valid when pushsim itself could
 * not keep to the schedule: notifications left later than `maxSendLagMs` at p99 because of the
 * sender (its event loop, its own in-flight limit), or pushsim shed more than `maxShedPercent` of
 * them. Waiting for the target's own stream limit is the target's capacity: named as the
 * bottleneck, but valid.
 */
export interface Validity {
  readonly valid: boolean;
  /** Whether an invalid run fails (`pushsim run` exits 97); false when the scenario set `validity.failOnOverload: false`. */
  readonly failOnOverload: boolean;
  readonly bounds: { readonly maxSendLagMs: number; readonly maxShedPercent: number; readonly maxPauseSharePercent?: number };
  /** Why it is not valid, one sentence each with the numbers; empty when valid. */
  readonly reasons: readonly string[];
  /** What limited the sending, when something did (also on a valid run, e.g. the target's own limit). */
  readonly bottleneck?: { readonly kind: BottleneckKind; readonly summary: string };
  readonly evidence: OverloadEvidence;
}

/**
 * pushsim's own pauses over the measured run (core/pauses.ts): event-loop delay and garbage
 * collection of the thread that sends, and of the mock's worker thread when the mock runs in one
 * (an in-process mock shares the sender's thread, so its pauses are in `sender`).
 */
export interface OwnPauses {
  readonly sender: ThreadPauses;
  readonly mock?: ThreadPauses;
  /**
   * What the pauses could have added to the accepted tail: the sender's and the mock's event-loop
   * delay p99 together (`ownP99Ms`), as a share of the accepted latency p99 (`percent`);
   * scenarios/pauses.ts judges it.
   */
  readonly tail?: { readonly ownP99Ms: number; readonly acceptedP99Ms: number; readonly percent: number };
}

/** The run stopped on a signal (SIGINT, SIGTERM): the result is partial. */
export interface Interruption {
  readonly signal: string;
  /** On the measured run's clock; 0 when it came during the warm-up (then nothing was measured). */
  readonly atMs: number;
  readonly duringWarmup?: boolean;
}

/** The run stopped early because the target could not be reached or refused every request. */
export interface Unreachable {
  /** The origin that failed. */
  readonly origin: string;
  /** The underlying cause, first: `ECONNREFUSED`, `ENOTFOUND`, a TLS verification code, `403 InvalidProviderToken`… */
  readonly cause: string;
  /** What the system or the provider said. */
  readonly message: string;
  /** On the measured run's clock; 0 when it happened during the warm-up. */
  readonly atMs: number;
  readonly duringWarmup?: boolean;
}

/**
 * The run stopped because its recipients file could not be read any more (deleted, emptied or
 * rewritten after it was checked): the result is partial, and the command exits 104 as for any
 * input file that cannot be used.
 */
export interface RecipientsLost {
  /** The file as the scenario names it (never this machine's absolute path). */
  readonly file: string;
  /** What is wrong with it now: `does not exist (…) (ENOENT)`, `line 12: …`. */
  readonly problem: string;
  /** On the measured run's clock. */
  readonly atMs: number;
}

/** This result is shard `index` of `count` of one run (scenarios/shard.ts); `pushsim merge` of all of them is the whole. */
export interface ShardInfo {
  /** From 0, as Kubernetes' JOB_COMPLETION_INDEX. */
  readonly index: number;
  readonly count: number;
  /** Fingerprint of the scenario as run, flags applied (scenarios/shard.ts `scenarioDigest`): merge refuses shards whose differ. */
  readonly scenarioDigest: string;
  /** The start the shards agreed on (ISO 8601), when they had one (`--start-at`). */
  readonly startAt?: string;
  /** How long after `startAt` this shard's measured run began (ms): more than a few means it was not ready in time. */
  readonly lateMs?: number;
}

/** A result merged from the shards of one run: how many, of which scenario, how far apart they started. */
export interface MergedShards {
  readonly count: number;
  readonly scenarioDigest: string;
  readonly startAt?: string;
  /** Latest start − earliest start of the shards' measured runs (ms). */
  readonly startSkewMs: number;
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
  /** Present when this run was one shard of a scenario (`pushsim run --shard I/N`). */
  readonly shard?: ShardInfo;
  /** Present when this result was merged from every shard of a run (`pushsim merge`). */
  readonly shards?: MergedShards;
  /** How many sender threads the run used (`pushsim run --workers N`; 1: the calling thread). */
  readonly workers?: number;
  /** Why that many, when pushsim chose the number (the default for the machine and the load). */
  readonly workersRule?: string;
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
  /** Per second of the measured run: planned, completed by outcome, accepted latency, retries, injected faults (timeline.ts). */
  readonly timeline?: readonly TimelineSecond[];
  /** Only for a closed-model run: its latency is not corrected for coordinated omission. */
  readonly loadModel?: LoadModel;
  /** Per notification: from its planned time to its first request on the wire (ms). */
  readonly sendLagMs?: LatencyEntry;
  /** Per attempt: time waiting inside pushsim (the pool's queue, a free stream) before the request went on the wire. */
  readonly queueWaitMs?: LatencyEntry;
  /** Per attempt: time on the wire only, from the stream opening to the answer. */
  readonly wireLatencyMs?: LatencyEntry;
  /** Whether this run measured the target or pushsim's own limits (overload), with the evidence. */
  readonly validity?: Validity;
  /** pushsim's own event-loop delay and GC pauses, sender thread and mock worker thread (per second in `timeline`). */
  readonly pauses?: OwnPauses;
  /** Present when a signal stopped the run: the result is partial. */
  readonly interrupted?: Interruption;
  /** Present when the run stopped because the target could not be reached, with the cause. */
  readonly unreachable?: Unreachable;
  /** Present when the run stopped because its recipients file could not be read any more. */
  readonly recipientsLost?: RecipientsLost;
  /** The scenario's fault phases on the measured run's clock, as far as the run got. */
  readonly phases?: readonly PhaseSpan[];
  /** Things the run could tell were off: faults that cannot fire, faults that never fired, a target at its limit. */
  readonly warnings?: readonly string[];
  /** The configuration the run was made with, flags applied, secrets left out (reports/run-config.ts). */
  readonly config?: RunConfig;
  /** A run to several providers: per provider, outcomes and accepted latency (keyed `apns`, `fcm`, `webpush`). */
  readonly providers?: Readonly<Record<string, ProviderOutcomes>>;
  /** Present when the run sent to real providers (any target not on this machine): what reached them, and the caps. */
  readonly realPushes?: RealPushes;
  /**
   * Present when the run was simulated on virtual time (`pushsim simulate`): every duration, rate and
   * latency is virtual, and what only real time has (pushsim's own pauses and CPU, `validity`,
   * how late notifications were fired) is absent.
   */
  readonly virtual?: VirtualRun;
  /** Recipients from a file: accepted notifications by the provider that delivered them (after any fallback across providers). */
  readonly deliveredBy?: Readonly<Record<string, number>>;
  /** Recipients from a file: notifications handed from one provider to the recipient's next, by `<from>><to>` (e.g. `apns>fcm`). */
  readonly providerFallbacks?: Readonly<Record<string, number>>;
}

/** A simulated run (scenarios/simulate.ts). */
export interface VirtualRun {
  /** The virtual time the measured run took (the same as `durationMs`). */
  readonly durationMs: number;
  /** The seed every random choice of the simulation came from: the same scenario and seed give the same result (absent when simulations of several seeds were merged). */
  readonly seed?: number;
}

/**
 * Requests that reached real providers, warm-up and retries included (each attempt is a request the
 * provider saw), the dry-run ones (FCM validate_only: checked, never delivered) apart.
 */
export interface RealPushes {
  /** Requests that could deliver a notification to a real device. */
  readonly sent: number;
  /** FCM validate_only requests: nothing delivered. */
  readonly dryRun: number;
  readonly byProvider: Readonly<Partial<Record<Provider, number>>>;
  /** The caps the run was held to (scenarios/safety.ts). */
  readonly maxNotifications: number;
  readonly maxRate: number;
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
  readonly shard?: ShardInfo;
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
  readonly validity?: Validity;
  readonly interrupted?: Interruption;
  readonly unreachable?: Unreachable;
  readonly recipientsLost?: RecipientsLost;
  readonly phases?: readonly PhaseSpan[];
  readonly warnings?: readonly string[];
  /** pushsim's own pauses, per thread: the summaries go to `pauses`, the seconds into `timeline`. */
  readonly pauses?: { readonly sender: ThreadPauseReport; readonly mock?: ThreadPauseReport; readonly tail?: OwnPauses['tail'] };
  /**
   * When the mocks' faults fired (per 100 ms of their timeline) and how long after the faults' start
   * the run's clock started (ms): gives each timeline second its `injected` count.
   */
  readonly injections?: { readonly counts: InjectionCounts; readonly offsetMs: number };
  readonly config?: RunConfig;
}

/** When a notification first went on the wire: on the measured run's clock, and how late against its plan. */
export interface SentAt {
  readonly atMs: number;
  readonly lagMs: number;
}

type MutableCounts = { -readonly [K in keyof ResultCounts]-?: number };

/**
 * Counts outcomes and records their latencies. A subscriber of the runner, not part of the sender:
 * it only sees final outcomes. Call `destroy()` when done (WebAssembly histograms).
 */
export class ResultCollector {
  readonly #counts: Omit<MutableCounts, 'duplicates'> = {
    scheduled: 0,
    attempts: 0,
    accepted: 0,
    rejected: 0,
    failed: 0,
    expired: 0,
    dropped: 0,
    retries: 0,
    fallbacks: 0,
    shutdownInFlight: 0,
    shutdownQueued: 0,
  };
  readonly #byReason = new Map<string, number>();
  readonly #attempts = createLatencyHistogram();
  readonly #sendLag = createLatencyHistogram();
  readonly #queueWait = createLatencyHistogram();
  readonly #wire = createLatencyHistogram();
  /** Planned → handed to the sender: the load generator's own lateness (evidence only, not in the result). */
  readonly #fireLag = createLatencyHistogram();
  readonly #transitions: BreakerTransition[] = [];
  readonly #prune = new Map<string, TokenToPrune>();
  readonly #latency: Record<OutcomeStatus, LatencyHistogram> = {
    accepted: createLatencyHistogram(),
    rejected: createLatencyHistogram(),
    failed: createLatencyHistogram(),
    expired: createLatencyHistogram(),
    dropped: createLatencyHistogram(),
  };

  /** Notifications pushsim shed (queue full). */
  #shed = 0;

  /** Per provider, once trackProviders() was called. */
  #providers: Map<string, ProviderTally> | undefined;

  /** Per-second entries, from the first call that says when (`atMs`); without one, no timeline. */
  #timeline: TimelineRecorder | undefined;
  readonly #timelineOptions: TimelineOptions;

  /** `timeline.histograms`: a shard's collector keeps each second's histogram for the merge (timeline.ts). */
  constructor(options: { readonly timeline?: TimelineOptions } = {}) {
    this.#timelineOptions = options.timeline ?? {};
  }

  /** One notification planned; `atMs` (since the measured start) puts it in the timeline. */
  onScheduled(atMs?: number): void {
    this.#counts.scheduled++;
    if (atMs !== undefined) (this.#timeline ??= new TimelineRecorder(this.#timelineOptions)).onScheduled(atMs);
  }

  /**
   * One notification reached its final state, `latencyMs` after it was planned (dropped/expired
   * too); `atMs` (since the measured start) is when, for the timeline; `sent` when it first went on
   * the wire, if it did.
   */
  onOutcome(outcome: Outcome, latencyMs: number, atMs?: number, sent?: SentAt): void {
    // Record first: it is the only step that can throw (NaN), and then no count has moved.
    this.#latency[outcome.status].recordMs(latencyMs);
    if (sent !== undefined) this.#sendLag.recordMs(sent.lagMs);
    if (atMs !== undefined) {
      const timeline = (this.#timeline ??= new TimelineRecorder(this.#timelineOptions));
      timeline.onOutcome(outcome.status, latencyMs, atMs);
      if (sent !== undefined) timeline.onSent(sent.atMs);
    }
    this.#counts[outcome.status]++;
    if (outcome.status === 'dropped') {
      if (outcome.cause === 'shutdown') this.#counts.shutdownInFlight++;
      else if (outcome.cause === 'shutdown-queued') this.#counts.shutdownQueued++;
      else if (outcome.cause === 'queue-full') this.#shed++;
    }
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
    if (this.#providers !== undefined) this.#onProviderOutcome(outcome, latencyMs);
  }

  /** One request (attempt) got its answer or failure after `latencyMs`; `timing` splits it when it reached the wire. */
  onAttempt(latencyMs: number, timing?: AttemptTiming): void {
    this.#attempts.recordMs(latencyMs);
    if (timing === undefined) return;
    this.#queueWait.recordMs(timing.queuedMs);
    this.#wire.recordMs(timing.wireMs);
  }

  /** The load generator handed a notification to the sender `lagMs` after its planned time. */
  onFired(lagMs: number): void {
    this.#fireLag.recordMs(lagMs);
  }

  /** Notifications scheduled so far. */
  scheduled(): number {
    return this.#counts.scheduled;
  }

  /** Notifications pushsim shed so far (`pushsim:queue-full`): overload evidence. */
  shed(): number {
    return this.#shed;
  }

  /** p99 of the accepted latency so far (ms), null when nothing was accepted: what pushsim's own pauses are judged against. */
  acceptedP99(): number | null {
    const accepted = this.#latency.accepted;
    return accepted.count === 0 ? null : accepted.percentileMs(99);
  }

  /** p99 of the send lag and of the generator's lag so far (ms), null without values: overload evidence. */
  lagP99(): { sendLagMs: number | null; fireLagMs: number | null } {
    const p99 = (h: LatencyHistogram): number | null => (h.count === 0 ? null : h.percentileMs(99));
    return { sendLagMs: p99(this.#sendLag), fireLagMs: p99(this.#fireLag) };
  }

  /** The retry policy made a retry; `atMs` (since the measured start, when it came back) puts it in the timeline. */
  onRetry(atMs?: number): void {
    this.#counts.retries++;
    if (atMs !== undefined) (this.#timeline ??= new TimelineRecorder(this.#timelineOptions)).onRetry(atMs);
  }

  /** Count outcomes and accepted latency per provider from now on (a run to several providers). */
  trackProviders(): void {
    this.#providers ??= new Map();
  }

  #onProviderOutcome(outcome: Outcome, latencyMs: number): void {
    const providers = this.#providers as Map<string, ProviderTally>;
    let tally = providers.get(outcome.provider);
    if (tally === undefined) providers.set(outcome.provider, (tally = { accepted: 0, rejected: 0, failed: 0, expired: 0, dropped: 0, latency: createLatencyHistogram() }));
    tally[outcome.status]++;
    if (outcome.status === 'accepted') tally.latency.recordMs(latencyMs);
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
      ...(options.shard !== undefined && { shard: options.shard }),
      ...(options.target !== undefined && { target: originOf(options.target) }),
      ...(options.targets !== undefined && { targets: Object.fromEntries(Object.entries(options.targets).map(([provider, url]) => [provider, originOf(url)])) }),
      ...(options.pushsim !== undefined && { pushsim: options.pushsim }),
      ...(this.#attempts.count > 0 && { attemptLatencyMs: entryOf(this.#attempts) }),
      breakerTransitions: [...this.#transitions],
      tokensToPrune: [...this.#prune.values()],
      ...(delivery !== undefined && { delivery }),
      ...(faults !== undefined && { faults }),
      ...(this.#timeline !== undefined && { timeline: withInjections(withPauses(this.#timeline.snapshot(), options.pauses), options.injections) }),
      ...(options.loadModel !== undefined && { loadModel: options.loadModel }),
      ...(this.#sendLag.count > 0 && { sendLagMs: entryOf(this.#sendLag) }),
      ...(this.#queueWait.count > 0 && { queueWaitMs: entryOf(this.#queueWait) }),
      ...(this.#wire.count > 0 && { wireLatencyMs: entryOf(this.#wire) }),
      ...(options.validity !== undefined && { validity: options.validity }),
      ...(options.pauses !== undefined && { pauses: pausesOf(options.pauses) }),
      ...(options.interrupted !== undefined && { interrupted: options.interrupted }),
      ...(options.unreachable !== undefined && { unreachable: options.unreachable }),
      ...(options.recipientsLost !== undefined && { recipientsLost: options.recipientsLost }),
      ...(options.phases !== undefined && { phases: options.phases }),
      ...(options.warnings !== undefined && options.warnings.length > 0 && { warnings: options.warnings }),
      ...(options.config !== undefined && { config: options.config }),
      ...(this.#providers !== undefined && { providers: providersOf(this.#providers) }),
    };
  }

  /** Frees the histograms; idempotent. */
  destroy(): void {
    for (const histogram of Object.values(this.#latency)) histogram.destroy();
    for (const histogram of [this.#attempts, this.#sendLag, this.#queueWait, this.#wire, this.#fireLag]) histogram.destroy();
    this.#timeline?.destroy();
    for (const tally of this.#providers?.values() ?? []) tally.latency.destroy();
  }
}

type ProviderTally = { -readonly [K in OutcomeStatus]: number } & { readonly latency: LatencyHistogram };

/** Per provider, in the order the providers' names sort (apns, fcm, webpush). */
function providersOf(providers: ReadonlyMap<string, ProviderTally>): Record<string, ProviderOutcomes> {
  return Object.fromEntries(
    [...providers.keys()].sort().map((provider) => {
      const { latency, ...counts } = providers.get(provider) as ProviderTally;
      return [provider, { ...counts, acceptedLatencyMs: entryOf(latency) }];
    }),
  );
}

function withInjections(seconds: TimelineSecond[], injections: FinishOptions['injections']): TimelineSecond[] {
  if (injections === undefined) return seconds;
  return withInjected(seconds, injectedPerSecond(injections.counts, injections.offsetMs, seconds.length));
}

function pausesOf({ sender, mock, tail }: NonNullable<FinishOptions['pauses']>): OwnPauses {
  return { sender: sender.summary, ...(mock !== undefined && { mock: mock.summary }), ...(tail !== undefined && { tail }) };
}

/** Each second of the timeline with the threads' pauses of that second (ms; 0 when none was measured). */
function withPauses(seconds: TimelineSecond[], pauses: FinishOptions['pauses']): TimelineSecond[] {
  if (pauses === undefined) return seconds;
  const at = (values: readonly number[], second: number): number => values[second] ?? 0;
  const { sender, mock } = pauses;
  return seconds.map((entry) => ({
    ...entry,
    senderDelayMs: at(sender.seconds.delayMaxMs, entry.second),
    senderGcMs: at(sender.seconds.gcMs, entry.second),
    ...(mock !== undefined && { mockDelayMs: at(mock.seconds.delayMaxMs, entry.second), mockGcMs: at(mock.seconds.gcMs, entry.second) }),
  }));
}

function entryOf(histogram: LatencyHistogram): LatencyEntry {
  return { ...histogram.summary(), hdr: histogram.encode() };
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

