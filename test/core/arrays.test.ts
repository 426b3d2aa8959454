import { describe, expect, it } from 'vitest';
import { pushAll } from '../../core/arrays.js';

describe('pushAll', () => {
  it('appends 400,000 items, where push(...items) overflows the stack', () => {
    const items = Array.from({ length: 400_000 }, (_, i) => i);
    expect(() => [].push(...(items as never[]))).toThrow(RangeError);
    const target = [-1];
    expect(pushAll(target, items)).toBe(target);
    expect(target.length).toBe(400_001);
    expect(target.at(-1)).toBe(399_999);
  });
});
