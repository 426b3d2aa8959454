/** The tests behind `compare`, checked against tabulated values and brute force. */
import { describe, expect, it } from 'vitest';
import { mannWhitneyGreater, median, normalCdf, normalQuantile, quantileRankInterval, twoProportionPValue } from '../../reports/statistics.js';
import { countRatioPValue, minimumPValue } from '../../reports/compare-judge.js';

/** P(B ≤ k) for B ~ Binomial(n, p), summed directly (from the side where (1 − p)^n does not underflow). */
function binomialCdf(n: number, p: number, k: number): number {
  if (p > 0.5) return k >= n ? 1 : 1 - binomialCdf(n, 1 - p, n - k - 1);
  if (k < 0) return 0;
  let total = 0;
  let pmf = (1 - p) ** n;
  for (let i = 0; i <= k; i++) {
    total += pmf;
    pmf *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return total;
}

describe('normal distribution', () => {
  it('matches tabulated values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-2.326348)).toBeCloseTo(0.01, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('quantileRankInterval', () => {
  it('gives the tabulated ranks for the median of 20 (6th and 15th, 95.9 % coverage)', () => {
    expect(quantileRankInterval(20, 0.5)).toEqual({ lower: 6, upper: 15 });
  });

  it('covers the quantile with at least the confidence asked for, exactly computed, for small samples', () => {
    for (const [n, q] of [[30, 0.9], [200, 0.99], [500, 0.999], [50, 0.1], [1000, 0.95]] as const) {
      const { lower, upper } = quantileRankInterval(n, q, 0.95);
      // Coverage = P(lower ≤ B ≤ upper − 1), B the number of values below the quantile; an open side covers all.
      const below = lower < 1 ? 0 : binomialCdf(n, q, lower - 1);
      const above = upper > n ? 0 : 1 - binomialCdf(n, q, upper - 1);
      expect(1 - below - above).toBeGreaterThanOrEqual(0.95 - 1e-9);
    }
  });

  it('leaves a side open when the sample cannot bound it: p99.9 of 500 values has no upper bound', () => {
    const { lower, upper } = quantileRankInterval(500, 0.999);
    expect(upper).toBe(501);
    expect(lower).toBeGreaterThan(490);
    expect(quantileRankInterval(0, 0.5)).toEqual({ lower: 0, upper: 1 });
  });

  it('narrows as the sample grows, around n·q (normal approximation for large samples)', () => {
    const { lower, upper } = quantileRankInterval(100_000, 0.5);
    expect(lower).toBeLessThan(50_000);
    expect(upper).toBeGreaterThan(50_000);
    // ±1.96·√(n·q·(1−q)) = ±310 ranks, plus the continuity correction.
    expect(upper - lower).toBeGreaterThan(600);
    expect(upper - lower).toBeLessThan(640);
  });
});

describe('mannWhitneyGreater', () => {
  it('is exact for few runs: 3 candidates above 3 bases have p = 1/20', () => {
    expect(mannWhitneyGreater([1, 2, 3], [4, 5, 6])).toEqual({ u: 9, pValue: 0.05 });
    expect(mannWhitneyGreater([4, 5, 6], [1, 2, 3])).toEqual({ u: 0, pValue: 1 });
    // One candidate below one base: U = 8, P(U ≥ 8) = 2/20.
    expect(mannWhitneyGreater([1, 2, 4], [3, 5, 6]).pValue).toBeCloseTo(0.1, 12);
    expect(mannWhitneyGreater([], [1]).pValue).toBe(1);
  });

  it('counts ties as a half and stays conservative', () => {
    // U = 4.5 is read as 5: P(U ≥ 5) = 1/2 for 3 and 3.
    expect(mannWhitneyGreater([1, 1, 1], [1, 1, 1])).toEqual({ u: 4.5, pValue: 0.5 });
  });

  it('uses the normal approximation beyond 400 pairs, agreeing with the exact tail', () => {
    const base = Array.from({ length: 25 }, (_, i) => i);
    const candidate = Array.from({ length: 25 }, (_, i) => i + 6);
    const approximate = mannWhitneyGreater(base, candidate).pValue;
    const exact = mannWhitneyGreater(base.slice(0, 20), candidate.slice(0, 20)).pValue;
    expect(approximate).toBeGreaterThan(0);
    expect(approximate).toBeLessThan(0.05);
    expect(exact).toBeLessThan(0.1);
  });
});

describe('count tests', () => {
  it('two proportions: one-sided, 1 for equal or empty samples', () => {
    expect(twoProportionPValue(10, 1000, 10, 1000)).toBeCloseTo(0.5, 6);
    expect(twoProportionPValue(0, 1000, 0, 1000)).toBe(1);
    expect(twoProportionPValue(10, 0, 10, 1000)).toBe(1);
    expect(twoProportionPValue(100, 10_000, 160, 10_000)).toBeLessThan(0.001);
    expect(twoProportionPValue(160, 10_000, 100, 10_000)).toBeGreaterThan(0.999);
  });

  it('two counts per unit (retries): the candidate share of the total against its share of the units', () => {
    expect(countRatioPValue(0, 1000, 0, 1000)).toBe(1);
    expect(countRatioPValue(10, 1000, 100, 1000)).toBeLessThan(0.001);
    expect(countRatioPValue(50, 1000, 50, 1000)).toBeGreaterThan(0.4);
  });

  it('the smallest p-value a rank test reaches: 1 / C(n1 + n2, n1)', () => {
    expect(minimumPValue(3, 3)).toBeCloseTo(1 / 20, 12);
    expect(minimumPValue(2, 2)).toBeCloseTo(1 / 6, 12);
    expect(minimumPValue(1, 5)).toBeCloseTo(1 / 6, 12);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
