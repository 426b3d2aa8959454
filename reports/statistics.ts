/**
 * The few statistical tests `compare` needs, written out because each is a handful of lines and
 * none of the JavaScript statistics packages has all three with exact small-sample forms:
 *
 *  - order-statistic (binomial) confidence intervals for a quantile: distribution-free, so they
 *    hold for any latency shape, and cheap from an HDR histogram (two rank look-ups);
 *  - the two-proportion z-test, for error and duplicate rates;
 *  - the Mann–Whitney U test, exact for the handful of runs a CI job repeats, for metrics measured
 *    once per run.
 *
 * References: Conover, "Practical Nonparametric Statistics" §3.2 (quantile intervals) and §5.1
 * (Mann–Whitney); Hahn & Meeker, "Statistical Intervals" §5.2.
 */

/** Standard normal CDF Φ(z) (Abramowitz & Stegun 7.1.26 on erf; absolute error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** z with Φ(z) = p, 0 < p < 1 (Acklam's rational approximation; relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/**
 * Ranks (1-based, in a sorted sample of `n`) whose values bound the `q` quantile with at least
 * `confidence` (two-sided): P(X(lower) ≤ ξq ≤ X(upper)) ≥ confidence, whatever the distribution.
 * The number of values below ξq is Binomial(n, q); the ranks are its α/2 and 1 − α/2 quantiles.
 * `lower` is 0 and `upper` is n + 1 when the sample cannot bound that side (too few values, e.g.
 * p99.9 from 500): the interval is open there.
 *
 * Exact (binomial sums from the nearer tail) while n·min(q, 1 − q) ≤ 50, where the normal
 * approximation is poor; beyond that, the normal approximation with a continuity correction.
 */
export function quantileRankInterval(n: number, q: number, confidence = 0.95): { lower: number; upper: number } {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a whole number >= 0, got ${n}`);
  if (!(q > 0 && q < 1)) throw new RangeError(`q must be in (0, 1), got ${q}`);
  if (n === 0) return { lower: 0, upper: 1 };
  const alpha = (1 - confidence) / 2;
  if (n * Math.min(q, 1 - q) <= 50) return exactRanks(n, q, alpha);
  const z = normalQuantile(1 - alpha);
  const mean = n * q;
  const sd = Math.sqrt(n * q * (1 - q));
  const lower = Math.floor(mean - z * sd - 0.5);
  const upper = Math.ceil(mean + z * sd + 0.5) + 1;
  return { lower: lower < 1 ? 0 : lower, upper: upper > n ? n + 1 : upper };
}

/**
 * Binomial(n, q) CDF from the tail the quantile is near: for q ≥ ½ it sums the upper tail
 * P(B ≥ k) term by term, so even n in the millions costs a few hundred terms when n·(1 − q) is small.
 */
function exactRanks(n: number, q: number, alpha: number): { lower: number; upper: number } {
  // Work with the small tail: below counts for q < ½, mirrored for q > ½.
  const mirrored = q > 0.5;
  const p = mirrored ? 1 - q : q;
  // pmf(k) for B ~ Binomial(n, p), from k = 0 upwards, by the ratio pmf(k+1)/pmf(k).
  let pmf = Math.exp(n * Math.log1p(-p));
  let cdf = 0;
  // lowerRank: largest l with P(B ≤ l − 1) ≤ α  → P(X(l) ≤ ξ) ≥ 1 − α (X(l) ≤ ξ iff B ≥ l).
  // upperRank: smallest u with P(B ≥ u) ≤ α     → P(X(u) ≥ ξ) ≥ 1 − α.
  let small = 0; // largest k with P(B ≤ k − 1) ≤ α
  let large = n + 1; // smallest k with P(B ≥ k) ≤ α
  for (let k = 0; k <= n; k++) {
    // cdf is P(B ≤ k − 1) here.
    if (cdf <= alpha) small = k;
    cdf += pmf;
    // P(B ≥ k + 1) = 1 − P(B ≤ k)
    if (1 - cdf <= alpha) {
      large = k + 1;
      break;
    }
    pmf *= ((n - k) / (k + 1)) * (p / (1 - p));
  }
  // In counts below ξ: [small, large] covers B with ≥ 1 − 2α. Ranks in the sorted sample:
  // X(small) ≤ ξ needs B ≥ small; X(large) ≥ ξ needs B < large.
  const lower = small < 1 ? 0 : small;
  const upper = large > n ? n + 1 : large;
  if (!mirrored) return { lower, upper };
  // Mirror: rank r from the bottom of the small-tail problem is rank n + 1 − r from the bottom here.
  return { lower: upper > n ? 0 : n + 1 - upper, upper: lower < 1 ? n + 1 : n + 1 - lower };
}

/**
 * One-sided two-proportion z-test (pooled): the p-value of H0 "the candidate's rate is not higher"
 * against x2/n2 > x1/n1. 1 when either sample is empty or both rates are 0 or 1.
 */
export function twoProportionPValue(x1: number, n1: number, x2: number, n2: number): number {
  if (n1 <= 0 || n2 <= 0) return 1;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return 1;
  return 1 - normalCdf((x2 / n2 - x1 / n1) / se);
}

/**
 * One-sided Mann–Whitney U test: the p-value of H0 "the candidate's values are not stochastically
 * larger than the base's" (use negated values for "smaller"). Exact (all orderings equally likely,
 * by the classic recurrence) while n1·n2 ≤ 400, ties counted ½ (then slightly conservative); the
 * normal approximation with a tie correction beyond. Also returns U (pairs where the candidate is
 * larger, ties ½), so `U / (n1·n2)` is the share of base/candidate pairs where the candidate is larger.
 */
export function mannWhitneyGreater(base: readonly number[], candidate: readonly number[]): { u: number; pValue: number } {
  const n1 = base.length;
  const n2 = candidate.length;
  if (n1 === 0 || n2 === 0) return { u: 0, pValue: 1 };
  let u = 0;
  for (const c of candidate) for (const b of base) u += c > b ? 1 : c === b ? 0.5 : 0;
  if (n1 * n2 <= 400) return { u, pValue: exactUpperTail(n1, n2, u) };
  const all = [...base, ...candidate].sort((a, b) => a - b);
  let ties = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j] === all[i]) j++;
    const t = j - i;
    ties += t * t * t - t;
    i = j;
  }
  const n = n1 + n2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))));
  if (sd === 0) return { u, pValue: 1 };
  return { u, pValue: 1 - normalCdf((u - (n1 * n2) / 2 - 0.5) / sd) };
}

/** P(U ≥ u) under H0, from the count of orderings with each U (Mann & Whitney 1947 recurrence). */
function exactUpperTail(n1: number, n2: number, u: number): number {
  // counts[a][b] = frequencies of U for samples of a and b, built up; U ranges over 0..a·b.
  // With no base value U is 0 whatever the candidates: one ordering each.
  let previous: number[][] = Array.from({ length: n2 + 1 }, () => [1]);
  for (let a = 1; a <= n1; a++) {
    const current: number[][] = [];
    for (let b = 0; b <= n2; b++) {
      const row = new Array<number>(a * b + 1).fill(0);
      // The largest value is the candidate's (adds a to U: it beats all a base values) or the base's.
      const withCandidateLast = b > 0 ? (current[b - 1] as number[]) : undefined;
      const withBaseLast = previous[b] as number[];
      for (let k = 0; k <= a * b; k++) {
        const fromCandidate = withCandidateLast !== undefined && k - a >= 0 ? (withCandidateLast[k - a] ?? 0) : 0;
        row[k] = fromCandidate + (withBaseLast[k] ?? 0);
      }
      current.push(row);
    }
    previous = current;
  }
  const counts = previous[n2] as number[];
  const total = counts.reduce((sum, c) => sum + c, 0);
  // Ties count ½ in u: round up to the next achievable integer so the test stays conservative.
  const from = Math.ceil(u - 1e-9);
  let tail = 0;
  for (let k = from; k < counts.length; k++) tail += counts[k] ?? 0;
  return tail / total;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
