import { describe, expect, it } from 'vitest';
import { createRandom } from '../../simulator/random.js';

const take = (seed: number, n: number): number[] => {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => random.next());
};

describe('createRandom', () => {
  it('gives the same sequence for the same seed', () => {
    expect(take(42, 1000)).toEqual(take(42, 1000));
  });

  it('gives different sequences for neighbouring seeds and for seeds that differ only above 2^32', () => {
    expect(take(1, 10)).not.toEqual(take(2, 10));
    expect(take(0, 10)).not.toEqual(take(2 ** 32, 10));
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const values = take(7, 20_000);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    const lowHalf = values.filter((v) => v < 0.5).length / values.length;
    expect(lowHalf).toBeGreaterThan(0.49);
    expect(lowHalf).toBeLessThan(0.51);
  });

  it('rejects a seed that is not a finite number', () => {
    expect(() => createRandom(Number.NaN)).toThrow(/seed must be a finite number/);
    expect(() => createRandom('1' as unknown as number)).toThrow(expect.objectContaining({ code: 'PUSHSIM_ERR_INVALID_ARGUMENT' }));
  });
});
