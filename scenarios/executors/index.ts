/**
 * The load models a scenario can name in `load.executor`, behind one set of functions so the
 * runner, validation and the CLI do not switch on the executor themselves.
 */
import type { ConstantArrivalRateConfig } from './constant-arrival-rate.js';
import { createConstantArrivalRate, describeConstantArrivalRate, validateConstantArrivalRate } from './constant-arrival-rate.js';
import type { ExecutorRuntime, TimeSource } from './open-model.js';
import { realTime } from './open-model.js';
import type { RampingArrivalRateConfig } from './ramping-arrival-rate.js';
import { createRampingArrivalRate, describeRampingArrivalRate, rampingCount, rampingDurationMs, rampingSchedule, validateRampingArrivalRate } from './ramping-arrival-rate.js';

export type { ConstantArrivalRateConfig } from './constant-arrival-rate.js';
export type { RampingArrivalRateConfig, RampingStage } from './ramping-arrival-rate.js';
export type { ExecutorRuntime, Fire, TimeSource } from './open-model.js';

export type LoadConfig = ConstantArrivalRateConfig | RampingArrivalRateConfig;

export const executorNames = ['constant-arrival-rate', 'ramping-arrival-rate'] as const;

export function validateLoad(load: LoadConfig, path = 'load'): string[] {
  switch (load.executor) {
    case 'constant-arrival-rate':
      return validateConstantArrivalRate(load, path);
    case 'ramping-arrival-rate':
      return validateRampingArrivalRate(load, path);
    default:
      return [`${path}.executor must be one of ${executorNames.join(', ')}, got ${JSON.stringify((load as { executor: unknown }).executor)}`];
  }
}

export function describeLoad(load: LoadConfig): string {
  return load.executor === 'constant-arrival-rate' ? describeConstantArrivalRate(load) : describeRampingArrivalRate(load);
}

export function createExecutor(load: LoadConfig, time: TimeSource = realTime): ExecutorRuntime {
  return load.executor === 'constant-arrival-rate' ? createConstantArrivalRate(load, time) : createRampingArrivalRate(load, time);
}

/** Notifications the load plans in all. */
export function plannedCount(load: LoadConfig): number {
  return load.executor === 'constant-arrival-rate' ? load.count : rampingCount(load);
}

/** When the last notification is planned, in ms from the start: the planned end of the sending. */
export function lastPlannedMs(load: LoadConfig): number {
  if (load.executor === 'constant-arrival-rate') return ((load.count - 1) * 1000) / load.rate;
  const count = rampingCount(load);
  return count === 0 ? 0 : rampingSchedule(load).plannedOffsetMs(count - 1);
}

/** The planned rate over the whole run (for result.json `rate.target`): the constant rate, or a ramp's average. */
export function plannedRate(load: LoadConfig): number {
  if (load.executor === 'constant-arrival-rate') return load.rate;
  const seconds = rampingDurationMs(load) / 1000;
  return seconds > 0 ? Math.round((rampingCount(load) / seconds) * 1000) / 1000 : 0;
}
