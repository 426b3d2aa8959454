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
import { InvalidConfigError } from '../core/errors.js';
import type { Provider } from '../core/reasons.js';
import { initHistograms } from '../reports/histogram.js';
import { ResultCollector } from '../reports/result.js';
import type { Result } from '../reports/result.js';
import type { Outcome } from '../sender/outcome.js';
import type { ScenarioConfig } from './config.js';
import { targetProviders, validateScenario } from './config.js';
import { createExecutor, describeLoad, plannedRate, resultLoadModel } from './executors/index.js';
import { Lanes } from './lanes.js';
import type { Lane } from './lanes.js';
import { createProviderAssignment, describeMix, mixShares } from './mix.js';
import { openTarget } from './target.js';
import { evaluateThresholds } from './thresholds.js';
import type { DeliverySummary } from '../reports/result.js';
import type { LedgerSummary } from '../simulator/ledger/ledger.js';

export interface RunStart {
  readonly scenario: string;
  readonly description: string;
  readonly plan: string;
  readonly target: string;
  readonly placement: string;
}

export interface RunProgress {
  readonly elapsedMs: number;
  readonly scheduled: number;
  readonly completed: number;
  readonly inFlight: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
}

export interface RunEvents {
  start: [RunStart];
  progress: [RunProgress];
  /** The outcome, its latency from the planned time (ms), and when it came (ms since the measured start). */
  outcome: [Outcome, number, number];
  done: [Result];
}

export interface RunOptions {
  /** Stops firing new notifications; those in flight still finish (or hit the graceful stop). */
  readonly signal?: AbortSignal;
  /** @default 1000 */
  readonly progressIntervalMs?: number;
}

export class ScenarioRun extends EventEmitter<RunEvents> {
  readonly config: ScenarioConfig;
  readonly #options: RunOptions;

  /** Validates at construction: a broken scenario throws InvalidConfigError listing every problem. */
  constructor(config: ScenarioConfig, options: RunOptions = {}) {
    super();
    const problems = validateScenario(config);
    if (problems.length > 0) throw new InvalidConfigError(`scenario "${config.name}"`, problems);
    this.config = config;
    this.#options = options;
  }

  async execute(): Promise<Result> {
    const { config } = this;
    await initHistograms();
    const target = await openTarget(config);
    const collector = new ResultCollector();
    this.on('outcome', (outcome, latencyMs, atMs) => collector.onOutcome(outcome, latencyMs, atMs));
    let lanes: Lanes | undefined;
    try {
      const runStart = performance.now();
      // The warm-up's attempts and retries are not part of the result either.
      let measuring = false;
      lanes = await Lanes.open(config, target, {
        onAttempt: (ms) => measuring && collector.onAttempt(ms),
        onRetry: () => measuring && collector.onRetry(),
        onFallback: () => measuring && collector.onFallback(),
        onBreakerStateChange: (origin, from, to) => collector.onBreakerStateChange({ atMs: Math.round(performance.now() - runStart), origin, from, to }),
      });
      const shares = mixShares(config.mix, targetProviders(config.target));
      this.emit('start', {
        scenario: config.name,
        description: config.description,
        plan: describeLoad(config.load) + (shares.size > 1 ? `, ${describeMix(shares)}` : ''),
        target: target.description,
        placement: target.placement,
      });
      await warmUp(lanes, config.warmup ?? 0);
      // Faults and their timeline start now, and the ledgers forget the warm-up's deliveries.
      await target.startMeasuring();
      measuring = true;
      const startedAt = new Date();
      const durationMs = await this.#drive(lanes, createProviderAssignment(shares, config.tokens.seed), collector);
      const delivery = await target.delivery();
      const measured = collector.finish({
        startedAt,
        durationMs,
        targetRate: plannedRate(config.load),
        scenario: config.name,
        // `target` is one provider origin; a mixed run names each provider's in `targets`.
        ...(shares.size === 1 ? { target: target.description } : { targets: originsOf(target) }),
        ...(delivery !== undefined && { delivery: publicDelivery(delivery.ledger) }),
        ...(config.faults?.faults !== undefined && delivery !== undefined && { faults: delivery.faults }),
        loadModel: resultLoadModel(config.load),
      });
      const result = config.thresholds === undefined ? measured : { ...measured, thresholds: evaluateThresholds(config.thresholds, measured) };
      this.emit('done', result);
      return result;
    } finally {
      collector.destroy();
      try {
        // Already closed by #drive when the run got that far; this covers a failure before or during it.
        await lanes?.destroy();
      } finally {
        await target.close();
      }
    }
  }

  /** Fires the load and waits for every outcome; returns the time from the first send to the last outcome. */
  async #drive(lanes: Lanes, providerOf: (index: number) => Provider, collector: ResultCollector): Promise<number> {
    const { config } = this;
    const start = performance.now();
    let scheduled = 0;
    let completed = 0;
    let lastCompletion = start;
    const counts = { accepted: 0, rejected: 0, failed: 0 };
    const inFlight = new Set<Promise<void>>();

    const progress = setInterval(() => {
      this.emit('progress', { elapsedMs: performance.now() - start, scheduled, completed, inFlight: scheduled - completed, ...counts });
    }, this.#options.progressIntervalMs ?? 1000);

    // Returns the notification's completion: the closed model sends the next one when it settles.
    const fire = (index: number, plannedAt: number): Promise<void> => {
      scheduled++;
      collector.onScheduled(plannedAt - start);
      // Every provider the assignment can pick has a lane (both come from the target's providers).
      const lane = lanes.get(providerOf(index)) as Lane;
      const p = lane.send().then((outcome) => {
        const now = performance.now();
        lastCompletion = now;
        completed++;
        if (outcome.status === 'accepted' || outcome.status === 'rejected' || outcome.status === 'failed') counts[outcome.status]++;
        // Open model: latency runs from the planned send time, so queueing behind a slow provider shows.
        this.emit('outcome', outcome, now - plannedAt, now - start);
        inFlight.delete(p);
      });
      inFlight.add(p);
      return p;
    };

    try {
      await createExecutor(config.load).run(fire, this.#options.signal);
      const settled = Promise.all(inFlight);
      const graceful = await Promise.race([settled.then(() => true), sleep(config.gracefulStopMs).then(() => false)]);
      if (graceful) {
        await lanes.close();
      } else {
        // Whatever is still open fails as `closed` and is counted; nothing is left unaccounted for.
        await lanes.destroy();
        await settled;
      }
    } finally {
      clearInterval(progress);
    }
    return lastCompletion - start;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Sends `count` notifications before the measured run, round robin over the lanes, 50 at a time,
 * and forgets their outcomes. Without it the first second measures V8 compiling the sender and the
 * mock (and the first TLS/JWT setup), not the provider: an open-model run then starts with a
 * backlog of thousands. wrk2 and h2load warm up for the same reason.
 */
async function warmUp(lanes: Lanes, count: number): Promise<void> {
  const all = lanes.all();
  if (count === 0 || all.length === 0) return;
  let sent = 0;
  await Promise.all(
    Array.from({ length: Math.min(50, count) }, async () => {
      while (sent < count) {
        const lane = all[sent++ % all.length] as Lane;
        await lane.send();
      }
    }),
  );
}

/** Each provider's URL in a run to several. */
function originsOf(target: Awaited<ReturnType<typeof openTarget>>): Record<string, string> {
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
