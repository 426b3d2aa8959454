/**
 * One run split over worker threads (`pushsim run --workers N`, RunOptions.workers): the main
 * thread opens the target (the embedded mocks: APNs in its own worker, FCM and Web Push here) once,
 * and N sender workers (workers-thread.ts) each run one shard of the scenario (scenarios/shard.ts)
 * against it, with their own pools and policies.
 *
 *   main ── openTarget ──► mock APNs worker (one port)
 *     ├─► sender worker 1/N  shard 0/N ─┐  warm up, then 'ready'
 *     ├─► sender worker 2/N  shard 1/N ─┤  (barrier: every worker ready → faults start, ledger cleared)
 *     └─► …                             ┘  'go' at one instant: each starts its clock there
 *   results ── mergeResults (reports/merge.ts: counts summed, HDR histograms added, seconds summed)
 *           ── + the mock's delivery ledger, fault counts and phases, thresholds ──► one Result
 *
 * Because every worker runs the whole run's schedule restricted to its shard from the same instant,
 * notification i is planned at the time it has in a single run, and the merged result equals what
 * `pushsim merge` of N shard runs gives. A run that is itself shard I of M splits it further: worker
 * j runs shard I + M·j of M·N, the notifications of shard I/M that are ≡ j in its own numbering.
 */
import { assertCompiledScript } from '../core/compiled-script.js';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError, InvalidConfigError, PushSimError, CredentialError } from '../core/errors.js';
import type { ErrorCode } from '../core/errors.js';
import { initHistograms } from '../reports/histogram.js';
import { withAcknowledgements } from '../reports/delivery.js';
import { mergeResults } from '../reports/merge.js';
import type { Result } from '../reports/result.js';
import type { ScenarioConfig } from './config.js';
import type { MetricsDelta } from './metrics.js';
import { plannedCount, plannedRate } from './executors/index.js';
import { phasesOnRunClock } from './phases.js';
import { runConfigOf } from './run-config.js';
import { injectedPerSecond, withInjected } from '../reports/timeline.js';
import type { RunEvents, RunProgress, RunStart, RunWarmup } from './run-events.js';
import { worseBreaker, type BreakerState } from './tick-stats.js';
import { describeShard, shardInfo, validateShardLoad, waitUntil } from './shard.js';
import type { Shard } from './shard.js';
import { hasFaults } from './profile-target.js';
import { openTarget } from './target.js';
import type { OpenTarget } from './target.js';
import { evaluateThresholds } from './thresholds.js';

/** How many workers a run uses, and, when pushsim chose the number, why (for the summary). */
export interface WorkersChoice {
  readonly count: number;
  readonly rule?: string;
}

/**
 * What one sender thread keeps up with while leaving room for its timers (notifications/s): the
 * single-thread sender saturates near 6,000/s against the embedded mock on a 2-core machine
 * (issue 14); at 4,000/s it stays below ~70 % of a core, so its send lag stays small.
 */
export const notificationsPerWorker = 4000;

/** The most workers a run may ask for: 4 per core (more only adds threads fighting for the same cores). */
export function maxWorkers(cores = availableParallelism()): number {
  return Math.min(256, cores * 4);
}

/** The shard of the scenario worker `j` of `count` runs: the run's own shard, split further. */
export function workerShard(j: number, count: number, shard?: Shard): Shard {
  if (shard === undefined) return { index: j, count };
  return { index: shard.index + shard.count * j, count: shard.count * count };
}

/**
 * Checks a RunOptions.workers value (throws InvalidArgumentError: exit 2 from the CLI) and resolves
 * 'auto' with `defaultWorkers`. N workers need at least N notifications (and, closed model, N in flight).
 */
export function validateWorkers(config: ScenarioConfig, workers: number | 'auto', shard?: Shard, cores = availableParallelism()): WorkersChoice {
  if (workers === 'auto') return defaultWorkers(config, shard, cores);
  const max = maxWorkers(cores);
  if (!Number.isInteger(workers) || workers < 1 || workers > max) {
    throw new InvalidArgumentError(`--workers ${String(workers)}: expected a whole number from 1 to ${max} (4 per core; this machine has ${cores}), or leave it out for the default`);
  }
  if (workers > 1) {
    const problems = validateShardLoad(config.load, workerShard(workers - 1, workers, shard)).map((p) => p.replaceAll('shards', 'workers').replaceAll('shard', 'worker'));
    if (problems.length > 0) throw new InvalidArgumentError(`--workers ${workers} for scenario "${config.name}": ${problems.join('; ')}`);
  }
  return { count: workers };
}

/**
 * The default: one sender worker per core left over by the embedded mock (which keeps its own
 * thread), but no more than the planned rate needs (one per `notificationsPerWorker`/s: each worker
 * costs a thread start, its own connections and warm-up) nor than there are notifications. One
 * worker means the calling thread sends, as without workers.
 */
export function defaultWorkers(config: ScenarioConfig, shard?: Shard, cores = availableParallelism()): WorkersChoice {
  const reasons = [`${cores} core${cores === 1 ? '' : 's'}`];
  const mockThreads = config.target.kind === 'mock' ? 1 : 0;
  if (mockThreads > 0) reasons.push('1 for the embedded mock');
  let count = Math.max(1, cores - mockThreads);
  const rate = plannedRate(config.load);
  const parts = shard?.count ?? 1;
  if (rate !== null) {
    const byRate = Math.max(1, Math.ceil(rate / parts / notificationsPerWorker));
    if (byRate < count) {
      count = byRate;
      reasons.push(`${formatRate(rate / parts)}/s needs ${byRate} (one per ${notificationsPerWorker}/s)`);
    }
  }
  const total = plannedCount(config.load);
  const limit = Math.min(total === undefined ? Infinity : Math.floor(total / parts), config.load.executor === 'closed' ? Math.floor(config.load.inFlight / parts) : Infinity);
  if (limit < count) {
    count = Math.max(1, limit);
    reasons.push(`${count} for the notifications planned`);
  }
  return { count, rule: `default: ${reasons.join(', ')}` };
}

function formatRate(rate: number): string {
  return Number.isInteger(rate) ? String(rate) : rate.toFixed(1);
}

/** For the banner and the summary. */
export function describeWorkers(choice: WorkersChoice): string {
  const threads = choice.count === 1 ? '1 sender thread (this one)' : `${choice.count} sender worker threads`;
  return choice.rule === undefined ? threads : `${threads} (${choice.rule})`;
}

/**
 * The whole run's progress from each worker's latest tick: counts summed, the clock and the send
 * lag the furthest worker's.
 */
export function combineProgress(ticks: readonly RunProgress[]): RunProgress {
  const sum = (pick: (p: RunProgress) => number): number => ticks.reduce((total, p) => total + pick(p), 0);
  const lags = ticks.flatMap((p) => (p.sendLagMs === null ? [] : [p.sendLagMs]));
  const phase = ticks.find((p) => p.phase !== undefined)?.phase;
  const breaker = ticks.reduce<BreakerState | undefined>((worst, p) => worseBreaker(worst, p.breaker), undefined);
  return {
    elapsedMs: Math.max(0, ...ticks.map((p) => p.elapsedMs)),
    scheduled: sum((p) => p.scheduled),
    completed: sum((p) => p.completed),
    inFlight: sum((p) => p.inFlight),
    accepted: sum((p) => p.accepted),
    rejected: sum((p) => p.rejected),
    failed: sum((p) => p.failed),
    dropped: sum((p) => p.dropped),
    queued: sum((p) => p.queued),
    sendLagMs: lags.length === 0 ? null : Math.max(...lags),
    plannedMs: ticks.some((p) => p.plannedMs === null) ? null : Math.max(0, ...ticks.map((p) => p.plannedMs ?? 0)),
    // Each worker sends a shard: the shards' rates add up to the run's.
    targetRate: ticks.some((p) => p.targetRate === null) ? null : sum((p) => p.targetRate ?? 0),
    // The worst thread's p99: a bound on the whole run's, for a glance (the result's percentiles are exact).
    p99Ms: ticks.reduce<number | null>((worst, p) => (p.p99Ms === null ? worst : Math.max(worst ?? 0, p.p99Ms)), null),
    ...(phase !== undefined && { phase }),
    ...(breaker !== undefined && { breaker }),
  };
}

/** A progress line for the whole run once every worker still running has sent its tick `tick`. */
export class ProgressCombiner {
  readonly #latest: (RunProgress & { readonly tick: number })[] = [];
  readonly #finished = new Set<number>();
  #emitted = 0;

  constructor(readonly count: number) {}

  /** Worker `j`'s tick; returns the combined progress when this tick completes a round. */
  onTick(j: number, progress: RunProgress & { readonly tick: number }): RunProgress | undefined {
    this.#latest[j] = progress;
    return this.#round();
  }

  /** Worker `j` sends no more ticks; its last one keeps counting. */
  onFinished(j: number): RunProgress | undefined {
    this.#finished.add(j);
    return this.#round();
  }

  #round(): RunProgress | undefined {
    const running = Array.from({ length: this.count }, (_, j) => j).filter((j) => !this.#finished.has(j));
    if (running.length === 0) return undefined;
    const lowest = Math.min(...running.map((j) => this.#latest[j]?.tick ?? 0));
    if (lowest <= this.#emitted) return undefined;
    this.#emitted = lowest;
    return combineProgress(this.#latest.filter((p) => p !== undefined));
  }
}

/** What the main thread gives a sender worker (workerData). */
export interface SenderWorkerData {
  readonly config: ScenarioConfig;
  readonly shard: Shard;
  readonly target: Pick<OpenTarget, 'apns' | 'fcm' | 'webpush' | 'description' | 'placement'>;
  readonly progressIntervalMs?: number;
  /** Tally metrics and send them each tick (RunOptions.metrics). */
  readonly metrics?: boolean;
  /** Send each tick's accepted latencies (RunOptions.acceptedLatency). */
  readonly acceptedLatency?: boolean;
}

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly problems?: readonly string[];
}

export type FromSenderWorker =
  | { readonly type: 'start'; readonly info: RunStart }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly progress: RunProgress & { readonly tick: number } }
  | { readonly type: 'warmup'; readonly warmup: RunWarmup }
  | { readonly type: 'metrics'; readonly delta: MetricsDelta }
  | { readonly type: 'acceptedLatency'; readonly hdr: string }
  | { readonly type: 'result'; readonly result: Result; readonly acknowledged: Record<string, number> }
  | { readonly type: 'failed'; readonly error: SerializedError };

export type ToSenderWorker = { readonly type: 'go'; readonly startAt: number } | { readonly type: 'stop'; readonly reason: string };

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { code, problems } = error as { code?: unknown; problems?: unknown };
  return { name: error.name, message: error.message, ...(typeof code === 'string' && { code }), ...(Array.isArray(problems) && { problems: problems.map(String) }) };
}

/** A worker's error as the class the CLI maps to its exit code (invalid config 104, credentials 3, usage 2). */
export function deserializeError(error: SerializedError, worker: string): Error {
  if (error.code === 'PUSHSIM_ERR_INVALID_ARGUMENT') return new InvalidArgumentError(error.message);
  if (error.code === 'PUSHSIM_ERR_INVALID_CONFIG' && error.problems !== undefined) return new InvalidConfigError(error.message.split(' has ')[0] ?? 'the scenario', error.problems);
  if (error.code === 'PUSHSIM_ERR_CREDENTIAL') return new CredentialError(error.message);
  if (error.code?.startsWith('PUSHSIM_ERR_') === true) return new PushSimError(error.code as ErrorCode, error.message);
  return new Error(`${worker} failed: ${error.name}: ${error.message}`);
}

const workerScript = new URL('./workers-thread.js', import.meta.url);

/** Time between the barrier and the common start: the 'go' messages reach every (idle) worker well within it. */
const goMarginMs = 50;
/** A worker that does not end this long after being told to stop is terminated. */
const stopTimeoutMs = 10_000;

export type Emit = <K extends keyof RunEvents>(event: K, ...args: RunEvents[K]) => void;

export interface RunOptionsSubset {
  readonly signal?: AbortSignal;
  readonly progressIntervalMs?: number;
  readonly shard?: Shard;
  readonly startAt?: number;
  readonly metrics?: boolean;
  readonly acceptedLatency?: boolean;
}

/**
 * Runs `config` over `choice.count` sender workers and returns the merged result (see the file
 * comment). `script` is the worker's entry: the compiled workers-thread.js beside this module; tests
 * running from .ts sources give a shim that loads them.
 */
export async function runInWorkers(config: ScenarioConfig, options: RunOptionsSubset, choice: WorkersChoice, emit: Emit, script: URL = workerScript): Promise<Result> {
  assertCompiledScript(script, 'the sender worker script', 'run without workers');
  await initHistograms();
  const target = await openTarget(config);
  try {
    return await new WorkersRun(config, options, choice, emit, target, script).execute();
  } finally {
    await target.close();
  }
}

interface SenderWorker {
  readonly label: string;
  readonly thread: Worker;
  ready: boolean;
  ended: boolean;
  result?: { readonly result: Result; readonly acknowledged: Record<string, number> };
}

class WorkersRun {
  readonly #workers: SenderWorker[] = [];
  readonly #progress: ProgressCombiner;
  readonly #warmups: (RunWarmup | undefined)[] = [];
  readonly #warned = new Set<string>();
  #started = false;
  #failure: Error | undefined;
  #onChange: () => void = () => {};

  constructor(
    readonly config: ScenarioConfig,
    readonly options: RunOptionsSubset,
    readonly choice: WorkersChoice,
    readonly emit: Emit,
    readonly target: OpenTarget,
    readonly script: URL,
  ) {
    this.#progress = new ProgressCombiner(choice.count);
  }

  async execute(): Promise<Result> {
    const { options, choice, target } = this;
    const stop = (): void => this.#tellAll({ type: 'stop', reason: reasonOf(options.signal?.reason) });
    options.signal?.addEventListener('abort', stop, { once: true });
    try {
      for (let j = 0; j < choice.count; j++) this.#spawn(j);
      if (options.signal?.aborted === true) stop();
      // The barrier: every worker warmed up and waiting, or ended (stopped, failed).
      await this.#until(() => this.#workers.every((w) => w.ready || w.ended));
      let go: number | undefined;
      let faultsAt = 0;
      let lateMs: number | undefined;
      if (this.#failure === undefined && options.signal?.aborted !== true && this.#workers.every((w) => w.ready)) {
        if (options.startAt !== undefined) {
          this.emit('waiting', { startAt: options.startAt, waitMs: Math.max(0, options.startAt - Date.now()) });
          await waitUntil(options.startAt - goMarginMs, options.signal);
        }
      }
      // Stopped while waiting for the agreed start: the workers were told, and measure nothing.
      if (this.#failure === undefined && options.signal?.aborted !== true && this.#workers.every((w) => w.ready)) {
        // Faults and their timeline start now, and the ledgers forget the warm-up's deliveries.
        await target.startMeasuring();
        faultsAt = Date.now();
        go = Math.max(options.startAt ?? 0, faultsAt + goMarginMs);
        if (options.startAt !== undefined) lateMs = go - options.startAt;
        target.measurePauses(go).catch(() => {});
        this.#tellAll({ type: 'go', startAt: go });
      }
      await this.#until(() => this.#workers.every((w) => w.ended));
      if (this.#failure !== undefined) throw this.#failure;
      return await this.#merge(go, faultsAt, lateMs);
    } catch (error) {
      await this.#stopAll();
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', stop);
    }
  }

  #spawn(j: number): void {
    const { config, options, choice, target } = this;
    const label = `sender worker ${j + 1}/${choice.count}`;
    const data: SenderWorkerData = {
      config,
      shard: workerShard(j, choice.count, options.shard),
      target: { apns: target.apns, fcm: target.fcm, webpush: target.webpush, description: target.description, placement: target.placement },
      ...(options.progressIntervalMs !== undefined && { progressIntervalMs: options.progressIntervalMs }),
      ...(options.metrics === true && { metrics: true }),
      ...(options.acceptedLatency === true && { acceptedLatency: true }),
    };
    const thread = new Worker(this.script, { workerData: data });
    const worker: SenderWorker = { label, thread, ready: false, ended: false };
    this.#workers.push(worker);
    thread.on('message', (message: FromSenderWorker) => this.#onMessage(j, worker, message));
    thread.on('error', (error) => this.#fail(new Error(`${label} crashed: ${error.message}; the run was stopped and no result written`, { cause: error })));
    thread.on('exit', (code) => {
      if (worker.result === undefined && this.#failure === undefined) this.#fail(new Error(`${label} exited (code ${code}) before its result; the run was stopped and no result written`));
      worker.ended = true;
      const progress = this.#progress.onFinished(j);
      if (progress !== undefined) this.emit('progress', progress);
      this.#onChange();
    });
  }

  #onMessage(j: number, worker: SenderWorker, message: FromSenderWorker): void {
    switch (message.type) {
      case 'start':
        if (this.#started) return;
        this.#started = true;
        this.emit('start', {
          ...message.info,
          // The banner is the whole run's, not the worker's shard.
          shard: this.options.shard === undefined ? undefined : describeShard(this.config.load, this.options.shard),
          workers: describeWorkers(this.choice),
        } as RunStart);
        return;
      case 'warning':
        if (this.#warned.has(message.message)) return;
        this.#warned.add(message.message);
        this.emit('warning', message.message);
        return;
      case 'ready':
        worker.ready = true;
        this.#onChange();
        return;
      case 'warmup': {
        // Every worker warms up its own lanes: the whole warm-up is their sum.
        this.#warmups[j] = message.warmup;
        const all = this.#warmups.filter((w): w is RunWarmup => w !== undefined);
        this.emit('warmup', { done: all.reduce((n, w) => n + w.done, 0), total: all.reduce((n, w) => n + w.total, 0) });
        return;
      }
      case 'progress': {
        const progress = this.#progress.onTick(j, message.progress);
        if (progress !== undefined) this.emit('progress', progress);
        return;
      }
      case 'acceptedLatency':
        this.emit('acceptedLatency', message.hdr);
        break;
      case 'metrics':
        this.emit('metrics', message.delta, j);
        return;
      case 'result':
        worker.result = { result: message.result, acknowledged: message.acknowledged };
        return;
      case 'failed':
        this.#fail(deserializeError(message.error, worker.label));
        return;
    }
  }

  #fail(error: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#tellAll({ type: 'stop', reason: 'failure' });
    this.#onChange();
  }

  #tellAll(message: ToSenderWorker): void {
    for (const worker of this.#workers) if (!worker.ended) worker.thread.postMessage(message);
  }

  /** Resolves when `done()` holds, checked on every worker event; a failure ends the wait too. */
  #until(done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (done() || (this.#failure !== undefined && this.#workers.every((w) => w.ended || w.ready))) resolve();
      };
      this.#onChange = check;
      check();
    });
  }

  /** After a failure: every worker told to stop, then terminated if it does not end in time. */
  async #stopAll(): Promise<void> {
    this.#tellAll({ type: 'stop', reason: 'failure' });
    await Promise.all(
      this.#workers.map(async (worker) => {
        if (worker.ended) return;
        const timer = setTimeout(() => void worker.thread.terminate(), stopTimeoutMs);
        await new Promise<void>((resolve) => worker.thread.once('exit', () => resolve()));
        clearTimeout(timer);
      }),
    );
  }

  /** The workers' results as one, with what only the main thread knows: the mocks' ledgers and faults, the phases, the thresholds. */
  async #merge(go: number | undefined, faultsAt: number, lateMs: number | undefined): Promise<Result> {
    const { config, options, choice, target } = this;
    const parts = this.#workers.map((w) => w.result as NonNullable<SenderWorker['result']>);
    // Merged as hand-started runs (no shard fields), labelled `shard k` by position: relabelled below.
    // Each second's histogram stays only when this run is itself a shard, to be merged again.
    const merged = mergeResults(
      parts.map(({ result: { shard: _shard, warnings: _warnings, phases: _phases, ...rest } }) => rest),
      [],
      { keepSecondHistograms: options.shard !== undefined },
    );
    const acknowledged: Record<string, number> = {};
    for (const part of parts) for (const [provider, n] of Object.entries(part.acknowledged)) acknowledged[provider] = (acknowledged[provider] ?? 0) + n;
    const measured = go !== undefined && merged.unreachable === undefined;
    const delivery = measured ? await target.delivery() : undefined;
    const mockPauses = go === undefined ? undefined : await target.mockPauses().catch(() => undefined);
    const warnings = [...new Set(parts.flatMap((p) => p.result.warnings ?? []))];
    const phases = go !== undefined && config.faults?.phases !== undefined ? phasesOnRunClock(config.faults.phases, go - faultsAt, merged.durationMs) : undefined;
    const relabel = (text: string): string => text.replace(/\bshard (\d+)\b/g, (_all, k: string) => `worker ${k}/${choice.count}`);
    let result: Result = {
      ...merged,
      ...(options.shard !== undefined && { shard: shardInfo(config, options.shard, options.startAt, lateMs) }),
      workers: choice.count,
      ...(choice.rule !== undefined && { workersRule: choice.rule }),
      ...(delivery !== undefined && { counts: { ...merged.counts, duplicates: delivery.ledger.duplicates }, delivery: withAcknowledgements(withoutBookkeeping(delivery.ledger), acknowledged) }),
      ...(hasFaults(config) && delivery !== undefined && { faults: delivery.faults }),
      ...(hasFaults(config) && delivery !== undefined && go !== undefined && merged.timeline !== undefined && {
        timeline: withInjected(merged.timeline, injectedPerSecond(delivery.injections, go - faultsAt, merged.timeline.length)),
      }),
      ...(phases !== undefined && { phases }),
      config: runConfigOf(config),
      ...(merged.pauses !== undefined && mockPauses !== undefined && { pauses: { ...merged.pauses, mock: mockPauses.summary } }),
      ...(merged.validity !== undefined && {
        validity: {
          ...merged.validity,
          reasons: merged.validity.reasons.map(relabel),
          ...(merged.validity.bottleneck !== undefined && { bottleneck: { ...merged.validity.bottleneck, summary: relabel(merged.validity.bottleneck.summary) } }),
        },
      }),
      ...(merged.breakerTransitions !== undefined && { breakerTransitions: merged.breakerTransitions.map((t) => ({ ...t, origin: relabel(t.origin) })) }),
    };
    const { warnings: _merged, ...withoutWarnings } = result;
    result = warnings.length > 0 ? { ...withoutWarnings, warnings } : withoutWarnings;
    if (config.thresholds !== undefined && options.shard === undefined) result = { ...result, thresholds: evaluateThresholds(config.thresholds, result) };
    return result;
  }
}

function reasonOf(reason: unknown): string {
  return typeof reason === 'string' ? reason : 'abort';
}

/** The ledger summary as result.json carries it: without the mock-side bookkeeping (records kept). */
function withoutBookkeeping<L extends { recordsKept?: unknown }>({ recordsKept: _recordsKept, ...summary }: L): Omit<L, 'recordsKept'> {
  return summary;
}
