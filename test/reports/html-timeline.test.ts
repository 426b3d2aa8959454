/**
 * The HTML report's per-second chart: its data is the result's timeline, it is drawn only when
 * there is one, and uPlot is inlined once however many charts the page has.
 */
import { describe, expect, it } from 'vitest';
import { formatHtml } from '../../reports/html.js';
import { timelineSeries } from '../../reports/html-timeline.js';
import type { Result } from '../../reports/result.js';
import type { TimelineSecond } from '../../reports/timeline.js';
import { useSampleRun } from './fixtures.js';

const second = (n: number, fields: Partial<TimelineSecond>): TimelineSecond => ({ second: n, scheduled: 0, accepted: 0, rejected: 0, failed: 0, expired: 0, dropped: 0, p50: null, p99: null, max: null, ...fields });

const timeline: TimelineSecond[] = [
  second(0, { scheduled: 100, accepted: 95, rejected: 5, p50: 4, p99: 12.5, max: 20 }),
  second(1, { scheduled: 200, accepted: 150, failed: 30, expired: 10, dropped: 5, p50: 40, p99: 900, max: 1200 }),
  second(2, { rejected: 1 }),
];

describe('the per-second chart of the HTML report', () => {
  const sample = useSampleRun();

  it('plots planned, accepted, not accepted and p99 per second (null where nothing was accepted)', () => {
    const withTimeline: Result = { ...sample.result, timeline };
    expect(timelineSeries(withTimeline)).toEqual({ second: [0, 1, 2], planned: [100, 200, 0], accepted: [95, 150, 0], other: [5, 45, 1], p99: [12.5, 900, null] });
    const html = formatHtml(withTimeline);
    const data = /<script type="application\/json" id="pushsim-timeline-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
    expect(JSON.parse(data ?? 'null')).toEqual(timelineSeries(withTimeline));
    // uPlot once; data and script for each of the two charts.
    expect(html.match(/var uPlot=/g)).toHaveLength(1);
    expect(html.match(/<script/gi)).toHaveLength(5);
    expect(html).toContain('<h2>Per second</h2>');
  });

  it('leaves the section out when the result has no timeline', () => {
    const { timeline: _none, ...without } = { ...sample.result, timeline: [] as TimelineSecond[] };
    expect(timelineSeries(without)).toBeUndefined();
    expect(formatHtml(without)).not.toContain('Per second');
    expect(timelineSeries({ ...sample.result, timeline: [] })).toBeUndefined();
  });
});
