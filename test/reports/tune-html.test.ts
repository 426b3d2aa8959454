/** The tuning page: its chart's points come from the ranking, and what cannot be placed is named. */
import { describe, expect, it } from 'vitest';
import type { Result } from '../../reports/result.js';
import { formatTuneHtml, tradeOffPoints } from '../../reports/tune-html.js';
import { tuneMetrics, tuneReport } from '../../reports/tune.js';
import { useSampleRun } from './fixtures.js';

describe('the tuning page', () => {
  const sample = useSampleRun();
  const variant = (label: string, accepted: number, duplicates: number, p99: boolean) => {
    const base: Result = { ...sample.result, counts: { ...sample.result.counts, scheduled: 1_000, accepted, duplicates } };
    const result: Result = p99 ? base : { ...base, latencyMs: { ...base.latencyMs, accepted: { ...base.latencyMs.accepted, count: 0 } } };
    return { label, policies: { retry: false as const, circuitBreaker: false as const }, metrics: tuneMetrics(result) };
  };

  it('places each variant by delivered share and p99 in ranking order, the winner first and marked', () => {
    const report = tuneReport('s', 'plan', 3, [variant('a', 900, 0, true), variant('b', 990, 5, true), variant('none', 0, 0, false)]);
    const { points, unplaced } = tradeOffPoints(report);
    expect(points.map((p) => [p.label, p.rank, p.best, p.deliveredPercent, p.duplicates])).toEqual([
      ['b', 1, true, 99, 5],
      ['a', 2, false, 90, 0],
    ]);
    expect(unplaced).toEqual(['none']);
    const html = formatTuneHtml(report);
    expect(html).toContain('Not drawn (nothing accepted, so no p99): none.');
    expect(html).toMatch(/<tr class="best"><td>1<\/td><td>b<\/td>/);
    expect(html).toContain('<h2>Best: b</h2>');
  });

  it('escapes what the report carries and draws no chart when no variant accepted anything', () => {
    const report = tuneReport('<x>', 'plan', 1, [variant('<none>', 0, 0, false)]);
    const html = formatTuneHtml(report);
    expect(html).not.toContain('<x>');
    expect(html).toContain('&lt;x&gt;');
    expect(html).not.toContain('id="tune-chart"');
  });
});
