import { describe, expect, it } from 'vitest';
import { RecentCounts } from '../../core/recent-counts.js';

const token = (i: number): string => i.toString(16).padStart(64, '0');

describe('RecentCounts', () => {
  it('counts each key from 1, apart from other keys and from the same key under another salt', () => {
    const counts = new RecentCounts(1000);
    expect(counts.add(token(1))).toBe(1);
    expect(counts.add(token(1))).toBe(2);
    expect(counts.add(token(2))).toBe(1);
    expect(counts.add(token(1), 7)).toBe(1);
    expect(counts.get(token(1))).toBe(2);
    expect(counts.get(token(1), 7)).toBe(1);
    expect(counts.get(token(3))).toBe(0);
    expect(counts.size).toBe(3);
  });

  it('keeps exact counts for many keys through its growth (no two of 50,000 keys share a count)', () => {
    const counts = new RecentCounts(100_000);
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < 50_000; i++) expect(counts.add(token(i))).toBe(round);
    }
    expect(counts.size).toBe(50_000);
    expect(counts.get(token(49_999))).toBe(3);
  });

  it('keeps the counts of the last `capacity` distinct keys and forgets older ones, holding at most twice that many', () => {
    const counts = new RecentCounts(2);
    counts.add('a');
    counts.add('a');
    counts.add('b');
    // Full: 'c' starts a new generation; 'a' and 'b' are the older one.
    expect(counts.add('c')).toBe(1);
    // Counted from the older generation: 'a' moves to the current one with its count.
    expect(counts.add('a')).toBe(3);
    // Full again: 'b' (not used since) is forgotten with its generation.
    expect(counts.add('d')).toBe(1);
    expect(counts.get('b')).toBe(0);
    expect(counts.add('b')).toBe(1);
    expect(counts.get('a')).toBe(3);
    expect(counts.size).toBeLessThanOrEqual(4);
    for (let i = 0; i < 1000; i++) counts.add(`k${i}`);
    expect(counts.size).toBeLessThanOrEqual(4);
  });

  it('makes each new generation from the emptied arrays of the forgotten one, keeping none of its keys', () => {
    const counts = new RecentCounts(2);
    for (let i = 0; i < 1000; i++) counts.add(`k${i}`);
    // Current: k998, k999; older: k996, k997.
    const seen = ['k999', 'k998', 'k997', 'k996', 'k995'].map((key) => counts.get(key));
    expect(seen).toEqual([1, 1, 1, 1, 0]);
    counts.add('k999');
    // Full: a new key starts a generation in the arrays that held k996 and k997.
    counts.add('new');
    expect(['new', 'k999', 'k998', 'k997', 'k996'].map((key) => counts.get(key))).toEqual([1, 2, 1, 0, 0]);
  });

  it('forgets everything on clear and refuses a capacity below 1', () => {
    const counts = new RecentCounts(10);
    counts.add('a');
    counts.clear();
    expect(counts.get('a')).toBe(0);
    expect(counts.size).toBe(0);
    expect(() => new RecentCounts(0)).toThrow(RangeError);
    expect(() => new RecentCounts(1.5)).toThrow(RangeError);
  });
});
