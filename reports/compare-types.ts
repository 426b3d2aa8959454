/**
 * The shapes of a comparison (compare.ts builds it, compare-judge.ts adds the statistics,
 * compare-format.ts prints it), in a file of their own so those three import one way.
 */
import type { SteadySeries } from './compare-steady.js';
import type { LatencyEntry, Result } from './result.js';

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

export interface CompareOptions extends CompareTolerances {
  /**
   * Significance level of every test: a change counts as clear when chance alone would give one at
   * least as large with probability ≤ alpha (one-sided). Latency percentiles of single runs use
   * (1 − alpha) confidence intervals. @default 0.05
   */
  readonly alpha?: number;
}

export type MetricUnit = 'ms' | '/s' | '%' | 'per notification';

/**
 * Why a change is, or is not, statistically clear. Which fields are set depends on `test`:
 *  - `quantile-intervals` (one run each, latency): distribution-free (1 − alpha) intervals of the
 *    percentile from each run's HDR histogram, clear when they do not overlap; plus `steady`.
 *  - `rate-drain` (one run each, achieved rate): clear when even the candidate's rate with its
 *    drain (the slowest answer, at the end of the run) taken out stays below the base's.
 *  - `two-proportion` (error rate), `count-ratio` (retries, duplicates): one-sided `pValue`.
 *  - `mann-whitney` (several runs each, any metric): one-sided `pValue` over the runs' values.
 */
export interface Evidence {
  readonly test: 'quantile-intervals' | 'rate-drain' | 'two-proportion' | 'count-ratio' | 'mann-whitney';
  readonly pValue?: number;
  /** Interval of the base's percentile, ms; null where too few values bound it (p99.9 of 500 values). */
  readonly baseInterval?: readonly [number | null, number | null];
  readonly candidateInterval?: readonly [number | null, number | null];
  /** The candidate's achieved rate without its drain time: the most it can have been. */
  readonly candidateRateBound?: number;
  /** The metric in each run, for `mann-whitney`. */
  readonly baseRuns?: readonly number[];
  readonly candidateRuns?: readonly number[];
  /** Whether a latency rise of one run also shows in the candidate's steadiest seconds (compare-steady.ts). */
  readonly steady?: SteadyCheck;
}

export interface SteadyCheck {
  /** The per-second series checked: p50 for the p50 and p90 rows, p99 for p90 to p99.9. */
  readonly series: SteadySeries;
  /** Lower decile of the per-second values, ms. */
  readonly base: number;
  readonly candidate: number;
  /** The base's steady level plus the latency tolerance. */
  readonly limit: number;
  readonly confirmed: boolean;
  /** Seconds each steady level comes from. */
  readonly seconds: { readonly base: number; readonly candidate: number };
}

export interface MetricComparison {
  /** Stable identifier: `rate.achieved`, `latency.accepted.p99`, `latency.attempt.max`, `errorRate`, `retriesPerNotification`, `duplicateRate`. */
  readonly key: string;
  readonly label: string;
  /** `%` values are percentages (2.5 = 2.5 %), so `change` is in percentage points. */
  readonly unit: MetricUnit;
  readonly better: 'lower' | 'higher';
  /** The base's value; with several runs, the median of the runs' values. */
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
  /** The candidate is past `limit`. */
  readonly beyondTolerance: boolean;
  /** The candidate is worse beyond what noise explains (see `evidence`). */
  readonly clear: boolean;
  readonly evidence?: Evidence;
  /** gated, beyond the tolerance, clear, and (one run each, latency) confirmed in the steadiest seconds. */
  readonly regression: boolean;
}

export interface RunInfo {
  readonly startedAt: string;
  readonly scenario?: string;
  readonly target?: string;
}

export interface Comparison {
  /** The (first) base run. */
  readonly base: RunInfo;
  /** The (first) candidate run. */
  readonly candidate: RunInfo;
  /** `single-run`: one run each, judged from inside the runs; `repeated-runs`: several each, judged by their spread. */
  readonly method: 'single-run' | 'repeated-runs';
  readonly runs: { readonly base: readonly RunInfo[]; readonly candidate: readonly RunInfo[] };
  readonly alpha: number;
  readonly tolerances: Required<CompareTolerances>;
  readonly metrics: readonly MetricComparison[];
  /** Keys of the metrics that regressed, in table order; empty when none did. */
  readonly regressions: readonly string[];
  /** Why something was not compared or not called a regression, or why the comparison may mislead. */
  readonly notes: readonly string[];
}

/** What a metric is; the judges (compare-judge.ts) add the statistics. */
export interface MetricSpec {
  readonly key: string;
  readonly label: string;
  readonly unit: MetricUnit;
  readonly better: 'lower' | 'higher';
  readonly gated: boolean;
  limitOf(base: number): number;
  value(r: Result): number;
  /** Latency rows: the entry and percentile (0–1), for intervals; the steady series to confirm a rise with. */
  readonly latency?: { readonly entry: (r: Result) => LatencyEntry; readonly q: number; readonly series: readonly SteadySeries[] };
  /** Count rows: events and the number they are out of, per run, for the proportion / count tests. */
  readonly counts?: { readonly test: 'two-proportion' | 'count-ratio'; of(r: Result): { readonly events: number; readonly total: number } };
}
