/**
 * Compares a baseline with a candidate — one run each, or several runs of each — metric by metric,
 * and says which metrics got worse. A metric is a regression only when the change is both
 * statistically clear (not what chance and the machine's noise give two runs of the same code) and
 * larger than its practical tolerance. `pushsim compare` exits 98 on any regression so CI can fail
 * the change that made delivery slower or less reliable, and only that. docs/compare.md has the
 * method and the measurements behind it.
 *
 * Pure functions of the Results: they can come from live runs, files or `mergeResults`.
 */
import { InvalidArgumentError, assertNumber } from '../core/errors.js';
import { checkInvariant } from './result.js';
import type { LatencyEntry, Result } from './result.js';
import { judgeRepeated, judgeSingle, minimumPValue } from './compare-judge.js';
import type { Judgement } from './compare-judge.js';
import { steadyLevel } from './compare-steady.js';
import type { CompareOptions, CompareTolerances, Comparison, MetricComparison, MetricSpec, RunInfo } from './compare-types.js';
import { ms } from './format.js';
export { formatComparison } from './compare-format.js';
export type { FormatComparisonOptions } from './compare-format.js';
export type { CompareOptions, CompareTolerances, Comparison, Evidence, MetricComparison, MetricSpec, MetricUnit, RunInfo, SteadyCheck } from './compare-types.js';

export const DEFAULT_TOLERANCES: Required<CompareTolerances> = {
  maxLatencyIncreasePct: 10,
  minLatencyIncreaseMs: 1,
  maxThroughputDropPct: 5,
  maxErrorRateIncreasePp: 0.5,
  maxRetriesIncrease: 0.05,
  maxDuplicateRateIncreasePp: 0.1,
};

export const DEFAULT_ALPHA = 0.05;

/**
 * Compares `candidate` against `base`: each one Result, or several runs of the same scenario (at
 * least enough of each for a rank test to reach `alpha`: 3 and 3 at 0.05). Latency is compared
 * only when every run has values (accepted latency when all accepted something, attempt latency
 * when all recorded it); retries and duplicates only when every run counts them. Error rate =
 * (rejected + failed + expired + dropped) / scheduled. Throws InvalidArgumentError for a negative
 * or non-finite tolerance, an alpha outside (0, 0.5], or too few runs.
 */
export function compareResults(base: Result | readonly Result[], candidate: Result | readonly Result[], options: CompareOptions = {}): Comparison {
  const tolerances = resolveTolerances(options);
  const alpha = options.alpha === undefined ? DEFAULT_ALPHA : assertNumber('alpha', options.alpha, Number.MIN_VALUE, 0.5);
  const bases = Array.isArray(base) ? (base as readonly Result[]) : [base as Result];
  const candidates = Array.isArray(candidate) ? (candidate as readonly Result[]) : [candidate as Result];
  if (bases.length === 0 || candidates.length === 0) throw new InvalidArgumentError('compare needs at least one base and one candidate result');
  const repeated = bases.length > 1 || candidates.length > 1;
  if (repeated) {
    const floor = minimumPValue(bases.length, candidates.length);
    if (floor > alpha) {
      throw new InvalidArgumentError(
        `${bases.length} base and ${candidates.length} candidate run(s) cannot show a difference at alpha ${alpha}: the smallest p-value a rank test ` +
          `reaches with them is ${floor.toPrecision(2)}. Give one run of each, or at least 3 of each (more for a smaller alpha)`,
      );
    }
  }

  const notes: string[] = [];
  const specs = metricSpecs(bases, candidates, tolerances, notes);
  const judged: Judgement[] = repeated
    ? specs.map((spec) => judgeRepeated(spec, bases, candidates, alpha))
    : specs.map((spec) => judgeSingle(spec, bases[0] as Result, candidates[0] as Result, alpha, latencyCeiling(tolerances)));
  const metrics = judged.map(({ spec, base: b, candidate: c, clear, evidence }) => {
    const limit = spec.limitOf(b);
    const slack = SLACK * Math.max(1, Math.abs(limit));
    const beyondTolerance = spec.better === 'lower' ? c > limit + slack : c < limit - slack;
    const change = c - b;
    const confirmed = evidence?.steady?.confirmed !== false;
    return {
      key: spec.key,
      label: spec.label,
      unit: spec.unit,
      better: spec.better,
      base: b,
      candidate: c,
      change,
      relativeChange: b === 0 ? null : change / b,
      limit,
      gated: spec.gated,
      beyondTolerance,
      clear,
      ...(evidence !== undefined && { evidence }),
      regression: spec.gated && beyondTolerance && clear && confirmed,
    } satisfies MetricComparison;
  });
  if (!repeated) notes.push(...steadinessNotes(metrics, bases[0] as Result, candidates[0] as Result, tolerances));

  if (new Set([...bases, ...candidates].map((r) => r.scenario)).size > 1) {
    notes.push(`different scenarios: ${[...new Set([...bases, ...candidates].map((r) => r.scenario ?? '(none)'))].join(' vs ')}`);
  }
  for (const [name, runs] of [['base', bases], ['candidate', candidates]] as const) {
    runs.forEach((r, i) => {
      const run = `${name}${runs.length > 1 ? ` run ${i + 1}` : ''}`;
      const broken = checkInvariant(r);
      if (broken !== undefined) notes.push(`${run}: ${broken}`);
      // An overloaded run measured pushsim and the machine, not the target (`pushsim run` exit 97).
      if (r.validity?.valid === false) notes.push(`${run} is not a valid measurement of the target (${r.validity.reasons.join('; ')}): its latency and rate are pushsim's own`);
    });
  }

  return {
    base: runInfo(bases[0] as Result),
    candidate: runInfo(candidates[0] as Result),
    method: repeated ? 'repeated-runs' : 'single-run',
    runs: { base: bases.map(runInfo), candidate: candidates.map(runInfo) },
    alpha,
    tolerances,
    metrics,
    regressions: metrics.filter((m) => m.regression).map((m) => m.key),
    notes,
  };
}

const percentiles = [
  ['p50', 'p50', 0.5, ['p50']],
  ['p90', 'p90', 0.9, ['p50', 'p99']],
  ['p99', 'p99', 0.99, ['p99']],
  ['p999', 'p99.9', 0.999, ['p99']],
] as const;

const latencyCeiling =
  (t: Required<CompareTolerances>) =>
  (b: number): number =>
    Math.max(b * (1 + t.maxLatencyIncreasePct / 100), b + t.minLatencyIncreaseMs);

/** The metrics every run can give, in table order; what cannot be compared goes to `notes`. */
function metricSpecs(bases: readonly Result[], candidates: readonly Result[], t: Required<CompareTolerances>, notes: string[]): MetricSpec[] {
  const all = [...bases, ...candidates];
  const specs: MetricSpec[] = [
    {
      key: 'rate.achieved',
      label: 'achieved rate',
      unit: '/s',
      better: 'higher',
      gated: true,
      limitOf: (b) => b * (1 - t.maxThroughputDropPct / 100),
      value: (r) => r.rate.achieved,
    },
  ];

  const latency = (prefix: string, label: string, entry: (r: Result) => LatencyEntry | undefined): void => {
    const empty = (runs: readonly Result[]): boolean => runs.some((r) => (entry(r)?.count ?? 0) === 0);
    if (empty(bases) || empty(candidates)) {
      notes.push(`${label}: not compared, ${empty(bases) ? 'base' : 'candidate'} has no values`);
      return;
    }
    const get = (r: Result): LatencyEntry => entry(r) as LatencyEntry;
    for (const [p, name, q, series] of percentiles) {
      specs.push({ key: `${prefix}.${p}`, label: `${label} ${name}`, unit: 'ms', better: 'lower', gated: true, limitOf: latencyCeiling(t), value: (r) => get(r)[p], latency: { entry: get, q, series } });
    }
    // The maximum is one sample: shown, never a regression (it would make CI flaky).
    specs.push({ key: `${prefix}.max`, label: `${label} max`, unit: 'ms', better: 'lower', gated: false, limitOf: latencyCeiling(t), value: (r) => get(r).max });
  };
  latency('latency.accepted', 'latency', (r) => r.latencyMs.accepted);
  if (all.some((r) => r.attemptLatencyMs !== undefined)) latency('latency.attempt', 'attempt latency', (r) => r.attemptLatencyMs);

  const pp = (tolerance: number) => (b: number) => b + tolerance;
  specs.push({
    key: 'errorRate',
    label: 'error rate',
    unit: '%',
    better: 'lower',
    gated: true,
    limitOf: pp(t.maxErrorRateIncreasePp),
    value: (r) => 100 * share(errors(r), r.counts.scheduled),
    counts: { test: 'two-proportion', of: (r) => ({ events: errors(r), total: r.counts.scheduled }) },
  });

  const optional = (counter: 'retries' | 'duplicates', spec: Omit<MetricSpec, 'counts'>, missing: (side: string) => string): void => {
    const has = (runs: readonly Result[]): boolean => runs.every((r) => r.counts[counter] !== undefined);
    if (has(bases) && has(candidates)) {
      specs.push({ ...spec, counts: { test: 'count-ratio', of: (r) => ({ events: r.counts[counter] ?? 0, total: r.counts.scheduled }) } });
    } else if (all.some((r) => r.counts[counter] !== undefined)) {
      notes.push(missing(has(bases) ? 'candidate' : 'base'));
    }
  };
  optional(
    'retries',
    { key: 'retriesPerNotification', label: 'retries per notification', unit: 'per notification', better: 'lower', gated: true, limitOf: pp(t.maxRetriesIncrease), value: (r) => share(r.counts.retries ?? 0, r.counts.scheduled) },
    (side) => `retries: not compared, the ${side === 'candidate' ? 'candidate does' : 'base does'} not count them`,
  );
  optional(
    'duplicates',
    { key: 'duplicateRate', label: 'duplicate deliveries', unit: '%', better: 'lower', gated: true, limitOf: pp(t.maxDuplicateRateIncreasePp), value: (r) => 100 * share(r.counts.duplicates ?? 0, r.counts.scheduled) },
    (side) => `duplicates: not compared, the ${side} did not run against a mock ledger`,
  );
  return specs;
}

/**
 * One run each: say why a latency rise was not called a regression (seen over the run but not in
 * its steadiest seconds), when the base run itself looks disturbed (a rise could hide behind it),
 * and when there was no per-second data to check a rise with.
 */
function steadinessNotes(metrics: readonly MetricComparison[], base: Result, candidate: Result, t: Required<CompareTolerances>): string[] {
  const notes: string[] = [];
  const latencyRows = metrics.filter((m) => m.evidence?.test === 'quantile-intervals');
  const vetoed = latencyRows.filter((m) => m.gated && m.beyondTolerance && m.clear && m.evidence?.steady?.confirmed === false);
  if (vetoed.length > 0) {
    const levels = (['p50', 'p99'] as const).flatMap((series) => {
      const b = steadyLevel(base.timeline, series);
      const c = steadyLevel(candidate.timeline, series);
      return b === undefined || c === undefined ? [] : [`${series} ${ms(b.level)} → ${ms(c.level)} ms`];
    });
    notes.push(
      `${vetoed.map((m) => m.label).join(', ')}: rose over the whole candidate run but not in its steadiest seconds (${levels.join(', ')}): ` +
        'the rise came from part of the run (another process on the machine, a burst), so it is not called a regression from one run each; ' +
        'compare 3 or more runs of each (--base … --candidate …) to judge it',
    );
  }
  const unchecked = latencyRows.filter((m) => m.gated && m.beyondTolerance && m.clear && m.evidence?.steady === undefined);
  if (unchecked.length > 0) {
    notes.push(`${unchecked.map((m) => m.label).join(', ')}: no per-second timeline with 3 or more full seconds in both runs, so judged on the whole-run percentiles alone`);
  }
  const whole = base.latencyMs.accepted;
  const steady = steadyLevel(base.timeline, 'p50');
  if (whole.count > 0 && steady !== undefined && whole.p50 > latencyCeiling(t)(steady.level)) {
    notes.push(
      `the base run looks disturbed: its p50 over the run (${ms(whole.p50)} ms) is beyond the tolerance above its steadiest seconds' (${ms(steady.level)} ms), ` +
        'so a regression may hide behind it; re-run the base, or compare 3 or more runs of each',
    );
  }
  const own = [base, candidate].map(ownShare);
  const [baseOwn, candidateOwn] = own;
  if (metrics.some((m) => m.regression && m.unit === 'ms') && baseOwn !== undefined && candidateOwn !== undefined && candidateOwn > latencyCeiling(t)(baseOwn)) {
    notes.push(
      `pushsim's own share of the latency (end-to-end p50 − attempt p50: time spent inside pushsim) rose too, ${ms(baseOwn)} → ${ms(candidateOwn)} ms: ` +
        'a slower target does not do that, a busier machine (or a slower sender) does; if the machine was busy during the candidate run, re-run it or compare 3 or more runs of each',
    );
  }
  return notes;
}

/** End-to-end p50 less attempt p50: the time a typical notification spent inside pushsim rather than on the wire. */
function ownShare(r: Result): number | undefined {
  const attempt = r.attemptLatencyMs;
  if (attempt === undefined || attempt.count === 0 || r.latencyMs.accepted.count === 0) return undefined;
  return Math.max(0, r.latencyMs.accepted.p50 - attempt.p50);
}

function resolveTolerances(options: CompareTolerances): Required<CompareTolerances> {
  const resolved = { ...DEFAULT_TOLERANCES };
  for (const key of Object.keys(DEFAULT_TOLERANCES) as (keyof CompareTolerances)[]) {
    const value = options[key];
    if (value !== undefined) resolved[key] = assertNumber(key, value, 0, key === 'maxThroughputDropPct' ? 100 : Number.MAX_VALUE);
  }
  return resolved;
}

const share = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);

function errors(r: Result): number {
  const { rejected, failed, expired, dropped } = r.counts;
  return rejected + failed + expired + dropped;
}

// Percentages and rates are quotients: 100 * 3 / 10 is 30.000000000000004. Without some slack a
// candidate exactly at the limit could be flagged by floating-point noise.
const SLACK = 1e-9;

function runInfo(r: Result): RunInfo {
  return {
    startedAt: r.startedAt,
    ...(r.scenario !== undefined && { scenario: r.scenario }),
    ...(r.target !== undefined && { target: r.target }),
  };
}
