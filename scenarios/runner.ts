/**
 * Runs a scenario and emits what happens; it prints nothing itself. Progress display, histograms
 * and exporters are subscribers (autocannon's tracker), and the report is a pure function of the
 * Result that `execute()` returns.
 *
 *   executor ──fire(i, plannedAt)──► sender.send ──outcome──► emit('outcome', outcome, latencyMs)
 *                                                                 ├─► ResultCollector (histograms)
 *                                                                 └─► progress display, exporters…
 */
import { EventEmitter } from 'node:events';
import { InvalidConfigError } from '../core/errors.js';
import { initHistograms } from '../reports/histogram.js';
import { ResultCollector } from '../reports/result.js';
import type { Result } from '../reports/result.js';
import { ApnsSender } from '../sender/apns-sender.js';
import type { Outcome } from '../sender/outcome.js';
import type { ApnsNotification } from '../sender/providers/apns.js';
import type { ScenarioConfig } from './config.js';
import { validateScenario } from './config.js';
import { createConstantArrivalRate, describeConstantArrivalRate } from './executors/constant-arrival-rate.js';
import { openTarget } from './target.js';
import { makeTokens } from './tokens.js';
import { evaluateThresholds } from './thresholds.js';

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
  outcome: [Outcome, number];
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
    const population = makeTokens(config.tokens.count, config.target.kind === 'mock' ? config.tokens.unregisteredRatio : 0, config.tokens.seed);
    const target = await openTarget(config, population.unregistered);
    const collector = new ResultCollector();
    this.on('outcome', (outcome, latencyMs) => collector.onOutcome(outcome, latencyMs));
    try {
      const runStart = performance.now();
      const sender = await ApnsSender.create({
        url: target.url,
        credentials: target.credentials,
        ...(target.ca !== undefined && { tls: { ca: target.ca } }),
        ...config.sender,
        ...(config.policies !== undefined && { policies: config.policies }),
        listener: {
          onAttempt: (ms) => collector.onAttempt(ms),
          onRetry: () => collector.onRetry(),
          onFallback: () => collector.onFallback(),
          onBreakerStateChange: (origin, from, to) => collector.onBreakerStateChange({ atMs: Math.round(performance.now() - runStart), origin, from, to }),
        },
      });
      this.emit('start', {
        scenario: config.name,
        description: config.description,
        plan: describeConstantArrivalRate(config.load),
        target: target.url,
        placement: target.placement,
      });
      const startedAt = new Date();
      const durationMs = await this.#drive(sender, population.tokens, collector);
      const measured = collector.finish({
        startedAt,
        durationMs,
        targetRate: config.load.rate,
        scenario: config.name,
        target: target.url,
      });
      const result = config.thresholds === undefined ? measured : { ...measured, thresholds: evaluateThresholds(config.thresholds, measured) };
      this.emit('done', result);
      return result;
    } finally {
      collector.destroy();
      await target.close();
    }
  }

  /** Fires the load and waits for every outcome; returns the time from the first send to the last outcome. */
  async #drive(sender: ApnsSender, tokens: readonly string[], collector: ResultCollector): Promise<number> {
    const { config } = this;
    const { notification } = config;
    const start = performance.now();
    let scheduled = 0;
    let completed = 0;
    let lastCompletion = start;
    const counts = { accepted: 0, rejected: 0, failed: 0 };
    const inFlight = new Set<Promise<void>>();

    const progress = setInterval(() => {
      this.emit('progress', { elapsedMs: performance.now() - start, scheduled, completed, inFlight: scheduled - completed, ...counts });
    }, this.#options.progressIntervalMs ?? 1000);

    const fire = (index: number, plannedAt: number): void => {
      scheduled++;
      collector.onScheduled();
      const n: ApnsNotification = {
        token: tokens[index % tokens.length] as string,
        topic: notification.topic,
        pushType: notification.pushType,
        payload: notification.payload,
        ...(notification.priority !== undefined && { priority: notification.priority }),
      };
      const p = sender.send(n).then((outcome) => {
        const now = performance.now();
        lastCompletion = now;
        completed++;
        if (outcome.status === 'accepted' || outcome.status === 'rejected' || outcome.status === 'failed') counts[outcome.status]++;
        // Open model: latency runs from the planned send time, so queueing behind a slow provider shows.
        this.emit('outcome', outcome, now - plannedAt);
        inFlight.delete(p);
      });
      inFlight.add(p);
    };

    try {
      await createConstantArrivalRate(config.load).run(fire, this.#options.signal);
      const settled = Promise.all(inFlight);
      const graceful = await Promise.race([settled.then(() => true), sleep(config.gracefulStopMs).then(() => false)]);
      if (graceful) {
        await sender.close();
      } else {
        // Whatever is still open fails as `closed` and is counted; nothing is left unaccounted for.
        await sender.destroy();
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
