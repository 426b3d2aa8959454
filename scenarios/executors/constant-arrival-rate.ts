/**
 * Constant arrival rate — the open model (k6 `constant-arrival-rate`, wrk2): notification i is
 * *planned* for `start + i / rate`, whatever the provider is doing (open-model.ts).
 *
 * Config (pure data, validated with every problem listed) and runtime are separate types.
 */
import { realTime, runOpenModel } from './open-model.js';
import type { ArrivalSchedule, ExecutorRuntime, TimeSource } from './open-model.js';

export type { ExecutorRuntime, Fire, TimeSource } from './open-model.js';

export interface ConstantArrivalRateConfig {
  readonly executor: 'constant-arrival-rate';
  /** Notifications per second. */
  readonly rate: number;
  /** How many notifications to schedule in all. */
  readonly count: number;
}

export function validateConstantArrivalRate(config: ConstantArrivalRateConfig, path = 'load'): string[] {
  const problems: string[] = [];
  if (typeof config.rate !== 'number' || !Number.isFinite(config.rate) || config.rate <= 0 || config.rate > 1_000_000) {
    problems.push(`${path}.rate must be a number of notifications per second from 0 to 1000000 (exclusive of 0), got ${JSON.stringify(config.rate)}`);
  }
  if (typeof config.count !== 'number' || !Number.isInteger(config.count) || config.count < 1 || config.count > 100_000_000) {
    problems.push(`${path}.count must be a whole number of notifications from 1 to 100000000, got ${JSON.stringify(config.count)}`);
  }
  return problems;
}

export function describeConstantArrivalRate(config: ConstantArrivalRateConfig): string {
  const seconds = config.count / config.rate;
  return `${config.count} notifications at ${config.rate}/s (constant arrival rate, ~${seconds.toFixed(1)} s)`;
}

/** Notification i at i / rate. */
export function constantSchedule(config: ConstantArrivalRateConfig): ArrivalSchedule {
  const intervalMs = 1000 / config.rate;
  return {
    count: config.count,
    plannedOffsetMs: (index) => index * intervalMs,
    dueBy: (elapsedMs) => Math.floor(elapsedMs / intervalMs) + 1,
  };
}

export function createConstantArrivalRate(config: ConstantArrivalRateConfig, time: TimeSource = realTime): ExecutorRuntime {
  return runOpenModel(constantSchedule(config), time);
}
