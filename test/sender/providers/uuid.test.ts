import { describe, expect, it } from 'vitest';
import { randomUuid } from '../../../sender/providers/uuid.js';

const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('randomUuid', () => {
  it('makes canonical lower-case version 4 UUIDs, all different, across many batches', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = randomUuid();
      expect(id).toMatch(v4);
      seen.add(id);
    }
    expect(seen.size).toBe(1000);
  });

  it('spreads its random digits over every hexadecimal value in every random position', () => {
    // 2,000 UUIDs: a position stuck at one value (a slicing or encoding mistake) would show.
    const valuesAt = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) [...randomUuid()].forEach((c, at) => valuesAt[at]?.add(c));
    for (const [at, values] of valuesAt.entries()) {
      if ([8, 13, 18, 23].includes(at)) expect([...values]).toEqual(['-']);
      else if (at === 14) expect([...values]).toEqual(['4']);
      else if (at === 19) expect([...values].sort()).toEqual(['8', '9', 'a', 'b']);
      else expect(values.size).toBe(16);
    }
  });
});
