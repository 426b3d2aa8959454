/**
 * The run's timeline: named phases back to back from the engine's start (healthy → degraded → down
 * → recovering), and each fault's active window within it — a phase, or an explicit start offset
 * and duration — with its probability optionally ramping across the window (a brownout from 0 % to
 * 20 %). Times are offsets in ms from the start, read from an injected clock (core/clock.ts), so
 * tests move through phases on fake time.
 */
import type { Problems, Spec } from './check.js';
import { describe, isRecord, optionalNumber } from './check.js';
import { didYouMean } from '../../core/did-you-mean.js';

export interface PhaseSpec {
  readonly name: string;
  /** Omitted on the last phase only: it then lasts until the run ends. */
  readonly durationMs?: number;
}

export interface Phase {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** The phase name used when the timeline has no phases, and after the last one ends. */
export const noPhase = 'run';
export const afterPhases = 'after';

export const phaseFields: readonly string[] = ['name', 'durationMs'];
/** A probability that ramps: `{ from, to, overMs? }`. */
export const rampFields: readonly string[] = ['from', 'to', 'overMs'];

export function validatePhases(value: unknown, at: string): Problems {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [`${at} must be a list of { name, durationMs }, got ${describe(value)}`];
  const problems: Problems = [];
  const seen = new Set<string>();
  value.forEach((phase: unknown, index) => {
    const where = `${at}[${index}]`;
    if (!isRecord(phase)) {
      problems.push(`${where} must be { name, durationMs }, got ${describe(phase)}`);
      return;
    }
    for (const key of Object.keys(phase)) if (!phaseFields.includes(key)) problems.push(`${where}.${key} is not a phase field${didYouMean(key, phaseFields)} (${phaseFields.join(', ')})`);
    const name = phase['name'];
    if (typeof name !== 'string' || name === '') problems.push(`${where}.name must be a non-empty string, got ${describe(name)}`);
    else if (name === noPhase || name === afterPhases) problems.push(`${where}.name '${name}' is reserved`);
    else if (seen.has(name)) problems.push(`${where}.name '${name}' is used twice; phase names must be unique`);
    else seen.add(name);
    const last = index === value.length - 1;
    if (phase['durationMs'] === undefined && !last) problems.push(`${where}.durationMs is required (only the last phase may be open-ended)`);
    optionalNumber(problems, phase, 'durationMs', where, 1);
  });
  return problems;
}

export class Timeline {
  readonly phases: readonly Phase[];

  constructor(specs: readonly PhaseSpec[] = []) {
    let start = 0;
    this.phases = specs.map((spec) => {
      const phase = { name: spec.name, startMs: start, endMs: start + (spec.durationMs ?? Number.POSITIVE_INFINITY) };
      start = phase.endMs;
      return phase;
    });
  }

  /** Name of the phase at `offsetMs` after the start. */
  phaseAt(offsetMs: number): string {
    if (this.phases.length === 0) return noPhase;
    for (const phase of this.phases) if (offsetMs < phase.endMs) return phase.name;
    return afterPhases;
  }

  find(name: string): Phase | undefined {
    return this.phases.find((phase) => phase.name === name);
  }
}

/** Probability: a constant, or a linear ramp from `from` to `to` across the window (or `overMs`). */
export type ProbabilitySpec = number | { readonly from: number; readonly to: number; readonly overMs?: number };

export interface Window {
  readonly startMs: number;
  readonly endMs: number;
}

export const always: Window = { startMs: 0, endMs: Number.POSITIVE_INFINITY };

/** Common schedule fields of a fault: `phase`, or `startMs` / `durationMs`, and `probability`. */
/** `phases` maps each phase name to whether it has a finite duration. */
export function validateSchedule(spec: Spec, at: string, phases: ReadonlyMap<string, boolean>): Problems {
  const problems: Problems = [];
  const phase = spec['phase'];
  if (phase !== undefined) {
    if (typeof phase !== 'string' || !phases.has(phase)) {
      const known = phases.size === 0 ? 'the spec defines no phases' : `phases: ${[...phases.keys()].join(', ')}`;
      problems.push(`${at}.phase must name a phase of the timeline (${known}), got ${describe(phase)}`);
    }
    if (spec['startMs'] !== undefined || spec['durationMs'] !== undefined) problems.push(`${at}: give either phase or startMs/durationMs, not both`);
  }
  optionalNumber(problems, spec, 'startMs', at, 0);
  optionalNumber(problems, spec, 'durationMs', at, 1);
  const probability = spec['probability'];
  if (typeof probability === 'number' || probability === undefined) {
    optionalNumber(problems, spec, 'probability', at, 0, 1);
  } else if (isRecord(probability)) {
    const where = `${at}.probability`;
    for (const key of Object.keys(probability)) if (!rampFields.includes(key)) problems.push(`${where}.${key} is not a ramp field${didYouMean(key, rampFields)} (${rampFields.join(', ')})`);
    for (const field of ['from', 'to']) {
      if (probability[field] === undefined) problems.push(`${where}.${field} is required for a ramp`);
      optionalNumber(problems, probability, field, where, 0, 1);
    }
    optionalNumber(problems, probability, 'overMs', where, 1);
    const finiteWindow = typeof phase === 'string' ? phases.get(phase) !== false : spec['durationMs'] !== undefined;
    if (probability['overMs'] === undefined && !finiteWindow) problems.push(`${where}: a ramp over an open-ended window needs overMs`);
  } else {
    problems.push(`${at}.probability must be a number from 0 to 1 or a ramp { from, to, overMs? }, got ${describe(probability)}`);
  }
  return problems;
}

export function windowOf(spec: Spec, timeline: Timeline): Window {
  const phase = spec['phase'];
  if (typeof phase === 'string') {
    const found = timeline.find(phase);
    return found ? { startMs: found.startMs, endMs: found.endMs } : { startMs: Number.POSITIVE_INFINITY, endMs: Number.POSITIVE_INFINITY };
  }
  const startMs = typeof spec['startMs'] === 'number' ? spec['startMs'] : 0;
  const durationMs = typeof spec['durationMs'] === 'number' ? spec['durationMs'] : Number.POSITIVE_INFINITY;
  return { startMs, endMs: startMs + durationMs };
}

/** Probability at `offsetMs` (inside the window). */
export function probabilityAt(probability: ProbabilitySpec | undefined, window: Window, offsetMs: number): number {
  if (probability === undefined) return 1;
  if (typeof probability === 'number') return probability;
  const span = probability.overMs ?? window.endMs - window.startMs;
  if (!Number.isFinite(span)) return probability.to;
  const progress = Math.min(1, Math.max(0, (offsetMs - window.startMs) / span));
  return probability.from + (probability.to - probability.from) * progress;
}
