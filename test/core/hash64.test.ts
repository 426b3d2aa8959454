import { describe, expect, it } from 'vitest';
import { addString64, finishHash64, hash64, startHash64 } from '../../core/hash64.js';

function hashOf(text: string, seed = 0): string {
  startHash64(seed);
  addString64(text);
  finishHash64();
  return `${hash64.hi}:${hash64.lo}`;
}

describe('hash64 over one string', () => {
  it('is the same for the same text and seed, and differs with either', () => {
    expect(hashOf('abc')).toBe(hashOf('abc'));
    expect(hashOf('abc')).not.toBe(hashOf('abd'));
    expect(hashOf('abc', 1)).not.toBe(hashOf('abc', 2));
    expect(hashOf('')).not.toBe('0:0');
  });

  it('spreads 100,000 token-shaped keys without a collision in 64 bits', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(hashOf(i.toString(16).padStart(64, '0')));
    expect(seen.size).toBe(100_000);
  });
});
