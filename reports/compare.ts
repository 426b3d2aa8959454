/**
 * Compares two results — a baseline and a candidate — metric by metric, and says which metrics got
 * worse by more than a tolerance. `formatComparison` prints it; `pushsim compare` exits 98 on any
 * regression so CI can fail a change that makes delivery slower or less reliable.
 *
 * Pure functions of the two Results: they can come from live runs, files or `mergeResults`.
 */
import { assertNumber } from '../core/errors.js';
import { checkInvariant } from './result.js';
import type { LatencyEntry, Result } from './result.js';
import { safe, table } from './format.js';
import { pushAll } from '../core/arrays.js';

/** How much worse the candidate may be before a metric counts as a regression. */
export interface CompareTolerances {
  /** Largest latency increase (p50 to p99.9, end to end and per attempt), in % of the base. @default 10 */
  readonly maxLatencyIncreasePct?: number;
  /**
   * A latency increase up to this many ms is never a regression, whatever its percentage: against a
   * local mock, p50 moves by tenths of a millisecond from run to run. @default 1
   */
  readonly minLatencyIncreaseMs?: number;
  /** Largest drop of the achieved rate, in % of the base. @default 5 */
  readonly maxThroughputDropPct?: number;
  /** Largest increase of the error rate, in percentage points. @default 0.5 */
  readonly maxErrorRateIncreasePp?: number;
  /** Largest increase of retries per scheduled notification (0.05 = 5 more retries per 100). @default 0.05 */
  readonly maxRetriesIncrease?: number;
  /** Largest increase of duplicate deliveries, in percentage points of scheduled notifications. @default 0.1 */
  readonly maxDuplicateRateIncreasePp?: number;
}

export const DEFAULT_TOLERANCES: Required<CompareTolerances> = {
  maxLatencyIncreasePct: 10,
  minLatencyIncreaseMs: 1,
  maxThroughputDropPct: 5,
  maxErrorRateIncreasePp: 0.5,
  maxRetriesIncrease: 0.05,
  maxDuplicateRateIncreasePp: 0.1,
};

export type MetricUnit = 'ms' | '/s' | '%' | 'per notification';

export interface MetricComparison {
  /** Stable identifier: `rate.achieved`, `latency.accepted.p99`, `latency.attempt.max`, `errorRate`, `retriesPerNotification`, `duplicateRate`. */
  readonly key: string;
  readonly label: string;
  /** `%` values are percentages (2.5 = 2.5 %), so `change` is in percentage points. */
  readonly unit: MetricUnit;
  readonly better: 'lower' | 'higher';
  readonly base: number;
  readonly candidate: number;
  /** candidate − base. */
  readonly change: number;
  /** change / base; null when the base is 0. */
  readonly relativeChange: number | null;
  /** The worst candidate value still accepted: an upper bound when lower is better, else a lower bound. */
  readonly limit: number;
  /** false for a metric shown for information only (latency max: one sample), never a regression. */
  readonly gated: boolean;
  readonly regression: boolean;
}

export interface RunInfo {
  readonly startedAt: string;
  readonly scenario?: string;
  readonly target?: string;
}

export interface Comparison {
  readonly base: RunInfo;
  readonly candidate: RunInfo;
  readonly tolerances: Required<CompareTolerances>;
  readonly metrics: readonly MetricComparison[];
  /** Keys of the metrics that regressed, in table order; empty when none did. */
  readonly regressions: readonly string[];
  /** Why something was not compared, or why the comparison may mislead. */
  readonly notes: readonly string[];
}

/**
 * Compares `candidate` against `base`. Latency is compared only when both have values (accepted
 * latency when both accepted something, attempt latency when both recorded it); retries and
 * duplicates only when both results count them. Error rate = (rejected + failed + expired +
 * dropped) / scheduled. Throws InvalidArgumentError for a negative or non-finite tolerance.
 */
export function compareResults(base: Result, candidate: Result, options: CompareTolerances = {}): Comparison {
  const tolerances = resolveTolerances(options);
  const metrics: MetricComparison[] = [];
  const notes: string[] = [];

  const throughputFloor = (b: number): number => b * (1 - tolerances.maxThroughputDropPct / 100);
  metrics.push(metric('rate.achieved', 'achieved rate', '/s', 'higher', base.rate.achieved, candidate.rate.achieved, throughputFloor));

  const latencyCeiling = (b: number): number => Math.max(b * (1 + tolerances.maxLatencyIncreasePct / 100), b + tolerances.minLatencyIncreaseMs);
  const latency = (prefix: string, label: string, b: LatencyEntry | undefined, c: LatencyEntry | undefined): void => {
    if (b === undefined || c === undefined || b.count === 0 || c.count === 0) {
      notes.push(`${label}: not compared, ${b === undefined || b.count === 0 ? 'base' : 'candidate'} has no values`);
      return;
    }
    for (const [p, name] of percentiles) metrics.push(metric(`${prefix}.${p}`, `${label} ${name}`, 'ms', 'lower', b[p], c[p], latencyCeiling));
    // The maximum is one sample: shown, never a regression (it would make CI flaky).
    metrics.push({ ...metric(`${prefix}.max`, `${label} max`, 'ms', 'lower', b.max, c.max, latencyCeiling), gated: false, regression: false });
  };
  latency('latency.accepted', 'latency', base.latencyMs.accepted, candidate.latencyMs.accepted);
  if (base.attemptLatencyMs !== undefined || candidate.attemptLatencyMs !== undefined) {
    latency('latency.attempt', 'attempt latency', base.attemptLatencyMs, candidate.attemptLatencyMs);
  }

  const pp = (tolerance: number) => (b: number) => b + tolerance;
  metrics.push(metric('errorRate', 'error rate', '%', 'lower', errorRate(base), errorRate(candidate), pp(tolerances.maxErrorRateIncreasePp)));

  const { retries: br } = base.counts;
  const { retries: cr } = candidate.counts;
  if (br !== undefined && cr !== undefined) {
    const perNotification = (retries: number, r: Result): number => share(retries, r.counts.scheduled);
    metrics.push(metric('retriesPerNotification', 'retries per notification', 'per notification', 'lower', perNotification(br, base), perNotification(cr, candidate), pp(tolerances.maxRetriesIncrease)));
  } else if (br !== undefined || cr !== undefined) {
    notes.push(`retries: not compared, only the ${br === undefined ? 'candidate' : 'base'} counts them`);
  }

  const { duplicates: bd } = base.counts;
  const { duplicates: cd } = candidate.counts;
  if (bd !== undefined && cd !== undefined) {
    const rate = (duplicates: number, r: Result): number => 100 * share(duplicates, r.counts.scheduled);
    metrics.push(metric('duplicateRate', 'duplicate deliveries', '%', 'lower', rate(bd, base), rate(cd, candidate), pp(tolerances.maxDuplicateRateIncreasePp)));
  } else if (bd !== undefined || cd !== undefined) {
    notes.push(`duplicates: not compared, only the ${bd === undefined ? 'candidate' : 'base'} ran against a mock ledger`);
  }

  if (base.scenario !== candidate.scenario) notes.push(`different scenarios: ${base.scenario ?? '(none)'} vs ${candidate.scenario ?? '(none)'}`);
  for (const [name, r] of [['base', base], ['candidate', candidate]] as const) {
    const broken = checkInvariant(r);
    if (broken !== undefined) notes.push(`${name}: ${broken}`);
  }

  return {
    base: runInfo(base),
    candidate: runInfo(candidate),
    tolerances,
    metrics,
    regressions: metrics.filter((m) => m.regression).map((m) => m.key),
    notes,
  };
}

const percentiles = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
] as const;

function resolveTolerances(options: CompareTolerances): Required<CompareTolerances> {
  const resolved = { ...DEFAULT_TOLERANCES };
  for (const key of Object.keys(DEFAULT_TOLERANCES) as (keyof CompareTolerances)[]) {
    const value = options[key];
    if (value !== undefined) resolved[key] = assertNumber(key, value, 0, key === 'maxThroughputDropPct' ? 100 : Number.MAX_VALUE);
  }
  return resolved;
}

const share = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);

function errorRate(r: Result): number {
  const { rejected, failed, expired, dropped, scheduled } = r.counts;
  return 100 * share(rejected + failed + expired + dropped, scheduled);
}

// Percentages and rates are quotients: 100 * 3 / 10 is 30.000000000000004. Without some slack a
// candidate exactly at the limit could be flagged by floating-point noise.
const SLACK = 1e-9;

function metric(
  key: string,
  label: string,
  unit: MetricUnit,
  better: 'lower' | 'higher',
  base: number,
  candidate: number,
  limitOf: (base: number) => number,
): MetricComparison {
  const limit = limitOf(base);
  const slack = SLACK * Math.max(1, Math.abs(limit));
  const regression = better === 'lower' ? candidate > limit + slack : candidate < limit - slack;
  const change = candidate - base;
  return { key, label, unit, better, base, candidate, change, relativeChange: base === 0 ? null : change / base, limit, gated: true, regression };
}

function runInfo(r: Result): RunInfo {
  return {
    startedAt: r.startedAt,
    ...(r.scenario !== undefined && { scenario: r.scenario }),
    ...(r.target !== undefined && { target: r.target }),
  };
}

export interface FormatComparisonOptions {
  /** ANSI colours (bold heading, green ✓ / red ✗). @default false */
  readonly color?: boolean;
}

/** The comparison as a terminal table, one metric per row, then the verdict and any notes. */
export function formatComparison(comparison: Comparison, options: FormatComparisonOptions = {}): string {
  const paint = (code: string, text: string): string => (options.color === true ? `\x1b[${code}m${text}\x1b[0m` : text);
  const { base, candidate, metrics, regressions, notes } = comparison;
  const lines = [paint('1', `pushsim compare · base ${describeRun(base)} · candidate ${describeRun(candidate)}`), ''];

  const rows = metrics.map((m) => [
    m.unit === 'ms' ? `${m.label} (ms)` : m.label,
    value(m.unit, m.base),
    value(m.unit, m.candidate),
    change(m),
    m.gated ? `${m.better === 'lower' ? '≤' : '≥'} ${value(m.unit, m.limit)}` : '—',
    m.regression ? paint('31', '✗ REGRESSION') : m.gated ? paint('32', '✓') : 'not gated',
  ]);
  const [head = '', ...body] = table([['metric', 'base', 'candidate', 'change', 'limit', ''], ...rows], (column, columns) => column === 0 || column === columns - 1);
  lines.push(paint('1', head));
  pushAll(lines, body);
  lines.push('');

  const t = comparison.tolerances;
  lines.push(
    regressions.length === 0
      ? `${paint('32', '✓')} no regression`
      : `${paint('31', '✗')} ${regressions.length} regression(s): ${metrics.filter((m) => m.regression).map((m) => m.label).join(', ')}`,
  );
  lines.push(
    `tolerances: latency +${t.maxLatencyIncreasePct}% (and > ${t.minLatencyIncreaseMs} ms) · throughput −${t.maxThroughputDropPct}% · error rate +${t.maxErrorRateIncreasePp} pp` +
      ` · retries +${t.maxRetriesIncrease}/notification · duplicates +${t.maxDuplicateRateIncreasePp} pp`,
  );
  if (notes.length > 0) pushAll(lines, ['', 'notes:', ...notes.map((note) => `  - ${safe(note)}`)]);
  return `${lines.join('\n')}\n`;
}

function describeRun(run: RunInfo): string {
  return `${run.scenario === undefined ? '' : `${safe(run.scenario)} `}(${safe(run.startedAt)})`;
}

function value(unit: MetricUnit, n: number): string {
  switch (unit) {
    case 'ms':
      return n.toFixed(n < 1 ? 3 : 2);
    case '/s':
      return `${n.toFixed(1)}/s`;
    case '%':
      return `${n.toFixed(2)}%`;
    case 'per notification':
      return n.toFixed(3);
  }
}

/** `+1.5`, `−1.5`, and no sign on a change that rounds to zero. */
function signed(text: string, n: number): string {
  if (Number(/-?[\d.]+/.exec(text)?.[0]) === 0) return text.replace('-', '');
  return n > 0 ? `+${text}` : text.replace('-', '−');
}

function change(m: MetricComparison): string {
  if (m.unit === '%') return `${signed(m.change.toFixed(2), m.change)} pp`;
  if (m.unit === 'per notification') return signed(m.change.toFixed(3), m.change);
  const relative = m.relativeChange === null ? '' : ` (${signed(`${(100 * m.relativeChange).toFixed(1)}%`, m.relativeChange)})`;
  return `${signed(value(m.unit, m.change), m.change)}${relative}`;
}
