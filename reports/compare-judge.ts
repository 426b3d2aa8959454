/**
 * The statistics behind `compare`'s verdicts: for each metric, the value of each side and whether
 * the candidate is worse beyond what noise explains ("clear"). compare.ts adds the practical
 * tolerance; a regression needs both.
 *
 * One run each (judgeSingle) — the noise has to be read from inside the two runs:
 *   latency percentile  distribution-free (1 − alpha) intervals from each HDR histogram (binomial
 *                       ranks), clear when they do not overlap; and, from the per-second timeline,
 *                       the rise must also show in the candidate's steadiest seconds (compare-steady.ts)
 *   achieved rate       clear when the candidate's rate with its drain time taken out is still below
 *                       the base's: the rate is completions over the time from the first send to the
 *                       last answer, so one slow answer at the end lowers it without any throughput lost
 *   error rate          one-sided two-proportion z-test on errors / scheduled
 *   retries, duplicates one-sided test of two Poisson counts per scheduled notification
 *
 * Several runs each (judgeRepeated) — the runs' spread is the noise, whatever causes it:
 *   every metric        one-sided Mann–Whitney U over the runs' values, medians shown
 */
import type { Evidence, MetricSpec, SteadyCheck } from './compare-types.js';
import { steadyLevel } from './compare-steady.js';
import { decodeHistogram } from './histogram.js';
import type { LatencyEntry, Result } from './result.js';
import { mannWhitneyGreater, median, normalCdf, quantileRankInterval, twoProportionPValue } from './statistics.js';

export interface Judgement {
  readonly spec: MetricSpec;
  readonly base: number;
  readonly candidate: number;
  readonly clear: boolean;
  readonly evidence?: Evidence;
}

/** One run each. `ceiling` is the latency tolerance (base → largest accepted value), for the steady check. */
export function judgeSingle(spec: MetricSpec, base: Result, candidate: Result, alpha: number, ceiling: (base: number) => number): Judgement {
  const b = spec.value(base);
  const c = spec.value(candidate);
  const judged = { spec, base: b, candidate: c };
  if (!spec.gated) return { ...judged, clear: false };
  if (spec.latency !== undefined) {
    const { entry, q, series } = spec.latency;
    const baseInterval = quantileInterval(entry(base), q, 1 - alpha);
    const candidateInterval = quantileInterval(entry(candidate), q, 1 - alpha);
    const [candidateLow] = candidateInterval;
    const [, baseHigh] = baseInterval;
    const clear = candidateLow !== null && baseHigh !== null && candidateLow > baseHigh;
    const steady = steadyCheck(series, base, candidate, ceiling);
    return { ...judged, clear, evidence: { test: 'quantile-intervals', baseInterval, candidateInterval, ...(steady !== undefined && { steady }) } };
  }
  if (spec.counts !== undefined) {
    const x = spec.counts.of(base);
    const y = spec.counts.of(candidate);
    const pValue = spec.counts.test === 'two-proportion' ? twoProportionPValue(x.events, x.total, y.events, y.total) : countRatioPValue(x.events, x.total, y.events, y.total);
    return { ...judged, clear: pValue <= alpha, evidence: { test: spec.counts.test, pValue } };
  }
  // The achieved rate (the only other gated metric).
  const bound = rateWithoutDrain(candidate);
  return { ...judged, clear: bound < b, evidence: { test: 'rate-drain', candidateRateBound: round3(bound) } };
}

/** Several runs each: Mann–Whitney over the runs' values, "worse" being higher or lower as the metric says. */
export function judgeRepeated(spec: MetricSpec, bases: readonly Result[], candidates: readonly Result[], alpha: number): Judgement {
  const baseRuns = bases.map((r) => spec.value(r));
  const candidateRuns = candidates.map((r) => spec.value(r));
  const judged = { spec, base: median(baseRuns), candidate: median(candidateRuns) };
  if (!spec.gated) return { ...judged, clear: false };
  const flip = spec.better === 'higher' ? -1 : 1;
  const { pValue } = mannWhitneyGreater(
    baseRuns.map((v) => flip * v),
    candidateRuns.map((v) => flip * v),
  );
  return { ...judged, clear: pValue <= alpha, evidence: { test: 'mann-whitney', pValue, baseRuns, candidateRuns } };
}

/** The smallest one-sided p-value a rank test can reach with these numbers of runs: 1 / C(n1 + n2, n1). */
export function minimumPValue(n1: number, n2: number): number {
  let orderings = 1;
  for (let k = 1; k <= Math.min(n1, n2); k++) orderings = (orderings * (n1 + n2 - Math.min(n1, n2) + k)) / k;
  return 1 / orderings;
}

/** [low, high] of the q quantile in ms at `confidence`; null on a side the sample cannot bound. */
function quantileInterval(entry: LatencyEntry, q: number, confidence: number): [number | null, number | null] {
  const n = entry.count;
  const { lower, upper } = quantileRankInterval(n, q, confidence);
  const histogram = decodeHistogram(entry.hdr);
  try {
    // percentileMs(100·r/n) is the value of rank r: HDR rounds the count at a percentile to the nearest whole one.
    return [lower < 1 ? null : histogram.percentileMs((100 * lower) / n), upper > n ? null : histogram.percentileMs((100 * upper) / n)];
  } finally {
    histogram.destroy();
  }
}

/** The first of `series` whose steady level rose beyond the tolerance, else the first checked; undefined without per-second data. */
function steadyCheck(series: readonly string[], base: Result, candidate: Result, ceiling: (base: number) => number): SteadyCheck | undefined {
  let first: SteadyCheck | undefined;
  for (const name of series as readonly ('p50' | 'p99')[]) {
    const b = steadyLevel(base.timeline, name);
    const c = steadyLevel(candidate.timeline, name);
    if (b === undefined || c === undefined) continue;
    const limit = ceiling(b.level);
    const check: SteadyCheck = { series: name, base: b.level, candidate: c.level, limit: round3(limit), confirmed: c.level > limit, seconds: { base: b.seconds, candidate: c.seconds } };
    if (check.confirmed) return check;
    first ??= check;
  }
  return first;
}

/**
 * The most the candidate's achieved rate can have been: completions over its duration less its
 * slowest completed answer (the run ends when the last answer comes, at most that long after the
 * last send), at most half the run.
 */
function rateWithoutDrain(r: Result): number {
  const { accepted, rejected, failed, expired } = r.counts;
  const completed = accepted + rejected + failed + expired;
  const slowest = Math.max(...(['accepted', 'rejected', 'failed', 'expired'] as const).map((s) => (r.latencyMs[s].count > 0 ? r.latencyMs[s].max : 0)));
  const seconds = (r.durationMs - Math.min(slowest, r.durationMs / 2)) / 1000;
  return seconds > 0 ? completed / seconds : Number.POSITIVE_INFINITY;
}

/**
 * One-sided test that the candidate has more events per unit (x2 per n2) than the base (x1 per n1),
 * for counts that are not proportions (a notification can be retried several times). Given the
 * total x1 + x2, the candidate's share is Binomial(x1 + x2, n2 / (n1 + n2)) when the rates are equal;
 * normal approximation with a continuity correction.
 */
export function countRatioPValue(x1: number, n1: number, x2: number, n2: number): number {
  const total = x1 + x2;
  if (total === 0 || n1 <= 0 || n2 <= 0) return 1;
  const share = n2 / (n1 + n2);
  const sd = Math.sqrt(total * share * (1 - share));
  return 1 - normalCdf((x2 - 0.5 - total * share) / sd);
}

const round3 = (n: number): number => (Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n);
