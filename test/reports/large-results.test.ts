/**
 * A schema-valid result.json can be large (a merged or generated one): 200,000 reasons used to
 * overflow the stack in `lines.push(...rows)` ("RangeError: Maximum call stack size exceeded") in
 * every report and in merge. Each format is a pure function of the result, so none may throw on size.
 */
import { describe, expect, it } from 'vitest';
import { formatHtml } from '../../reports/html.js';
import { formatJUnit } from '../../reports/junit.js';
import { mergeResults } from '../../reports/merge.js';
import type { Result } from '../../reports/result.js';
import { formatText } from '../../reports/text.js';
import { useSampleRun } from './fixtures.js';

const run = useSampleRun();

function withManyRows(result: Result, count: number): Result {
  const byReason: Record<string, number> = {};
  for (let i = 0; i < count; i++) byReason[`apns:Reason${i}`] = 0;
  const faults = Array.from({ length: count }, (_, i) => ({ id: `fault-${i}`, kind: 'error', injected: 0 }));
  return { ...result, byReason: { ...result.byReason, ...byReason }, faults } as Result;
}

describe('results with 200,000 rows (push(...rows) overflows the stack from ~150,000)', () => {
  it('render as text (top 100 reasons, the rest counted), JUnit and HTML', () => {
    const big = withManyRows(run.result, 200_000);
    const text = formatText(big);
    expect(text).toContain(`… ${Object.keys(big.byReason).length - 100} more reasons, in result.json "byReason"`);
    expect(text.split('\n').length).toBeGreaterThan(200_000); // every fault row is listed
    expect(formatJUnit(big)).toContain('<testsuite');
    expect(formatHtml(big)).toContain('<html');
  }, 120_000);

  it('merge', () => {
    const big = withManyRows(run.result, 200_000);
    const merged = mergeResults([big, { ...big, startedAt: '2026-01-02T03:04:06.678Z' }]);
    expect(Object.keys(merged.byReason).length).toBe(Object.keys(big.byReason).length);
  }, 120_000);
});
