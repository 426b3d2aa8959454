/**
 * The per-second section of the HTML report (result.timeline): planned and accepted notifications
 * per second against p99 of accepted latency, on two axes — where a ramp bends or a fault phase
 * begins shows at a glance. pushsim's own pauses per second (the longest event-loop delay of the
 * sender's thread and of the mock's worker) share the latency axis, so a p99 spike that matches a
 * pause of pushsim's is told from the provider's. Drawn by uPlot like the latency chart (html.ts
 * inlines the library once).
 */
import type { Result } from './result.js';

/** Runs in the browser: draws the per-second series from the JSON block with uPlot. */
const timelineScript = `(function () {
  var data = JSON.parse(document.getElementById('pushsim-timeline-data').textContent);
  var target = document.getElementById('timeline-chart');
  if (typeof uPlot === 'undefined' || data.second.length === 0) return;
  function n(v) { return v == null ? '—' : String(v); }
  function ms(v) { return v == null ? '—' : (v < 1 ? v.toFixed(3) : v.toFixed(2)) + ' ms'; }
  var opts = {
    width: Math.max(320, target.clientWidth || 900),
    height: 300,
    scales: { x: { time: false }, n: {}, ms: {} },
    axes: [
      { label: 'second of the run', incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600] },
      { scale: 'n', label: 'notifications per second', size: 70 },
      { scale: 'ms', side: 1, label: 'p99 latency (ms)', size: 70, grid: { show: false } }
    ],
    series: [
      { label: 'second' },
      { label: 'planned', scale: 'n', stroke: '#7f8c8d', width: 1, dash: [4, 4], value: function (u, v) { return n(v); } },
      { label: 'accepted', scale: 'n', stroke: '#1b7f3b', width: 2, value: function (u, v) { return n(v); } },
      { label: 'not accepted', scale: 'n', stroke: '#c0392b', width: 2, value: function (u, v) { return n(v); } },
      { label: 'p99 accepted', scale: 'ms', stroke: '#2e86c1', width: 2, spanGaps: false, value: function (u, v) { return ms(v); } }
    ]
  };
  var columns = [data.second, data.planned, data.accepted, data.other, data.p99];
  if (data.senderPause) {
    opts.series.push({ label: 'sender pause', scale: 'ms', stroke: '#8e44ad', width: 1, dash: [2, 3], value: function (u, v) { return ms(v); } });
    columns.push(data.senderPause);
  }
  if (data.mockPause) {
    opts.series.push({ label: 'mock pause', scale: 'ms', stroke: '#d35400', width: 1, dash: [2, 3], value: function (u, v) { return ms(v); } });
    columns.push(data.mockPause);
  }
  var plot = new uPlot(opts, columns, target);
  window.addEventListener('resize', function () { plot.setSize({ width: Math.max(320, target.clientWidth), height: 300 }); });
})();`;

export interface TimelineSeries {
  second: number[];
  planned: number[];
  accepted: number[];
  other: number[];
  p99: (number | null)[];
  /** The longest event-loop delay per second of the sender's thread, and of the mock's worker (results that have them). */
  senderPause?: number[];
  mockPause?: number[];
}

/** The series the chart draws, one value per second. */
export function timelineSeries(result: Result): TimelineSeries | undefined {
  const timeline = result.timeline;
  if (timeline === undefined || timeline.length === 0) return undefined;
  const sender = timeline.every((s) => s.senderDelayMs !== undefined) ? timeline.map((s) => s.senderDelayMs ?? 0) : undefined;
  const mock = timeline.every((s) => s.mockDelayMs !== undefined) ? timeline.map((s) => s.mockDelayMs ?? 0) : undefined;
  return {
    second: timeline.map((s) => s.second),
    planned: timeline.map((s) => s.scheduled),
    accepted: timeline.map((s) => s.accepted),
    other: timeline.map((s) => s.rejected + s.failed + s.expired + s.dropped),
    p99: timeline.map((s) => s.p99),
    ...(sender !== undefined && { senderPause: sender }),
    ...(mock !== undefined && { mockPause: mock }),
  };
}

/** The section's HTML parts (html.ts wraps them), or undefined without a timeline. `json` makes the data script-safe. */
export function timelineChart(result: Result, json: (value: unknown) => string): string[] | undefined {
  const series = timelineSeries(result);
  if (series === undefined) return undefined;
  return [
    '<div id="timeline-chart"></div>',
    '<noscript><p>The chart needs JavaScript; result.json holds the same numbers under "timeline".</p></noscript>',
    `<script type="application/json" id="pushsim-timeline-data">${json(series)}</script>`,
    `<script>${timelineScript}</script>`,
  ];
}
