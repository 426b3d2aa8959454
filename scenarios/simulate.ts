/**
 * `pushsim simulate` as a library function (issue 17): the scenario's runner on a VirtualScheduler,
 * its mocks as simulated transports (simulate-target.ts), every random choice drawn from one seed.
 * The sender's own policies and the mocks' own decision logic run unchanged; only time is virtual,
 * jumping from one event to the next, so an hour of outages takes seconds and the same scenario
 * and seed give the same result.json (apart from `startedAt`, the real time it was made).
 *
 *   simulateScenario(config) ─► ScenarioRun(scheduler: virtual, openTarget: simulated transports)
 *                                   └► result.json with `virtual: { durationMs, seed }`
 */
import { VirtualScheduler } from '../core/scheduler.js';
import type { Result } from '../reports/result.js';
import { createRandom } from '../simulator/random.js';
import type { ScenarioConfig } from './config.js';
import { ScenarioRun } from './runner.js';
import { openSimulatedTarget } from './simulate-target.js';

export { simulationProblems } from './simulate-target.js';

/**
 * Where the virtual clock starts (epoch ms): fixed, so token ages, Retry-After dates and the
 * circuit breaker's window buckets fall the same way on every simulation. 2026-01-01T00:00:00Z.
 */
export const virtualEpochMs = Date.UTC(2026, 0, 1);

export interface SimulateOptions {
  /** Seeds everything random (tokens, mock latency, fault dice, network, retry jitter). @default the scenario's tokens.seed (and faults.seed for the faults) */
  readonly seed?: number;
  /** Stops the simulation: nothing more is fired, and the partial result says so (`interrupted`). */
  readonly signal?: AbortSignal;
  /** Virtual ms between 'progress' events. @default 1000 */
  readonly progressIntervalMs?: number;
}

/**
 * The simulation as a ScenarioRun, to subscribe to before `execute()` (its 'progress' events come
 * per virtual second). Throws InvalidConfigError for a scenario that cannot be simulated.
 */
export function simulation(config: ScenarioConfig, options: SimulateOptions = {}): ScenarioRun {
  const seed = options.seed ?? config.tokens.seed;
  // A seed given replaces the scenario's token seed and its faults' seed: another seed, other dice everywhere.
  // No warm-up either (a simulation has no JIT or connections to warm), so result.json's config says 0.
  const seeded: ScenarioConfig = {
    ...config,
    warmup: 0,
    ...(options.seed !== undefined && { tokens: { ...config.tokens, seed }, ...(config.faults !== undefined && { faults: { ...config.faults, seed } }) }),
  };
  const scheduler = new VirtualScheduler({ epochMs: virtualEpochMs });
  // Its own stream (the mocks draw theirs from the same seed): the jitter does not shift their dice.
  const jitter = createRandom(seed + 0x5eed);
  return new ScenarioRun(seeded, {
    scheduler,
    openTarget: (c) => openSimulatedTarget(c, scheduler),
    random: () => jitter.next(),
    ...(options.signal !== undefined && { signal: options.signal }),
    ...(options.progressIntervalMs !== undefined && { progressIntervalMs: options.progressIntervalMs }),
  });
}

/** Simulates the scenario and resolves with its result (marked `virtual`). */
export function simulateScenario(config: ScenarioConfig, options: SimulateOptions = {}): Promise<Result> {
  return simulation(config, options).execute();
}
