/**
 * Runs a scenario and emits what happens; it prints nothing itself. Progress display, histograms
 * and exporters are subscribers (autocannon's tracker), and the report is a pure function of the
 * Result that `execute()` returns.
 *
 *   executor ──fire(i, plannedAt)──► provider of i (mix) ──► that lane's sender.send
 *                                                                  │
 *        emit('outcome', outcome, latencyMs) ◄──────outcome───────┘
 *              ├─► ResultCollector (histograms; one collector for all providers)
 *              └─► progress display, exporters…
 */
import { EventEmitter } from 'node:events';
import type { RunEvents, RunWarmup } from './run-events.js';
import { TickStats } from './tick-stats.js';
import { phasesOnRunClock } from './phases.js';
import { runConfigOf } from './run-config.js';
import { describeWorkers, runInWorkers, validateWorkers } from './workers.js';
import type { WorkersChoice } from './workers.js';
import { InvalidArgumentError, InvalidConfigError } from '../core/errors.js';
import { PauseMonitor } from '../core/pauses.js';
import { VirtualScheduler, systemScheduler } from '../core/scheduler.js';
import type { Scheduler } from '../core/scheduler.js';
import { driveVirtual, every, onVirtualTime } from './simulate-drive.js';
import { AcknowledgementCounter, withAcknowledgements } from '../reports/delivery.js';
import { initHistograms } from '../reports/histogram.js';
import { ResultCollector } from '../reports/result.js';
import type { Result } from '../reports/result.js';
import type { ScenarioConfig } from './config.js';
import type { RealPushes } from '../reports/result.js';
import { applySafety } from './safety.js';
import type { AppliedSafety, SafetyCeilings } from './safety.js';
import { targetProviders, validateScenario } from './config.js';
import { createExecutor, describeLoad, lastPlannedMs, plannedRate, resultLoadModel } from './executors/index.js';
import { Lanes } from './lanes.js';
import type { Lane } from './lanes.js';
import { createRecipientSequence, describeMix, mixShares } from './mix.js';
import type { Recipient } from './mix.js';
import { createShardExecutor, describeShard, shardInfo, shardPlannedRate, startAtProblem, validateShardLoad, waitUntil } from './shard.js';
import type { Shard } from './shard.js';
import { hasFaults } from './profile-target.js';
import { openTarget } from './target.js';
import { evaluateThresholds } from './thresholds.js';
import type { OpenTarget } from './target.js';
import { OverloadMonitor, ScheduleLag, bottleneckOf, judgeValidity, validityDefaults } from './overload.js';
import type { OverloadSamples } from './overload.js';
import { ReachabilityWatch } from './reachability.js';
import { defaultMaxPauseSharePercent, judgePauses, pauseTail } from './pauses.js';
import type { PauseVerdict } from './pauses.js';
import type { DeliverySummary, Interruption, RecipientsLost, SentAt, Unreachable } from '../reports/result.js';
import type { Provider } from '../core/reasons.js';
import type { SenderListener } from '../sender/listener.js';
import type { Outcome } from '../sender/outcome.js';
import type { DispatchContext, TransportResult } from '../sender/transport.js';
import { checkRecipientsFile, describeRecipients, withChecked } from './recipients-check.js';
import type { RecipientsSummary } from './recipients-check.js';
import { recipientsIdentity, type RecipientsConfig } from './recipients-config.js';
import { RecipientDispatch } from './recipients-send.js';
import { dormantFaults } from './dormant-faults.js';
import type { LedgerSummary } from '../simulator/ledger/ledger.js';

export type { RunEvents, RunProgress, RunStart, RunWaiting, RunWarmup } from './run-events.js';
export { phasesOnRunClock } from './phases.js';

export interface RunOptions {
  /**
   * Stops the run: no new notifications, those in flight get a short grace (2 s at most, the
   * scenario's graceful stop if shorter), and the result is marked `interrupted` with the abort
   * reason as the signal (the CLI aborts with 'SIGINT' / 'SIGTERM').
   */
  readonly signal?: AbortSignal;
  /** @default 1000 */
  readonly progressIntervalMs?: number;
  /**
   * Runs part `index` (from 0) of `count` of the scenario (scenarios/shard.ts): the notifications
   * whose index i ≡ index (mod count), each at its planned time in the whole run, to the recipient
   * and with the payload it has there. `pushsim merge` of the N results is the whole run.
   */
  readonly shard?: Shard;
  /**
   * Epoch ms (wall clock) at which the measured run starts: the run gets ready (mocks, connections,
   * warm-up), then waits until then, so shards started apart share one clock. A start more than
   * 5 s past or more than an hour ahead is refused at construction; one that passes while the run
   * gets ready is kept late, with a warning and `shard.lateMs`.
   */
  readonly startAt?: number;
  /**
   * Splits the run over this many worker threads (scenarios/workers.ts), each running one shard of
   * it with its own sender pools and policies, all starting at one instant; their results are
   * merged exactly into this run's. 1 (or leaving it out) sends from the calling thread, as before;
   * 'auto' picks what suits the machine and the load (`defaultWorkers`). At most
   * `maxWorkers()`. With workers, 'outcome' events stay inside the workers (so do 'attempt',
   * 'retry', 'fallback' and 'breaker': see `metrics`): the other events ('start', 'progress',
   * 'warning', 'done') cover the whole run.
   */
  readonly workers?: number | 'auto';
  /**
   * With workers: each worker tallies its outcomes, attempts, retries, fallbacks and breaker states
   * and sends them once per progress tick, re-emitted here as 'metrics' events (scenarios/metrics.ts);
   * without workers those come as their own events anyway. Off by default: the tally costs a little per outcome.
   */
  readonly metrics?: boolean;
  /**
   * With workers: each worker sends its accepted latencies of each progress tick as an encoded HDR
   * histogram, re-emitted here as 'acceptedLatency' events (what the live dashboard adds up into
   * percentiles so far); without workers, 'outcome' events carry them. Off by default.
   */
  readonly acceptedLatency?: boolean;
  /**
   * Every attempt's answer (or failure) of the measured run, with its provider and time on the wire
   * (SenderListener.onAnswer): what `pushsim run --record-profile` records (reports/profile.ts).
   * Called in the sending thread, so only for a run in one thread (`workers` 1).
   */
  readonly onAnswer?: NonNullable<SenderListener['onAnswer']>;
  /**
   * The ceilings a run against real providers is held to (scenarios/safety.ts): the scenario's
   * `safety` section may lower them, never raise them; `allowProduction` is the command line's
   * consent to production APNs and real FCM sends. @default realProviderDefaults, no production
   */
  readonly safety?: SafetyCeilings;
  /** Where a real target's credentials are read from when the scenario names none. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The one time source of the run: planned times, progress ticks, the graceful stop and every
   * wait of the senders' policies. A VirtualScheduler (with `target` of simulated transports) runs
   * the scenario on virtual time: `pushsim simulate` (scenarios/simulate.ts). @default systemScheduler
   */
  readonly scheduler?: Scheduler;
  /**
   * Opens the run's target instead of what the scenario's `target` names (simulated transports,
   * scenarios/simulate.ts), when the run starts; the run closes it.
   */
  readonly openTarget?: (config: ScenarioConfig) => Promise<OpenTarget>;
  /** [0, 1): the senders' retry jitter, seeded so a simulation replays exactly. @default Math.random */
  readonly random?: () => number;
}

/**
 * How a sender worker of a run split over worker threads runs its part (scenarios/workers-thread.ts):
 * on the target the main thread opened, whose startMeasuring() is the barrier every worker starts at.
 * Not for library users: RunOptions.workers is.
 */
export interface RunAttachment {
  readonly target: OpenTarget;
}

/** Lateness past the agreed start (ms) beyond timer jitter: the shard was not ready in time. */
const lateStartWarningMs = 50;

/** How long an interrupted run waits for what is on the wire before cutting it. */
const interruptedStopMs = 2000;

/** How a measured run ended, as #drive saw it. */
interface Driven {
  readonly durationMs: number;
  /** The scheduler's monotonic ms of the measured run's clock zero: the first planned send. */
  readonly origin: number;
  /** What the overload monitor saw; undefined on virtual time, where pushsim's own CPU is not part of the model. */
  readonly overload: OverloadSamples | undefined;
}

export class ScenarioRun extends EventEmitter<RunEvents> {
  readonly config: ScenarioConfig;
  readonly #options: RunOptions;
  readonly #attachment: RunAttachment | undefined;
  readonly #workers: WorkersChoice | undefined;
  /** The caps of a run against real providers; undefined for the mocks and loopback targets. */
  readonly #safety: AppliedSafety | undefined;
  /** What the caps cut from the scenario, said as warnings. */
  readonly #safetyNotes: readonly string[];
  /** Accepted outcomes per provider (primary route), set against the mocks' ledgers (reports/delivery.ts). */
  #acknowledged = new AcknowledgementCounter();

  /** Validates at construction: a broken scenario throws InvalidConfigError listing every problem. */
  constructor(config: ScenarioConfig, options: RunOptions = {}, attachment?: RunAttachment) {
    super();
    const problems = validateScenario(config);
    if (problems.length > 0) throw new InvalidConfigError(`scenario "${config.name}"`, problems);
    // Against real providers, the load as the caps allow it (the whole run's: a worker's part is already capped).
    const safe = attachment === undefined ? applySafety(config, options.safety) : { config, notes: [] };
    config = safe.config;
    this.#safety = safe.safety;
    this.#safetyNotes = safe.notes;
    if (safe.safety !== undefined && typeof options.workers === 'number' && options.workers > 1) {
      throw new InvalidArgumentError(`--workers ${options.workers}: a run against real providers sends from one thread (it is capped at ${safe.safety.maxRate}/s); leave --workers out`);
    }
    const { shard, startAt } = options;
    if (shard !== undefined) {
      const shardProblems = validateShardLoad(config.load, shard);
      if (shardProblems.length > 0) throw new InvalidArgumentError(`shard ${shard.index}/${shard.count} of scenario "${config.name}": ${shardProblems.join('; ')}`);
    }
    const startProblem = startAt === undefined ? undefined : startAtProblem(startAt);
    if (startProblem !== undefined) throw new InvalidArgumentError(`the scheduled start ${new Date(startAt as number).toISOString()}: ${startProblem}`);
    this.#workers = options.workers === undefined || safe.safety !== undefined ? undefined : validateWorkers(config, options.workers, shard);
    if (options.scheduler?.virtual === true) {
      // One thread, one clock: the simulation is a single deterministic sequence of events.
      if (typeof options.workers === 'number' && options.workers > 1) throw new InvalidArgumentError(`--workers ${options.workers}: a simulation runs in one thread on virtual time; leave --workers out`);
      if (shard !== undefined || startAt !== undefined) throw new InvalidArgumentError('a simulation is not split into shards or started at an agreed time: one simulation covers the whole scenario in seconds');
      this.#workers = undefined;
    }
    if (options.onAnswer !== undefined && this.#workers !== undefined && this.#workers.count > 1) {
      throw new InvalidArgumentError(`recording every answer (--record-profile) needs the run in one sender thread, not ${this.#workers.count} workers: use --workers 1`);
    }
    this.config = config;
    this.#options = options;
    this.#attachment = attachment;
  }

  async execute(): Promise<Result> {
    const workers = this.#workers;
    // Recipients from a file: every row checked before anything is sent (a worker thread's part was checked by the main thread).
    const recipients = this.#attachment === undefined ? await checkRecipients(this.config) : undefined;
    // Its rows and content digest go on to result.json's config and the shard digest (worker threads get them too).
    const config = withChecked(this.config, recipients);
    if (workers !== undefined && workers.count > 1) {
      const emit = this.emit.bind(this) as (event: keyof RunEvents, ...args: unknown[]) => boolean;
      const result = await runInWorkers(config, this.#options, workers, (event, ...args) => void emit(event, ...args));
      this.emit('done', result);
      return result;
    }
    await initHistograms();
    const scheduler = this.#options.scheduler ?? systemScheduler;
    const virtual = scheduler.virtual;
    const opener = this.#options.openTarget;
    const target = this.#attachment?.target ?? (opener !== undefined ? await opener(config) : await openTarget(config, this.#options.env, { allowProduction: this.#options.safety?.allowProduction === true }));
    // Requests that reached a real provider, warm-up and retries included: what the summary states.
    const realRequests = new Map<Provider, number>();
    const safety = this.#safety;
    // A shard (or a worker thread's part) keeps each second's histogram: the merge's percentiles per second are then exact.
    const collector = new ResultCollector({ timeline: { histograms: this.#options.shard !== undefined } });
    // Set against the mocks' ledgers: delivered but not acknowledged (reports/delivery.ts).
    const acknowledged = (this.#acknowledged = new AcknowledgementCounter());
    // The run's own two subscribers to every outcome, called directly: an 'outcome' event is emitted
    // per notification only when someone else listens (#drive).
    const record: RecordOutcome = (outcome, latencyMs, atMs, sent) => {
      collector.onOutcome(outcome, latencyMs, atMs, sent);
      acknowledged.onOutcome(outcome);
    };
    // The run's own stop (an unreachable target), and the caller's (a signal).
    const stop = new AbortController();
    const signal = this.#options.signal === undefined ? stop.signal : AbortSignal.any([this.#options.signal, stop.signal]);
    /** The scheduler's monotonic ms of the measured run's clock zero; undefined through the warm-up. */
    let origin: number | undefined;
    const onRunClock = (at: number): { atMs: number; duringWarmup?: true } => (origin === undefined ? { atMs: 0, duringWarmup: true } : { atMs: Math.max(0, Math.round(at - origin)) });
    let interrupted: Interruption | undefined;
    const onInterrupt = (): void => {
      const reason: unknown = this.#options.signal?.reason;
      interrupted = { signal: typeof reason === 'string' ? reason : 'abort', ...onRunClock(scheduler.monotonic()) };
    };
    this.#options.signal?.addEventListener('abort', onInterrupt, { once: true });
    if (this.#options.signal?.aborted === true) onInterrupt();
    let unreachable: Unreachable | undefined;
    const watch = new ReachabilityWatch(
      (provider) => target[provider]?.url ?? target.description,
      (cause) => {
        unreachable = { ...cause, ...onRunClock(scheduler.monotonic()) };
        this.emit("warning", `target unreachable: ${cause.origin}: ${cause.cause} — ${cause.message}; stopping the run`);
        stop.abort('unreachable');
      },
    );
    // The recipients file, deleted or rewritten under the run: stop as for an unusable input (exit 104).
    let recipientsLost: RecipientsLost | undefined;
    const onRecipientsLost = (problem: string): void => {
      const recipientsConfig = config.recipients as RecipientsConfig;
      recipientsLost = { file: recipientsIdentity(recipientsConfig).file, problem, atMs: onRunClock(scheduler.monotonic()).atMs };
      this.emit('warning', `the recipients file ${recipientsConfig.file} ${problem}: stopping the run; the result is partial (exit 104)`);
      stop.abort('recipients');
    };
    let lanes: Lanes | undefined;
    let fromFile: RecipientDispatch | undefined;
    const tick = new TickStats(config.faults?.phases);
    try {
      // The warm-up's attempts, retries and breaker transitions are not part of the result either.
      const { onAnswer } = this.#options;
      let measuring = false;
      lanes = await Lanes.open(config, target, {
        // The sender's own events are re-emitted for exporters (the Prometheus endpoint); no listener, no cost beyond the call.
        onAttempt: (ms, timing) => measuring && (collector.onAttempt(ms, timing), this.emit('attempt', ms)),
        onRetry: () => measuring && (collector.onRetry(origin === undefined ? undefined : scheduler.monotonic() - origin), this.emit('retry')),
        ...(onAnswer !== undefined && { onAnswer: (provider: Provider, result: TransportResult, wireMs: number) => measuring && onAnswer(provider, result, wireMs) }),
        onFallback: () => measuring && (collector.onFallback(), this.emit('fallback')),
        onBreakerStateChange: (at, from, to) => {
          tick.onBreakerStateChange(at, to);
          this.emit('breaker', at, to);
          if (origin !== undefined) collector.onBreakerStateChange({ atMs: onRunClock(scheduler.monotonic()).atMs, origin: at, from, to });
        },
        onConnectionAdded: (at) => watch.onConnectionAdded(at),
        onConnectionFailed: (at, error) => watch.onConnectionFailed(at, error),
        onOutcome: (outcome) => watch.onOutcome(outcome),
      }, safety === undefined ? undefined : { maxRate: safety.maxRate, onRequest: (provider) => realRequests.set(provider, (realRequests.get(provider) ?? 0) + 1) }, { scheduler, ...(this.#options.random !== undefined && { random: this.#options.random }) });
      const shares = mixShares(config.mix, targetProviders(config.target));
      if (shares.size > 1) collector.trackProviders();
      if (config.recipients !== undefined) {
        fromFile = new RecipientDispatch(config, lanes, target, { onFallback: () => measuring && collector.onFallback(), onLost: onRecipientsLost, hold: (work) => scheduler.hold(work) });
        await fromFile.prefetch();
      }
      const { shard: part, startAt } = this.#options;
      this.emit('start', {
        scenario: config.name,
        description: config.description,
        plan: describeLoad(config.load) + (recipients !== undefined ? `, ${describeRecipients(recipients)}` : shares.size > 1 ? `, ${describeMix(shares)}` : ''),
        target: target.description,
        placement: target.placement,
        ...(part !== undefined && { shard: describeShard(config.load, part) }),
        ...(workers !== undefined && { workers: describeWorkers(workers) }),
      });
      const warnings = [...this.#safetyNotes, ...dormantFaults(config, target)];
      // A shard's counts and throughput are a part of the whole's, so its thresholds would judge the wrong numbers.
      // A worker's part is judged by the main thread on the merged result.
      if (part !== undefined && this.#attachment === undefined && config.thresholds !== undefined && config.thresholds.length > 0) warnings.push(`the scenario's thresholds are not judged on a shard (its counts and throughput are 1/${part.count} of the run's): judge the merged result`);
      for (const warning of warnings) this.emit('warning', warning);
      // On virtual time nothing is compiled or connected against the clock: no warm-up.
      if (!virtual) await warmUp(lanes, config.warmup ?? 0, signal, (warm) => this.emit('warmup', warm), this.#options.progressIntervalMs ?? 1000);
      const lateMs = startAt === undefined || signal.aborted ? undefined : await this.#waitForStart(startAt, signal, warnings);
      const shard = part === undefined ? undefined : shardInfo(config, part, startAt, lateMs);
      const common = {
        targetRate: part === undefined ? plannedRate(config.load) : shardPlannedRate(config.load, part),
        scenario: config.name,
        ...(shard !== undefined && { shard }),
        // `target` is one provider origin; a mixed run names each provider's in `targets`.
        ...(shares.size === 1 ? { target: target.description } : { targets: originsOf(target) }),
        ...(warnings.length > 0 && { warnings }),
        loadModel: resultLoadModel(config.load),
        config: runConfigOf(config),
      };
      let result: Result;
      if (signal.aborted) {
        // Stopped before anything was measured: an empty result that says why.
        result = collector.finish({ ...common, startedAt: new Date(), durationMs: 0, ...(interrupted !== undefined && { interrupted }), ...(unreachable !== undefined && { unreachable }) });
      } else {
        // Faults and their timeline start now, and the ledgers forget the warm-up's deliveries.
        const faultsAt = scheduler.monotonic();
        await target.startMeasuring();
        measuring = true;
        const startedAt = new Date();
        // pushsim's own pauses, on this thread and on the mock's worker thread, second 0 at the run's
        // clock zero. None on virtual time: a pause of the real thread takes no virtual time.
        const senderPauses = virtual ? undefined : new PauseMonitor();
        const startPauses = (at: number): void => {
          origin = at;
          if (senderPauses === undefined) return;
          senderPauses.start(performance.timeOrigin + at);
          target.measurePauses(performance.timeOrigin + at).catch(() => {});
        };
        let driven: Driven;
        try {
          const send = fromFile === undefined ? laneSend(lanes, createRecipientSequence(shares, config.tokens.seed)) : fromFile.send.bind(fromFile);
          const driving = this.#drive(lanes, send, collector, record, signal, stop.signal, startPauses, tick, scheduler);
          driven = scheduler instanceof VirtualScheduler ? await driveVirtual(scheduler, driving) : await driving;
        } finally {
          senderPauses?.stop();
        }
        const mockPauses = virtual ? undefined : await target.mockPauses().catch(() => undefined);
        const delivery = unreachable === undefined ? await target.delivery() : undefined;
        const lag = collector.lagP99();
        const senderPauseReport = senderPauses?.report();
        const pauses = senderPauseReport === undefined ? undefined : { sender: senderPauseReport, ...(mockPauses !== undefined && { mock: mockPauses }) };
        const tail = pauses === undefined ? undefined : pauseTail(pauses.sender.summary, mockPauses?.summary, collector.acceptedP99());
        const maxPauseSharePercent = config.validity?.maxPauseSharePercent ?? defaultMaxPauseSharePercent;
        const pauseVerdict: PauseVerdict = pauses === undefined ? {} : judgePauses(tail, maxPauseSharePercent);
        if (pauseVerdict.warning !== undefined) this.emit('warning', pauseVerdict.warning);
        // Whether pushsim's own CPU kept up is not a question on virtual time: no verdict rather than a made-up one.
        const judged =
          unreachable === undefined && driven.overload !== undefined
            ? judgeValidity({ ...driven.overload, scheduled: collector.scheduled(), shed: collector.shed(), sendLagP99Ms: lag.sendLagMs, fireLagP99Ms: lag.fireLagMs }, config.validity)
            : undefined;
        // pushsim's own pauses, when they make up most of the tail, are a reason of their own (scenarios/pauses.ts).
        const validity =
          judged === undefined
            ? undefined
            : {
                ...judged,
                bounds: { ...judged.bounds, maxPauseSharePercent },
                ...(pauseVerdict.reason !== undefined && { valid: false, reasons: [...judged.reasons, pauseVerdict.reason] }),
              };
        const runWarnings = [...warnings, ...(pauseVerdict.warning === undefined ? [] : [pauseVerdict.warning])];
        const phases = config.faults?.phases === undefined ? undefined : phasesOnRunClock(config.faults.phases, driven.origin - faultsAt, driven.durationMs);
        result = collector.finish({
          ...common,
          startedAt,
          durationMs: driven.durationMs,
          ...(delivery !== undefined && { delivery: withAcknowledgements(publicDelivery(delivery.ledger), acknowledged.snapshot()) }),
          ...((hasFaults(config) || proxyFaults(config)) && delivery !== undefined && { faults: delivery.faults, injections: { counts: delivery.injections, offsetMs: driven.origin - faultsAt } }),
          ...(validity !== undefined && { validity }),
          ...(pauses !== undefined && { pauses: { ...pauses, ...(tail !== undefined && { tail }) } }),
          ...(runWarnings.length > 0 && { warnings: runWarnings }),
          ...(interrupted !== undefined && { interrupted }),
          ...(unreachable !== undefined && { unreachable }),
          ...(recipientsLost !== undefined && { recipientsLost }),
          ...(phases !== undefined && { phases }),
        });
        if (fromFile !== undefined) result = { ...result, ...fromFile.counts() };
      }
      if (config.thresholds !== undefined && part === undefined) result = { ...result, thresholds: evaluateThresholds(config.thresholds, result) };
      if (workers !== undefined) result = { ...result, workers: 1, ...(workers.rule !== undefined && { workersRule: workers.rule }) };
      if (safety !== undefined) result = { ...result, realPushes: realPushesOf(realRequests, safety, target) };
      if (virtual) result = { ...result, virtual: { durationMs: result.durationMs, seed: config.tokens.seed } };
      this.emit('done', result);
      return result;
    } finally {
      this.#options.signal?.removeEventListener('abort', onInterrupt);
      collector.destroy();
      try {
        await fromFile?.close();
        // Already closed by #drive when the run got that far; this covers a failure before or during it.
        await lanes?.destroy();
      } finally {
        await target.close();
      }
    }
  }

  /**
   * The accepted outcomes per provider (primary route) of the latest execute() so far: what a sender worker reports for the
   * main thread's ledgers, read here rather than by listening to every 'outcome' (an event per
   * notification that the run otherwise does not emit).
   */
  acknowledged(): Record<string, number> {
    return this.#acknowledged.snapshot();
  }

  /** Waits for the agreed start (epoch ms); returns how late the run starts, and says so when it is more than timer jitter. */
  async #waitForStart(startAt: number, signal: AbortSignal, warnings: string[]): Promise<number> {
    this.emit('waiting', { startAt, waitMs: Math.max(0, startAt - Date.now()) });
    const lateMs = await waitUntil(startAt, signal);
    if (lateMs > lateStartWarningMs) {
      const message = `the run started ${lateMs} ms after the agreed start ${new Date(startAt).toISOString()}: getting ready (mocks, connections, warm-up) took longer; schedule the start later so every shard is ready in time`;
      warnings.push(message);
      this.emit('warning', message);
    }
    return lateMs;
  }

  /**
   * Fires the load and waits for every outcome. Returns the time from the first planned send (the
   * measured run's clock zero, also given to `onOrigin`) to the last outcome, and what the overload
   * monitor saw. `stop` is the run's own stop (reason 'unreachable', or the recipients file lost).
   */
  async #drive(lanes: Lanes, send: (index: number, context: DispatchContext) => Promise<Outcome>, collector: ResultCollector, record: RecordOutcome, signal: AbortSignal, stop: AbortSignal, onOrigin: (at: number) => void, tick: TickStats, scheduler: Scheduler): Promise<Driven> {
    const { config } = this;
    const part = this.#options.shard;
    const lastPlanned = lastPlannedMs(config.load);
    const glance = {
      plannedMs: Number.isFinite(lastPlanned) ? lastPlanned : null,
      targetRate: part === undefined ? plannedRate(config.load) : shardPlannedRate(config.load, part),
    };
    const virtual = scheduler.virtual;
    const start = scheduler.monotonic();
    onOrigin(start);
    // pushsim's own CPU, event loop and pools against the wall clock: not part of a simulation.
    const monitor = virtual ? undefined : new OverloadMonitor(lanes.all());
    monitor?.start();
    const bounds = { ...validityDefaults, ...config.validity };
    let scheduled = 0;
    let completed = 0;
    let lastCompletion = start;
    let tickLag: number | null = null;
    const behind = new ScheduleLag();
    const counts = { accepted: 0, rejected: 0, failed: 0, dropped: 0 };
    const inFlight = new InFlight();
    const said = new Set<string>();
    const sayOnce = (key: string, message: string): void => {
      if (said.has(key)) return;
      said.add(key);
      this.emit('warning', message);
    };

    /** Says (once each) that pushsim shed load or fell behind since the last look: on every tick, and once at the end. */
    const warnIfBehind = (): void => {
      const shed = collector.shed();
      if (shed > 0 && (100 * shed) / scheduled > bounds.maxShedPercent) sayOnce('shed', `pushsim is shedding load itself: ${shed} notification(s) dropped so far, its queue is full (sender.maxQueue ${config.sender.maxQueue})`);
      if (tickLag !== null && tickLag > bounds.maxSendLagMs && monitor !== undefined) {
        const lag = collector.lagP99();
        const kind = bottleneckOf({ ...monitor.snapshot(), scheduled, shed, sendLagP99Ms: lag.sendLagMs, fireLagP99Ms: lag.fireLagMs }, bounds.maxSendLagMs, true);
        const late = `notifications leave up to ${Math.round(tickLag)} ms late (bound ${bounds.maxSendLagMs} ms)`;
        if (kind === 'target-in-flight-limit' || kind === 'connecting') sayOnce('target', `the target is at its limit: ${late}, waiting inside pushsim for a free stream; latency includes that wait`);
        else sayOnce('behind', `pushsim is falling behind its schedule: ${late}; ${kind === 'sender-cpu' ? "its own thread is saturated" : 'its own in-flight limit (sender.maxInFlight) is full'}: this run measures pushsim, not the target`);
      }
      tickLag = null;
    };

    const progress = every(scheduler, this.#options.progressIntervalMs ?? 1000, () => {
      const queued = lanes.all().reduce((sum, lane) => sum + lane.stats().queued, 0);
      // The later of: what completed notifications said, and the oldest one still waiting to leave.
      const waiting = behind.lateBy(scheduler.monotonic());
      if (waiting > 0) tickLag = Math.max(tickLag ?? 0, waiting);
      const elapsedMs = scheduler.monotonic() - start;
      const phase = tick.phaseAt(elapsedMs);
      const breaker = tick.breaker();
      this.emit('progress', { elapsedMs, scheduled, completed, inFlight: scheduled - completed, ...counts, queued, sendLagMs: tickLag, ...glance, p99Ms: tick.takeP99(), ...(phase !== undefined && { phase }), ...(breaker !== undefined && { breaker }) });
      warnIfBehind();
    });

    // Returns the notification's completion: the closed model sends the next one when it settles.
    const fire = (index: number, plannedAt: number): Promise<void> | undefined => {
      // The executor fires what is due in one batch and looks at the signal between batches: a
      // run that stopped (an unreachable target, a signal) schedules nothing more, not even the rest of a batch.
      if (signal.aborted) return undefined;
      scheduled++;
      collector.onScheduled(plannedAt - start);
      // How late the executor fired against the wall clock: nothing to say on virtual time, where it fires on time by construction.
      if (!virtual) collector.onFired(performance.now() - plannedAt);
      // Every field from the start: one object shape all the way down the sender's layers.
      const context: DispatchContext = { attempts: 0, route: undefined, sentAt: undefined, streamAt: undefined };
      const unsent = behind.track(plannedAt, context);
      inFlight.add();
      return send(index, context).then((outcome) => {
        try {
          behind.end(unsent);
          const now = scheduler.monotonic();
          lastCompletion = now;
          completed++;
          if (outcome.status !== 'expired') counts[outcome.status]++;
          if (outcome.status === 'accepted') tick.onAccepted(now - plannedAt);
          const sentAt = context.sentAt;
          const sent = sentAt === undefined ? undefined : { atMs: sentAt - start, lagMs: sentAt - plannedAt };
          if (sent !== undefined) tickLag = Math.max(tickLag ?? 0, sent.lagMs);
          // Open model: latency runs from the planned send time, so queueing behind a slow provider shows.
          const latencyMs = now - plannedAt;
          record(outcome, latencyMs, now - start, sent);
          if (this.listenerCount('outcome') > 0) this.emit('outcome', outcome, latencyMs, now - start, sent);
        } catch (error) {
          inFlight.fail(error);
          throw error;
        }
        inFlight.delete();
      });
    };

    try {
      const time = virtual ? onVirtualTime(scheduler) : undefined;
      await (part === undefined ? createExecutor(config.load, time) : createShardExecutor(config.load, part)).run(fire, signal);
      const settled = inFlight.settled();
      // Unreachable: nothing to wait for. Interrupted (or the recipients file lost): a short grace. Otherwise the scenario's.
      const graceMs = stop.reason === 'unreachable' ? 0 : signal.aborted ? Math.min(config.gracefulStopMs, interruptedStopMs) : config.gracefulStopMs;
      const graceful = graceMs > 0 && (await Promise.race([settled.then(() => true), sleep(scheduler, graceMs).then(() => false)]));
      if (graceful) {
        await lanes.close();
      } else {
        // What is still open is cut as pushsim's `shutdown` and counted apart; nothing is left unaccounted for.
        await lanes.destroy();
        await settled;
      }
      // A run shorter than a tick (a flood that ends within the first second) is told too, before its result.
      warnIfBehind();
    } finally {
      progress();
    }
    return { durationMs: lastCompletion - start, origin: start, overload: monitor?.stop() };
  }
}

/** What the run does with each outcome besides emitting it: its result collector and acknowledgement count. */
type RecordOutcome = (outcome: Outcome, latencyMs: number, atMs: number, sent: SentAt | undefined) => void;

/**
 * Notifications handed to the sender and not yet recorded: a count, not a set of their promises
 * (two hash operations per notification), settling when it reaches 0 — or rejecting with the first
 * error recording an outcome threw, as `Promise.all` over those promises would.
 */
class InFlight {
  #count = 0;
  #failure: { readonly error: unknown } | undefined;
  #waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  add(): void {
    this.#count++;
  }

  delete(): void {
    if (--this.#count > 0 || this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  /** One notification's outcome could not be recorded (a bug): what waits sees the error. */
  fail(error: unknown): void {
    this.#count--;
    this.#failure ??= { error };
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /** Settles once every notification handed over so far has been recorded. */
  settled(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }
}

/** A wait that does not keep the process alive on real time. */
function sleep(scheduler: Scheduler, ms: number): Promise<void> {
  return new Promise((resolve) => scheduler.after(ms, resolve, true));
}

/**
 * Sends `count` notifications before the measured run, round robin over the lanes, 50 at a time,
 * and forgets their outcomes. Without it the first second measures V8 compiling the sender and the
 * mock (and the first TLS/JWT setup), not the provider: an open-model run then starts with a
 * backlog of thousands. wrk2 and h2load warm up for the same reason. Stops early on `signal`.
 */
/** A real-provider target with a fault proxy that injects faults (scenarios/target-providers.ts). */
function proxyFaults(config: ScenarioConfig): boolean {
  const { target } = config;
  return target.kind === 'providers' && (target.apns?.proxy?.faults !== undefined || target.fcm?.proxy?.faults !== undefined);
}

/** result.json's `realPushes`: requests that reached each real provider, the dry-run ones apart, and the caps. */
function realPushesOf(requests: ReadonlyMap<Provider, number>, safety: AppliedSafety, target: OpenTarget): RealPushes {
  let sent = 0;
  let dryRun = 0;
  const byProvider: Partial<Record<Provider, number>> = {};
  for (const [provider, n] of requests) {
    byProvider[provider] = n;
    if (provider === 'fcm' && target.fcm?.validateOnly === true) dryRun += n;
    else sent += n;
  }
  return { sent, dryRun, byProvider, maxNotifications: safety.maxNotifications, maxRate: safety.maxRate };
}

async function warmUp(lanes: Lanes, count: number, signal: AbortSignal, onTick: (warm: RunWarmup) => void, tickMs: number): Promise<void> {
  const all = lanes.all();
  if (count === 0 || all.length === 0) return;
  let sent = 0;
  let done = 0;
  // A live display shows the warm-up as such, not as a stalled run.
  onTick({ done, total: count });
  const ticking = setInterval(() => onTick({ done, total: count }), tickMs);
  try {
    await Promise.all(
      Array.from({ length: Math.min(50, count) }, async () => {
        while (sent < count && !signal.aborted) {
          const lane = all[sent++ % all.length] as Lane;
          await lane.warm();
          done++;
        }
      }),
    );
  } finally {
    clearInterval(ticking);
  }
}

/** Notification i to the recipient the mix gives it: its provider's lane, at its position among that provider's. */
function laneSend(lanes: Lanes, recipientOf: (index: number) => Recipient): (index: number, context: DispatchContext) => Promise<Outcome> {
  // Every provider the assignment can pick has a lane (both come from the target's providers).
  return (index, context) => {
    const { provider, position } = recipientOf(index);
    return (lanes.get(provider) as Lane).send(position, context);
  };
}

/** The recipients file's summary after its validation pass; undefined without one. */
async function checkRecipients(config: ScenarioConfig): Promise<RecipientsSummary | undefined> {
  if (config.recipients === undefined) return undefined;
  return checkRecipientsFile(config.recipients, config.notification, targetProviders(config.target));
}

/** Each provider's URL in a run to several. */
function originsOf(target: OpenTarget): Record<string, string> {
  const origins: Record<string, string> = {};
  for (const provider of ['apns', 'fcm', 'webpush'] as const) {
    const endpoint = target[provider];
    if (endpoint !== undefined) origins[provider] = endpoint.url;
  }
  return origins;
}

/** The ledger summary as result.json carries it: without the mock-side bookkeeping (records kept). */
function publicDelivery({ recordsKept: _recordsKept, ...summary }: LedgerSummary): DeliverySummary {
  return summary;
}
