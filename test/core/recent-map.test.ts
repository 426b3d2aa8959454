import { describe, expect, it } from 'vitest';
import { RecentMap } from '../../core/recent-map.js';

describe('RecentMap', () => {
  it('keeps every key used among the last `capacity` distinct keys, and at most twice that many', () => {
    const map = new RecentMap<number, string>(100);
    let peak = 0;
    for (let i = 0; i < 10_000; i++) {
      map.set(i, `v${i}`);
      // Key 0 is read now and then: it stays, however many keys pass.
      if (i % 50 === 0) expect(map.get(0)).toBe('v0');
      peak = Math.max(peak, map.size);
    }
    expect(peak).toBeLessThanOrEqual(200);
    for (let i = 9_901; i < 10_000; i++) expect(map.get(i)).toBe(`v${i}`);
    // Long unused keys are forgotten.
    expect(map.get(5_000)).toBeUndefined();
  });

  it('moves a key read from the older generation into the current one, and overwrites in place', () => {
    const map = new RecentMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3); // current was full: a and b are the older generation now
    expect(map.get('a')).toBe(1); // a comes back to the current one (c, a)
    map.set('d', 4); // full again: (c, a) older, b forgotten
    expect(map.get('b')).toBeUndefined();
    map.set('a', 10);
    expect([map.get('a'), map.get('c'), map.get('d')]).toEqual([10, 3, 4]);
    map.clear();
    expect(map.size).toBe(0);
    expect(() => new RecentMap(0)).toThrow(RangeError);
  });
});
