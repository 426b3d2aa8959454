/** PUSHSIM_HEAP_GROWING_PERCENT: the default for a real-provider run, 0 for V8's own choice, a clear error for anything else. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../core/errors.js';
import { defaultHeapGrowingPercent, heapGrowingEnv, heapGrowingPercent } from '../../cli/heap-growth.js';

describe('heapGrowingPercent', () => {
  it('is the default when unset or empty, and the whole number given otherwise (0 leaves V8 its own choice)', () => {
    expect(heapGrowingPercent({})).toBe(defaultHeapGrowingPercent);
    expect(heapGrowingPercent({ [heapGrowingEnv]: '' })).toBe(defaultHeapGrowingPercent);
    expect(heapGrowingPercent({ [heapGrowingEnv]: '0' })).toBe(0);
    expect(heapGrowingPercent({ [heapGrowingEnv]: ' 150 ' })).toBe(150);
  });

  it.each(['-5', '1.5', 'lots', '301', '1e2'])('refuses %j naming the variable and the range', (value) => {
    expect(() => heapGrowingPercent({ [heapGrowingEnv]: value })).toThrow(InvalidArgumentError);
    expect(() => heapGrowingPercent({ [heapGrowingEnv]: value })).toThrow(/PUSHSIM_HEAP_GROWING_PERCENT=.*expected a whole number from 0 .* to 300/);
  });
});
