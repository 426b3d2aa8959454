/**
 * Thresholds: pass/fail criteria over a run's Result, written as short expressions and parsed once
 * (after k6's `p(95)<200`). A failed threshold makes `pushsim run` exit 99 (core/exit-codes.ts), so CI
 * can tell "the SLO failed" from "the config is broken" (104).
 *
 *   p(99)<250              99th percentile latency of accepted notifications, ms
 *   p(99.9, rejected)<500  … of another outcome
 *   rate(accepted)>=0.97   share of scheduled notifications that ended so
 *   count(failed)==0       a count: an outcome, or retries / fallbacks / duplicates / attempts
 *   throughput>=4000       achieved notifications per second
 */
import { decodeHistogram } from '../reports/histogram.js';
import type { Result } from '../reports/result.js';
import { outcomeStatuses } from '../sender/outcome.js';
import type { OutcomeStatus } from '../sender/outcome.js';

type Operator = '<' | '<=' | '>' | '>=' | '==';

export type Metric =
  | { readonly kind: 'percentile'; readonly percentile: number; readonly outcome: OutcomeStatus }
  | { readonly kind: 'rate'; readonly outcome: OutcomeStatus }
  | { readonly kind: 'count'; readonly counter: Counter }
  | { readonly kind: 'throughput' };

type Counter = OutcomeStatus | 'retries' | 'fallbacks' | 'duplicates' | 'attempts' | 'scheduled';
const counters: readonly Counter[] = [...outcomeStatuses, 'retries', 'fallbacks', 'duplicates', 'attempts', 'scheduled'];

export interface Threshold {
  readonly expression: string;
  readonly metric: Metric;
  readonly operator: Operator;
  readonly value: number;
}

export interface ThresholdVerdict {
  readonly expression: string;
  /** The measured value; null when the result has no such measurement (which fails the threshold). */
  readonly actual: number | null;
  readonly passed: boolean;
}

const pattern = /^\s*(p|rate|count|throughput)\s*(?:\(\s*([^)]*?)\s*\))?\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

/** Parses one expression; returns the threshold or a message saying what is wrong and how to write it. */
export function parseThreshold(expression: string): Threshold | string {
  const match = pattern.exec(expression);
  if (!match) return `"${expression}" is not a threshold; write e.g. p(99)<250, rate(accepted)>=0.97, count(failed)==0 or throughput>=1000`;
  const [, name, args = '', operator, number] = match as unknown as [string, string, string | undefined, Operator, string];
  const value = Number(number);
  const parts = args === '' ? [] : args.split(',').map((a) => a.trim());
  const outcome = (raw: string | undefined, fallback: OutcomeStatus): OutcomeStatus | string => {
    if (raw === undefined) return fallback;
    return (outcomeStatuses as readonly string[]).includes(raw) ? (raw as OutcomeStatus) : `"${expression}": unknown outcome "${raw}" (one of ${outcomeStatuses.join(', ')})`;
  };
  switch (name) {
    case 'p': {
      const percentile = Number(parts[0]);
      if (parts.length === 0 || parts.length > 2 || !(percentile > 0 && percentile <= 100)) return `"${expression}": p() takes a percentile from 0 to 100 and optionally an outcome, e.g. p(99) or p(99.9, rejected)`;
      const o = outcome(parts[1], 'accepted');
      return o in { accepted: 1, rejected: 1, failed: 1, expired: 1, dropped: 1 } ? { expression, metric: { kind: 'percentile', percentile, outcome: o as OutcomeStatus }, operator, value } : o;
    }
    case 'rate': {
      if (parts.length !== 1) return `"${expression}": rate() takes one outcome, e.g. rate(accepted)`;
      const o = outcome(parts[0], 'accepted');
      return outcomeStatuses.includes(o as OutcomeStatus) ? { expression, metric: { kind: 'rate', outcome: o as OutcomeStatus }, operator, value } : o;
    }
    case 'count': {
      if (parts.length !== 1 || !(counters as readonly string[]).includes(parts[0] as string)) return `"${expression}": count() takes one of ${counters.join(', ')}`;
      return { expression, metric: { kind: 'count', counter: parts[0] as Counter }, operator, value };
    }
    default:
      if (parts.length > 0) return `"${expression}": throughput takes no argument`;
      return { expression, metric: { kind: 'throughput' }, operator, value };
  }
}

/** Every problem of a list of expressions (path-prefixed), for scenario validation. */
export function validateThresholds(expressions: readonly string[], path = 'thresholds'): string[] {
  return expressions.flatMap((e, i) => {
    const parsed = parseThreshold(e);
    return typeof parsed === 'string' ? [`${path}[${i}]: ${parsed}`] : [];
  });
}

export function evaluateThresholds(expressions: readonly string[], result: Result): ThresholdVerdict[] {
  return expressions.map((expression) => {
    const threshold = parseThreshold(expression);
    if (typeof threshold === 'string') return { expression, actual: null, passed: false };
    const actual = measure(threshold.metric, result);
    return { expression, actual, passed: actual !== null && compare(actual, threshold.operator, threshold.value) };
  });
}

function measure(metric: Metric, result: Result): number | null {
  const { counts } = result;
  switch (metric.kind) {
    case 'percentile': {
      const entry = result.latencyMs[metric.outcome];
      if (entry.count === 0) return null;
      // Any percentile, from the full histogram the result carries.
      const histogram = decodeHistogram(entry.hdr);
      try {
        return histogram.percentileMs(metric.percentile);
      } finally {
        histogram.destroy();
      }
    }
    case 'rate':
      return counts.scheduled === 0 ? null : counts[metric.outcome] / counts.scheduled;
    case 'count':
      return counts[metric.counter] ?? null;
    case 'throughput':
      return result.rate.achieved;
  }
}

function compare(actual: number, operator: Operator, value: number): boolean {
  switch (operator) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
      return actual === value;
  }
}
