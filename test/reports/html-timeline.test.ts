/**
 * The HTML report's per-second chart: its data is the result's timeline, it is drawn only when
 * there is one, and uPlot is inlined once however many charts the page has.
 */
import { describe, expect, it } from 'vitest';
import { formatHtml } from '../../reports/html.js';
import { timelineSeries } from '../../reports/html-timeline.js';
import type { Result } from '../../reports/result.js';
import type { TimelineSecond } from '../../reports/timeline.js';
import { pauseReports, useSampleRun } from './fixtures.js';

const second = (n: number, fields: Partial<TimelineSecond>): TimelineSecond => ({ second: n, scheduled: 0, accepted: 0, rejected: 0, failed: 0, expired: 0, dropped: 0, p50: null, p99: null, max: null, ...fields });

const timeline: TimelineSecond[] = [
  second(0, { scheduled: 100, accepted: 95, rejected: 5, p50: 4, p99: 12.5, max: 20 }),
  second(1, { scheduled: 200, accepted: 150, failed: 30, expired: 10, dropped: 5, p50: 40, p99: 900, max: 1200 }),
  second(2, { rejected: 1 }),
];

describe('the per-second chart of the HTML report', () => {
  const sample = useSampleRun();

  it('plots planned, accepted, not accepted and p99 per second (null where nothing was accepted)', () => {
    const withTimeline: Result = { ...sample.result, timeline, durationMs: 3_000 };
    expect(timelineSeries(withTimeline)).toEqual({ second: [0, 1, 2], planned: [100, 200, 0], accepted: [95, 150, 0], other: [5, 45, 1], p99: [12.5, 900, null], end: 3 });
    const html = formatHtml(withTimeline);
    const data = /<script type="application\/json" id="pushsim-timeline-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
    expect(JSON.parse(data ?? 'null')).toEqual(timelineSeries(withTimeline));
    // uPlot once; data and script for each of the two charts.
    expect(html.match(/var uPlot=/g)).toHaveLength(1);
    expect(html.match(/<script/gi)).toHaveLength(5);
    expect(html).toContain('<h2>Per second</h2>');
  });

  it("adds pushsim's own pauses per second (sender and mock threads) on the latency axis, and a section of their summary", () => {
    const paused = timeline.map((s, i) => ({ ...s, senderDelayMs: [31.25, 2, 0][i] ?? 0, senderGcMs: 1, mockDelayMs: [12, 0, 4][i] ?? 0, mockGcMs: 0 }));
    const withPauses: Result = { ...sample.result, timeline: paused, pauses: { sender: pauseReports.sender.summary, mock: pauseReports.mock.summary, tail: pauseReports.tail } };
    expect(timelineSeries(withPauses)).toMatchObject({ senderPause: [31.25, 2, 0], mockPause: [12, 0, 4] });
    const html = formatHtml(withPauses);
    expect(html).toContain('label: \'sender pause\'');
    expect(html).toContain("<h2>pushsim&#39;s own pauses</h2>");
    expect(html).toMatch(/<td[^>]*>sender thread<\/td><td[^>]*>0\.200<\/td><td[^>]*>4\.50<\/td><td[^>]*>31\.25<\/td><td[^>]*>12<\/td><td[^>]*>40\.50<\/td><td[^>]*>2\.50 %<\/td><td[^>]*>9\.75<\/td>/);
    expect(html).toContain('mock worker');
    expect(html).toContain('17.5 % of the accepted p99');
    // A result from before pauses were measured: no pause series, no section.
    expect(timelineSeries({ ...sample.result, timeline })).not.toHaveProperty('senderPause');
    expect(formatHtml({ ...sample.result, timeline })).not.toContain('own pauses');
  });

  it('does not draw a last second the run did not fill as a second of counts (it would dive to ~0), and says so', () => {
    const partial: Result = { ...sample.result, timeline, durationMs: 2_020 };
    const series = timelineSeries(partial);
    expect(series).toMatchObject({ planned: [100, 200, null], accepted: [95, 150, null], other: [5, 45, null], p99: [12.5, 900, null], end: 3, partial: { second: 2, fraction: 0.02 } });
    expect(formatHtml(partial)).toContain('The run ended 20 ms into second 2: its counts are in the tables');
    // A run that ended on a whole second has no partial second.
    expect(timelineSeries({ ...partial, durationMs: 3_000 })).not.toHaveProperty('partial');
  });

  it('marks the fault phases as bands and the breaker transitions as lines, in seconds of the run, with a table of the phases', () => {
    const marked: Result = {
      ...sample.result,
      timeline,
      durationMs: 3_000,
      phases: [{ name: 'healthy', startMs: 0, endMs: 1_500 }, { name: 'brownout', startMs: 1_500, endMs: 3_000 }],
      breakerTransitions: [{ atMs: 1_750, origin: 'https://api.push.apple.com', from: 'closed', to: 'open' }, { atMs: 2_750, origin: 'https://api.push.apple.com', from: 'open', to: 'half-open' }],
    };
    expect(timelineSeries(marked)).toMatchObject({
      phases: [{ name: 'healthy', start: 0, end: 1.5 }, { name: 'brownout', start: 1.5, end: 3 }],
      breaker: [{ at: 1.75, to: 'open' }, { at: 2.75, to: 'half-open' }],
    });
    const html = formatHtml(marked);
    expect(html).toContain('Shaded bands: the fault phases');
    expect(html).toContain('Dashed vertical lines: the circuit breaker');
    expect(html).toContain('<h2>Fault phases</h2>');
    expect(html).toMatch(/<td>brownout<\/td><td class="num">1\.50 s<\/td><td class="num">3\.00 s<\/td>/);
    // Without phases or transitions, neither the notes nor the table.
    const plain = formatHtml({ ...sample.result, timeline, durationMs: 3_000 });
    expect(plain).not.toContain('Shaded bands');
    expect(plain).not.toContain('Fault phases');
  });

  it('draws retries and injected faults per second in a small chart of their own, null for a partial last second', () => {
    const events = timeline.map((s, i) => ({ ...s, retries: [0, 40, 3][i] ?? 0, injected: [0, 55, 2][i] ?? 0 }));
    const brownout: Result = { ...sample.result, timeline: events, durationMs: 2_500 };
    expect(timelineSeries(brownout)).toMatchObject({ retries: [0, 40, null], injected: [0, 55, null] });
    const html = formatHtml(brownout);
    expect(html).toContain('<div id="timeline-events-chart"></div>');
    expect(html).toContain('The small chart under it: faults the mocks injected and retries');
    // Retries counted but none made, and no faults: nothing to draw, so no second chart.
    const calm: Result = { ...sample.result, timeline: timeline.map((s) => ({ ...s, retries: 0 })), durationMs: 3_000 };
    expect(timelineSeries(calm)).toMatchObject({ retries: [0, 0, 0] });
    expect(timelineSeries(calm)).not.toHaveProperty('injected');
    expect(formatHtml(calm)).not.toContain('timeline-events-chart"></div>');
    // A result from before they were counted has neither series.
    expect(timelineSeries({ ...sample.result, timeline, durationMs: 3_000 })).not.toHaveProperty('retries');
  });

  it('leaves the section out when the result has no timeline', () => {
    const { timeline: _none, ...without } = { ...sample.result, timeline: [] as TimelineSecond[] };
    expect(timelineSeries(without)).toBeUndefined();
    expect(formatHtml(without)).not.toContain('Per second');
    expect(timelineSeries({ ...sample.result, timeline: [] })).toBeUndefined();
  });
});
