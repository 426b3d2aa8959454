import { describe, expect, it } from 'vitest';
import { makeTokens } from '../../scenarios/tokens.js';

describe('makeTokens', () => {
  it('makes 64-hex tokens, the same for the same seed, different for another', () => {
    const a = makeTokens(100, 0.1, 7);
    const b = makeTokens(100, 0.1, 7);
    const c = makeTokens(100, 0.1, 8);
    expect(a).toEqual(b);
    expect(a.tokens[0]).not.toBe(c.tokens[0]);
    expect(a.tokens.every((t) => /^[0-9a-f]{64}$/.test(t))).toBe(true);
    expect(new Set(a.tokens).size).toBe(100);
  });

  it('marks about the requested share as unregistered', () => {
    const { unregistered, tokens } = makeTokens(10_000, 0.02, 1);
    expect(unregistered.length).toBeGreaterThan(150);
    expect(unregistered.length).toBeLessThan(250);
    expect(unregistered.every((t) => tokens.includes(t))).toBe(true);
    expect(makeTokens(1000, 0, 1).unregistered).toEqual([]);
  });
});
