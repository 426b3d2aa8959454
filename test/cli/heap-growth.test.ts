/** PUSHSIM_HEAP_GROWING_PERCENT: pushsim's default for a run (1.5× with its mocks, 2× against real providers, V8's own otherwise), 0 for V8's own choice, a clear error for anything else. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../core/errors.js';
import { cliTestTimeout, expectUserError, pushsimWithin } from './helpers.js';
import { defaultHeapGrowingPercent, heapGrowingEnv, heapGrowingPercent, mockHeapGrowingPercent, runHeapGrowingPercent } from '../../cli/heap-growth.js';

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

  it('falls back to the value the caller gives when the variable is unset', () => {
    expect(heapGrowingPercent({}, 50)).toBe(50);
    expect(heapGrowingPercent({ [heapGrowingEnv]: '0' }, 50)).toBe(0);
  });
});

describe('runHeapGrowingPercent', () => {
  it('holds a run with pushsim\'s mocks to 1.5× (short, regular mark-compacts), one against real providers to 2× (the sender\'s RSS), and leaves V8 its own choice otherwise', () => {
    expect(mockHeapGrowingPercent).toBe(50);
    expect(defaultHeapGrowingPercent).toBe(100);
    expect(runHeapGrowingPercent('mocks', {})).toBe(mockHeapGrowingPercent);
    expect(runHeapGrowingPercent('real', {})).toBe(defaultHeapGrowingPercent);
    expect(runHeapGrowingPercent('other', {})).toBe(0);
  });

  it('lets the environment override each', () => {
    expect(runHeapGrowingPercent('mocks', { [heapGrowingEnv]: '0' })).toBe(0);
    expect(runHeapGrowingPercent('real', { [heapGrowingEnv]: '20' })).toBe(20);
    expect(runHeapGrowingPercent('other', { [heapGrowingEnv]: '100' })).toBe(100);
  });
});

describe('pushsim run and pushsim mock read PUSHSIM_HEAP_GROWING_PERCENT', () => {
  // Before 1.5× became the mocks' default, a run against the mocks never read the variable: a bad value went unnoticed.
  it('a run against the embedded mocks refuses a bad value before it starts (exit 2)', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'pushsim-heap-')), 'out');
    const result = await pushsimWithin(cliTestTimeout, ['run', '--count', '10', '--quiet', '--out', out], { [heapGrowingEnv]: 'lots' });
    expectUserError(result, 2, /PUSHSIM_HEAP_GROWING_PERCENT=lots: expected a whole number/);
  }, cliTestTimeout);

  it('so does a mock started on its own', async () => {
    const result = await pushsimWithin(cliTestTimeout, ['mock', 'apns', '--port', '0'], { [heapGrowingEnv]: '-1' });
    expectUserError(result, 2, /PUSHSIM_HEAP_GROWING_PERCENT=-1: expected a whole number/);
  }, cliTestTimeout);
});
