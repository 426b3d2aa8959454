/**
 * A run's latency in its steadiest seconds, from its per-second timeline: what `compare` checks a
 * latency rise against before it calls one run's rise a regression.
 *
 * Why: on a shared machine, most of the difference between two runs of the same scenario is not
 * sampling noise but other processes taking the CPU for a while. That only ever adds latency, and
 * comes in bursts: in the measured data (docs/compare.md) a disturbed run's p50 doubled in 6 of its
 * 10 seconds while the other 4 read as in an undisturbed run. A slower provider, on the contrary,
 * is slower in every second. So the lower decile of the per-second values (the fastest second of a
 * 10 s run) estimates what the target costs without the disturbance, and a rise that does not show
 * there is not pinned on the candidate from one run each.
 */
import type { TimelineSecond } from './timeline.js';

export type SteadySeries = 'p50' | 'p99';

/** Fewest accepted notifications a second needs for its p50 / p99 to say something (p99 of 200: 2 values above it). */
const minimumPerSecond: Readonly<Record<SteadySeries, number>> = { p50: 20, p99: 200 };

/** Fewest usable seconds for a steady level; with fewer, there is no check. */
export const MIN_STEADY_SECONDS = 3;

export interface SteadyLevel {
  /** The lower decile of the usable seconds' values (their minimum for 10 seconds or fewer), ms. */
  readonly level: number;
  /** Seconds used: every one but the last (partial), with enough accepted notifications. */
  readonly seconds: number;
  /** The highest of those seconds' values: how far the run's seconds spread. */
  readonly highest: number;
}

/** The steady level of one per-second series, or undefined with fewer than MIN_STEADY_SECONDS usable seconds. */
export function steadyLevel(timeline: readonly TimelineSecond[] | undefined, series: SteadySeries): SteadyLevel | undefined {
  if (timeline === undefined) return undefined;
  const values: number[] = [];
  // The last second is cut short by the end of the run: fewer, and the slowest, answers.
  for (const second of timeline.slice(0, -1)) {
    const value = second[series];
    if (value !== null && second.accepted >= minimumPerSecond[series]) values.push(value);
  }
  if (values.length < MIN_STEADY_SECONDS) return undefined;
  values.sort((a, b) => a - b);
  return { level: values[Math.ceil(values.length / 10) - 1] as number, seconds: values.length, highest: values[values.length - 1] as number };
}
