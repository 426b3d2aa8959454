import { describe, expect, it } from 'vitest';
import { createSampler, validateLatencySpec, type LatencySpec } from '../../simulator/distributions.js';
import { createRandom } from '../../simulator/random.js';

const samples = (spec: LatencySpec, n: number, seed = 1): number[] => {
  const sample = createSampler(spec, createRandom(seed));
  return Array.from({ length: n }, sample);
};

describe('validateLatencySpec', () => {
  it.each<LatencySpec>([
    { kind: 'fixed', ms: 0 },
    { kind: 'uniform', minMs: 1, maxMs: 1 },
    { kind: 'normal', meanMs: 10, stddevMs: 0 },
    { kind: 'lognormal', medianMs: 5, sigma: 0.5 },
  ])('accepts %o', (spec) => {
    expect(validateLatencySpec(spec)).toEqual([]);
  });

  it('lists every problem of a spec, naming field and fix', () => {
    expect(validateLatencySpec({ kind: 'uniform', minMs: -1, maxMs: 'x', jitterMs: 3 })).toEqual([
      "latency.jitterMs is not a field of kind 'uniform' (fields: minMs, maxMs)",
      'latency.minMs must be a finite number >= 0, got -1',
      "latency.maxMs must be a finite number >= 0, got 'x'",
    ]);
  });

  it('rejects an inverted range, a zero lognormal median and missing fields', () => {
    expect(validateLatencySpec({ kind: 'uniform', minMs: 9, maxMs: 3 })).toEqual(['latency.maxMs (3) must be >= latency.minMs (9)']);
    expect(validateLatencySpec({ kind: 'lognormal', medianMs: 0, sigma: 1 })).toEqual([
      'latency.medianMs must be > 0 for a lognormal distribution',
    ]);
    expect(validateLatencySpec({ kind: 'normal' })).toEqual([
      'latency.meanMs must be a finite number >= 0, got undefined',
      'latency.stddevMs must be a finite number >= 0, got undefined',
    ]);
    expect(validateLatencySpec({ kind: 'fixed', ms: Number.POSITIVE_INFINITY })).toEqual([
      'latency.ms must be a finite number >= 0, got Infinity',
    ]);
  });

  it('names the known kinds when the kind is wrong, and says what shape is expected for a non-object', () => {
    expect(validateLatencySpec({ kind: 'pareto' })).toEqual(["latency.kind must be one of fixed, uniform, normal, lognormal, recorded, got 'pareto'"]);
    expect(validateLatencySpec(5)).toEqual(["latency must be an object like { kind: 'fixed', ms: 5 }, got 5"]);
    expect(validateLatencySpec(null)).toHaveLength(1);
    expect(validateLatencySpec([])).toHaveLength(1);
  });
});

describe('createSampler', () => {
  it('fixed always returns its value', () => {
    expect(new Set(samples({ kind: 'fixed', ms: 12 }, 100))).toEqual(new Set([12]));
  });

  it('uniform stays within its bounds and covers them', () => {
    const values = samples({ kind: 'uniform', minMs: 10, maxMs: 20 }, 5000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...values)).toBeLessThan(20);
    expect(Math.min(...values)).toBeLessThan(10.1);
    expect(Math.max(...values)).toBeGreaterThan(19.9);
  });

  it('normal is never negative, even when the mean is within one deviation of zero', () => {
    const values = samples({ kind: 'normal', meanMs: 1, stddevMs: 10 }, 5000);
    expect(values.every((v) => v >= 0)).toBe(true);
    expect(values.filter((v) => v === 0).length).toBeGreaterThan(1000);
  });

  it('normal has about the requested mean and deviation', () => {
    const values = samples({ kind: 'normal', meanMs: 100, stddevMs: 10 }, 20_000);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(mean).toBeGreaterThan(99.5);
    expect(mean).toBeLessThan(100.5);
    expect(sd).toBeGreaterThan(9.6);
    expect(sd).toBeLessThan(10.4);
  });

  it('lognormal has about the requested median and a long right tail', () => {
    const values = samples({ kind: 'lognormal', medianMs: 20, sigma: 0.8 }, 20_000).sort((a, b) => a - b);
    const median = values[values.length / 2] ?? Number.NaN;
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(median).toBeGreaterThan(19);
    expect(median).toBeLessThan(21);
    expect(mean).toBeGreaterThan(median * 1.2); // e^(σ²/2) ≈ 1.38
    expect(values[0]).toBeGreaterThan(0);
  });

  it('is reproducible from the seed', () => {
    const spec: LatencySpec = { kind: 'lognormal', medianMs: 5, sigma: 1 };
    expect(samples(spec, 50, 9)).toEqual(samples(spec, 50, 9));
    expect(samples(spec, 50, 9)).not.toEqual(samples(spec, 50, 10));
  });

  it('refuses an invalid spec with InvalidArgumentError', () => {
    expect(() => createSampler({ kind: 'fixed', ms: -1 }, createRandom(1))).toThrow(
      expect.objectContaining({ code: 'PUSHSIM_ERR_INVALID_ARGUMENT', message: 'latency.ms must be a finite number >= 0, got -1' }),
    );
  });
});
