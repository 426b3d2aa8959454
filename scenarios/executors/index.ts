/**
 * The load models a scenario can name in `load.executor`, one file each, registered here (like
 * fault kinds): the runner, validation and the CLI look an executor up instead of switching on it.
 *
 *   constant-arrival-rate   open model: notifications on a fixed schedule (k6, wrk2)
 *   ramping-arrival-rate    open model: a schedule whose rate moves in stages (k6)
 *   closed                  closed model: a fixed number in flight (k6 constant-vus, h2load -m)
 */
import type { LoadModel } from '../../reports/result.js';
import type { ClosedModelConfig } from './closed.js';
import { createClosedModel, describeClosedModel, validateClosedModel } from './closed.js';
import type { ConstantArrivalRateConfig } from './constant-arrival-rate.js';
import { constantSchedule, createConstantArrivalRate, describeConstantArrivalRate, validateConstantArrivalRate } from './constant-arrival-rate.js';
import type { ArrivalSchedule, ExecutorRuntime, TimeSource } from './open-model.js';
import { realTime } from './open-model.js';
import type { RampingArrivalRateConfig } from './ramping-arrival-rate.js';
import { createRampingArrivalRate, describeRampingArrivalRate, rampingCount, rampingDurationMs, rampingSchedule, validateRampingArrivalRate } from './ramping-arrival-rate.js';

export type { ClosedModelConfig } from './closed.js';
export type { ConstantArrivalRateConfig } from './constant-arrival-rate.js';
export type { RampingArrivalRateConfig, RampingStage } from './ramping-arrival-rate.js';
export type { ArrivalSchedule, ExecutorRuntime, Fire, TimeSource } from './open-model.js';

export type LoadConfig = ConstantArrivalRateConfig | RampingArrivalRateConfig | ClosedModelConfig;

/** How a load model sends: on a schedule (open), or a fixed number in flight (closed). */
export type LoadModelKind = 'open' | 'closed';

interface Executor<C extends LoadConfig> {
  readonly model: LoadModelKind;
  validate(config: C, path: string): string[];
  describe(config: C): string;
  create(config: C, time: TimeSource): ExecutorRuntime;
  /** Notifications it plans in all; undefined when only time ends it. */
  plannedCount(config: C): number | undefined;
  /** Planned notifications per second over the run (result.json `rate.target`); null for the closed model, which has none. */
  plannedRate(config: C): number | null;
  /** Ms from the start to the last planned notification; Infinity when only the answers decide (a closed model without durationMs). */
  lastPlannedMs(config: C): number;
  /** When each notification is planned (an open model); undefined for the closed model, whose answers decide. */
  schedule(config: C): ArrivalSchedule | undefined;
}

const executors: { readonly [K in LoadConfig['executor']]: Executor<Extract<LoadConfig, { executor: K }>> } = {
  'constant-arrival-rate': {
    model: 'open',
    validate: validateConstantArrivalRate,
    describe: describeConstantArrivalRate,
    create: createConstantArrivalRate,
    plannedCount: (load) => load.count,
    plannedRate: (load) => load.rate,
    lastPlannedMs: (load) => ((load.count - 1) * 1000) / load.rate,
    schedule: constantSchedule,
  },
  'ramping-arrival-rate': {
    model: 'open',
    validate: validateRampingArrivalRate,
    describe: describeRampingArrivalRate,
    create: createRampingArrivalRate,
    plannedCount: rampingCount,
    plannedRate: (load) => {
      const seconds = rampingDurationMs(load) / 1000;
      return seconds > 0 ? Math.round((rampingCount(load) / seconds) * 1000) / 1000 : 0;
    },
    lastPlannedMs: (load) => {
      const count = rampingCount(load);
      return count === 0 ? 0 : rampingSchedule(load).plannedOffsetMs(count - 1);
    },
    schedule: rampingSchedule,
  },
  closed: {
    model: 'closed',
    validate: validateClosedModel,
    describe: describeClosedModel,
    create: createClosedModel,
    plannedCount: (load) => load.count,
    plannedRate: () => null,
    lastPlannedMs: (load) => load.durationMs ?? Number.POSITIVE_INFINITY,
    schedule: () => undefined,
  },
};

export const executorNames = Object.keys(executors) as readonly LoadConfig['executor'][];

function executorOf(load: LoadConfig): Executor<LoadConfig> | undefined {
  return Object.hasOwn(executors, load.executor) ? (executors[load.executor] as Executor<LoadConfig>) : undefined;
}

export function validateLoad(load: LoadConfig, path = 'load'): string[] {
  const executor = executorOf(load);
  if (executor === undefined) return [`${path}.executor must be one of ${executorNames.join(', ')}, got ${JSON.stringify((load as { executor: unknown }).executor)}`];
  return executor.validate(load, path);
}

/** The executor of a load that passed validateLoad. */
function known(load: LoadConfig): Executor<LoadConfig> {
  const executor = executorOf(load);
  if (executor === undefined) throw new TypeError(`unknown executor ${JSON.stringify(load.executor)}: validate the load first`);
  return executor;
}

export function describeLoad(load: LoadConfig): string {
  return known(load).describe(load);
}

export function createExecutor(load: LoadConfig, time: TimeSource = realTime): ExecutorRuntime {
  return known(load).create(load, time);
}

/** Notifications the load plans in all; undefined for a closed model that only time ends. */
export function plannedCount(load: LoadConfig): number | undefined {
  return known(load).plannedCount(load);
}

/** The planned rate over the whole run (for result.json `rate.target`): the constant rate, a ramp's average, or null (closed model). */
export function plannedRate(load: LoadConfig): number | null {
  return known(load).plannedRate(load);
}

/** When the last notification is planned, in ms from the start: the planned end of the sending (Infinity when only answers decide it). */
export function lastPlannedMs(load: LoadConfig): number {
  return known(load).lastPlannedMs(load);
}

/** The planned time of each notification of an open model (scenarios/shard.ts splits it); undefined for the closed model. */
export function arrivalSchedule(load: LoadConfig): ArrivalSchedule | undefined {
  return known(load).schedule(load);
}

/** Open (arrival rate) or closed (fixed in flight). */
export function loadModelOf(load: LoadConfig): LoadModelKind {
  return known(load).model;
}

/** What result.json says about the load model: only a closed model has something to declare (its latency is not corrected). */
export function resultLoadModel(load: LoadConfig): LoadModel | undefined {
  return load.executor === 'closed' ? { kind: 'closed', inFlight: load.inFlight, latencyCorrectedForCoordinatedOmission: false } : undefined;
}
