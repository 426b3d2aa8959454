/**
 * Ramping arrival rate — the open model with a rate that changes over time (k6
 * `ramping-arrival-rate`): each stage moves the rate linearly from where the previous one ended to
 * its `target` over its `durationMs`; a stage whose target equals the current rate holds it. Used to
 * find where a provider (or our sender) stops keeping up: ramp 0 → 10,000/s over a minute and watch
 * latency per second.
 *
 * Notification i is planned when the expected count N(t) = ∫ rate reaches i. Within a stage the
 * rate is r(τ) = r0 + (r1 − r0)·τ/D, so N grows by r0·τ + (r1 − r0)·τ²/(2D), a quadratic solved in
 * closed form for the planned offsets (open-model.ts fires them).
 */
import { realTime, runOpenModel } from './open-model.js';
import type { ArrivalSchedule, ExecutorRuntime, TimeSource } from './open-model.js';

export interface RampingStage {
  /** How long the ramp to `target` takes, in ms. */
  readonly durationMs: number;
  /** Notifications per second at the end of the stage. */
  readonly target: number;
}

export interface RampingArrivalRateConfig {
  readonly executor: 'ramping-arrival-rate';
  /** Notifications per second at the start. @default 0 */
  readonly startRate?: number;
  readonly stages: readonly RampingStage[];
}

const maxRate = 1_000_000;
const maxStages = 100;
const maxStageMs = 24 * 3600 * 1000;
const maxCount = 100_000_000;

export function validateRampingArrivalRate(config: RampingArrivalRateConfig, path = 'load'): string[] {
  const problems: string[] = [];
  const rate = (value: unknown, at: string): void => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > maxRate) problems.push(`${at} must be a number of notifications per second from 0 to ${maxRate}, got ${JSON.stringify(value)}`);
  };
  if (config.startRate !== undefined) rate(config.startRate, `${path}.startRate`);
  if (!Array.isArray(config.stages) || config.stages.length === 0 || config.stages.length > maxStages) {
    problems.push(`${path}.stages must be a list of 1 to ${maxStages} stages such as { durationMs: 30000, target: 5000 }`);
    return problems;
  }
  config.stages.forEach((stage, i) => {
    const at = `${path}.stages[${i}]`;
    if (!Number.isInteger(stage.durationMs) || stage.durationMs < 1 || stage.durationMs > maxStageMs) problems.push(`${at}.durationMs must be a whole number of ms from 1 to ${maxStageMs}, got ${JSON.stringify(stage.durationMs)}`);
    rate(stage.target, `${at}.target`);
  });
  if (problems.length === 0) {
    const count = rampingCount(config);
    if (count < 1 || count > maxCount) problems.push(`${path}.stages plan ${count} notifications; between 1 and ${maxCount} are allowed: change the targets or durations`);
  }
  return problems;
}

interface Segment {
  readonly startMs: number;
  readonly durationMs: number;
  /** Rates at the start and end, per ms. */
  readonly r0: number;
  readonly r1: number;
  /** Notifications expected before the segment starts. */
  readonly before: number;
}

function segmentsOf(config: RampingArrivalRateConfig): Segment[] {
  const segments: Segment[] = [];
  let rate = (config.startRate ?? 0) / 1000;
  let startMs = 0;
  let before = 0;
  for (const stage of config.stages) {
    const r1 = stage.target / 1000;
    segments.push({ startMs, durationMs: stage.durationMs, r0: rate, r1, before });
    before += ((rate + r1) / 2) * stage.durationMs;
    startMs += stage.durationMs;
    rate = r1;
  }
  return segments;
}

/** N at `tau` ms into a segment. */
const expectedIn = (s: Segment, tau: number): number => s.r0 * tau + ((s.r1 - s.r0) * tau * tau) / (2 * s.durationMs);

/** Notifications the stages plan in all: those whose planned time falls inside them. */
export function rampingCount(config: RampingArrivalRateConfig): number {
  const segments = segmentsOf(config);
  const last = segments.at(-1);
  if (last === undefined) return 0;
  // Notification i is planned when N reaches i, so i = 0 … ⌈N(end)⌉ − 1 fall inside the stages.
  return Math.max(0, Math.ceil(last.before + expectedIn(last, last.durationMs) - 1e-9));
}

export function rampingDurationMs(config: RampingArrivalRateConfig): number {
  return config.stages.reduce((total, stage) => total + stage.durationMs, 0);
}

export function describeRampingArrivalRate(config: RampingArrivalRateConfig): string {
  let rate = config.startRate ?? 0;
  const parts = config.stages.map((stage) => {
    const seconds = `${(stage.durationMs / 1000).toFixed(stage.durationMs % 1000 === 0 ? 0 : 1)} s`;
    const text = stage.target === rate ? `${rate}/s for ${seconds}` : `${rate}→${stage.target}/s over ${seconds}`;
    rate = stage.target;
    return text;
  });
  return `${rampingCount(config)} notifications, ramping arrival rate: ${parts.join(', ')} (~${(rampingDurationMs(config) / 1000).toFixed(1)} s)`;
}

export function rampingSchedule(config: RampingArrivalRateConfig): ArrivalSchedule {
  const segments = segmentsOf(config);
  const count = rampingCount(config);
  // Offsets are asked for in increasing order: resume the segment search where the last one ended.
  let cursor = 0;
  return {
    count,
    plannedOffsetMs(index) {
      if (index < (segments[cursor]?.before ?? 0)) cursor = 0;
      while (cursor < segments.length - 1 && index >= (segments[cursor + 1] as Segment).before) cursor++;
      const s = segments[cursor] as Segment;
      const k = index - s.before;
      if (k <= 0) return s.startMs;
      // a·τ² + b·τ = k with a = (r1 − r0)/(2D), b = r0; this form is stable for a < 0, a = 0 and b = 0.
      const a = (s.r1 - s.r0) / (2 * s.durationMs);
      const b = s.r0;
      const tau = (2 * k) / (b + Math.sqrt(Math.max(0, b * b + 4 * a * k)));
      return s.startMs + Math.min(s.durationMs, tau);
    },
    dueBy(elapsedMs) {
      let expected = 0;
      for (const s of segments) {
        if (elapsedMs < s.startMs) break;
        expected = s.before + expectedIn(s, Math.min(elapsedMs - s.startMs, s.durationMs));
      }
      return Math.floor(expected + 1e-9) + 1;
    },
  };
}

export function createRampingArrivalRate(config: RampingArrivalRateConfig, time: TimeSource = realTime): ExecutorRuntime {
  return runOpenModel(rampingSchedule(config), time);
}
