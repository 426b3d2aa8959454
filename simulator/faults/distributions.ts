/**
 * Latency distributions for the latency fault: the four of simulator/distributions.ts (reused as is)
 * plus two shapes real providers show under stress, kept here because distributions.ts belongs to
 * the APNs mock:
 *  - pareto: heavy tail, `scaleMs / U^(1/shape)` (inverse CDF), optionally capped at `maxMs`;
 *  - bimodal: most requests fast, a fraction slow (a cache miss, a failover, a GC pause).
 */
import { createSampler, latencyKinds, validateLatencySpec } from '../distributions.js';
import type { LatencySampler, LatencySpec } from '../distributions.js';
import type { Random } from '../random.js';
import { describe, isRecord } from './check.js';
import { pushAll } from '../../core/arrays.js';

export type FaultLatencySpec =
  | LatencySpec
  | { readonly kind: 'pareto'; readonly scaleMs: number; readonly shape: number; readonly maxMs?: number }
  | { readonly kind: 'bimodal'; readonly fast: LatencySpec; readonly slow: LatencySpec; readonly slowFraction: number };

export const faultLatencyKinds: readonly string[] = [...latencyKinds, 'pareto', 'bimodal'];

/** Every problem, prefixed with `at` (e.g. `faults[0].distribution`). */
export function validateFaultLatency(spec: unknown, at: string): string[] {
  if (!isRecord(spec)) return [`${at} must be an object like { kind: 'fixed', ms: 5 }, got ${describe(spec)}`];
  const rename = (problem: string): string => problem.replace(/^latency/, at);
  if (spec['kind'] === 'pareto') {
    const problems: string[] = [];
    for (const key of Object.keys(spec)) {
      if (!['kind', 'scaleMs', 'shape', 'maxMs'].includes(key)) problems.push(`${at}.${key} is not a field of kind 'pareto' (fields: scaleMs, shape, maxMs)`);
    }
    const positive = (field: string, optional: boolean): void => {
      const value = spec[field];
      if (optional && value === undefined) return;
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) problems.push(`${at}.${field} must be a number > 0, got ${describe(value)}`);
    };
    positive('scaleMs', false);
    positive('shape', false);
    positive('maxMs', true);
    return problems;
  }
  if (spec['kind'] === 'bimodal') {
    const problems: string[] = [];
    for (const key of Object.keys(spec)) {
      if (!['kind', 'fast', 'slow', 'slowFraction'].includes(key)) problems.push(`${at}.${key} is not a field of kind 'bimodal' (fields: fast, slow, slowFraction)`);
    }
    pushAll(problems, validateLatencySpec(spec['fast']).map((p) => p.replace(/^latency/, `${at}.fast`)));
    pushAll(problems, validateLatencySpec(spec['slow']).map((p) => p.replace(/^latency/, `${at}.slow`)));
    const fraction = spec['slowFraction'];
    if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) problems.push(`${at}.slowFraction must be a number from 0 to 1, got ${describe(fraction)}`);
    return problems;
  }
  return validateLatencySpec(spec).map((problem) =>
    rename(problem).replace(/must be one of (.*), got/, `must be one of ${faultLatencyKinds.join(', ')}, got`),
  );
}

/** Call validateFaultLatency first; `random` is read once or twice per sample. */
export function createFaultSampler(spec: FaultLatencySpec, random: Random): LatencySampler {
  switch (spec.kind) {
    case 'pareto': {
      const { scaleMs, shape } = spec;
      const maxMs = spec.maxMs ?? Number.POSITIVE_INFINITY;
      // 1 - next() is in (0, 1], so the power stays finite.
      return () => Math.min(maxMs, scaleMs / Math.pow(1 - random.next(), 1 / shape));
    }
    case 'bimodal': {
      const fast = createSampler(spec.fast, random);
      const slow = createSampler(spec.slow, random);
      const { slowFraction } = spec;
      return () => (random.next() < slowFraction ? slow() : fast());
    }
    default:
      return createSampler(spec, random);
  }
}
