/**
 * The per-second section of the HTML report (result.timeline): planned and accepted notifications
 * per second against p99 of accepted latency, on two axes — where a ramp bends or a fault phase
 * begins shows at a glance. pushsim's own pauses per second (the longest event-loop delay of the
 * sender's thread and of the mock's worker) share the latency axis, so a p99 spike that matches a
 * pause of pushsim's is told from the provider's. Drawn by uPlot like the latency chart (html.ts
 * inlines the library once).
 */
import type { Result } from './result.js';
import type { TimelineSecond } from './timeline.js';

/**
 * Runs in the browser: draws the per-second series from the JSON block with uPlot. Fault phases are
 * shaded bands and circuit-breaker transitions vertical marks, drawn under the series (uPlot's
 * drawClear hook) so the lines stay readable; how many of each were drawn is left on the chart's
 * element (data-phases-drawn, data-breaker-marks) for the browser test. Both count axes start at 0,
 * so a few notifications' noise is not blown up to the chart's height.
 */
const timelineScript = `(function () {
  var data = JSON.parse(document.getElementById('pushsim-timeline-data').textContent);
  var target = document.getElementById('timeline-chart');
  if (typeof uPlot === 'undefined' || data.second.length === 0) return;
  function n(v) { return v == null ? '—' : String(v); }
  function ms(v) { return v == null ? '—' : (v < 1 ? v.toFixed(3) : v.toFixed(2)) + ' ms'; }
  function fromZero(u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; }
  var breakerColors = { open: '#c0392b', 'half-open': '#c77700', closed: '#1b7f3b' };
  function decorator(target) { return function (u) {
    var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height, px = window.devicePixelRatio || 1;
    var phases = 0, marks = 0;
    ctx.save();
    ctx.font = (11 * px) + 'px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    (data.phases || []).forEach(function (p, i) {
      var x0 = u.valToPos(p.start, 'x', true), x1 = u.valToPos(p.end, 'x', true);
      if (!(x1 > x0)) return;
      ctx.fillStyle = i % 2 === 0 ? 'rgba(211, 84, 0, 0.10)' : 'rgba(142, 68, 173, 0.10)';
      ctx.fillRect(x0, top, x1 - x0, height);
      ctx.fillStyle = '#6e2c00';
      ctx.fillText(p.name, x0 + 3 * px, top + 3 * px, Math.max(0, x1 - x0 - 6 * px));
      phases++;
    });
    (data.breaker || []).forEach(function (b) {
      var x = u.valToPos(b.at, 'x', true);
      ctx.strokeStyle = breakerColors[b.to] || '#566573';
      ctx.lineWidth = 2 * px;
      ctx.setLineDash([6 * px, 3 * px]);
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
      marks++;
    });
    ctx.restore();
    target.setAttribute('data-phases-drawn', String(phases));
    target.setAttribute('data-breaker-marks', String(marks));
  }; }
  var xAxis = { label: 'second of the run', incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600] };
  var opts = {
    width: Math.max(320, target.clientWidth || 900),
    height: 300,
    scales: { x: { time: false, range: function () { return [0, data.end]; } }, n: { range: fromZero }, ms: { range: fromZero } },
    axes: [
      xAxis,
      { scale: 'n', label: 'notifications per second', size: 70 },
      { scale: 'ms', side: 1, label: 'p99 latency (ms)', size: 70, grid: { show: false } }
    ],
    hooks: { drawClear: [decorator(target)] },
    series: [
      { label: 'second' },
      { label: 'accepted', scale: 'n', stroke: '#1b7f3b', width: 2, value: function (u, v) { return n(v); } },
      { label: 'not accepted', scale: 'n', stroke: '#c0392b', width: 2, value: function (u, v) { return n(v); } },
      { label: 'planned', scale: 'n', stroke: '#34495e', width: 2, dash: [8, 5], value: function (u, v) { return n(v); } },
      { label: 'p99 accepted', scale: 'ms', stroke: '#2e86c1', width: 2, spanGaps: false, value: function (u, v) { return ms(v); } }
    ]
  };
  var columns = [data.second, data.accepted, data.other, data.planned, data.p99];
  if (data.senderPause) {
    opts.series.push({ label: 'sender pause', scale: 'ms', stroke: '#8e44ad', width: 1, dash: [2, 3], value: function (u, v) { return ms(v); } });
    columns.push(data.senderPause);
  }
  if (data.mockPause) {
    opts.series.push({ label: 'mock pause', scale: 'ms', stroke: '#d35400', width: 1, dash: [2, 3], value: function (u, v) { return ms(v); } });
    columns.push(data.mockPause);
  }
  var plot = new uPlot(opts, columns, target);
  var plots = [[plot, target, 300]];
  // Retries and injected faults per second: a small chart of their own under the first, same x axis,
  // phases and breaker marks, so a burst of retries lines up with the phase and the fault behind it.
  var events = document.getElementById('timeline-events-chart');
  if (events && (data.retries || data.injected)) {
    var eventSeries = [{ label: 'second' }], eventColumns = [data.second], drawn = [];
    if (data.injected) { eventSeries.push({ label: 'injected faults', stroke: '#d35400', width: 2, value: function (u, v) { return n(v); } }); eventColumns.push(data.injected); drawn.push('injected'); }
    if (data.retries) { eventSeries.push({ label: 'retries', stroke: '#8e44ad', width: 2, dash: [6, 3], value: function (u, v) { return n(v); } }); eventColumns.push(data.retries); drawn.push('retries'); }
    var eventPlot = new uPlot({
      width: Math.max(320, events.clientWidth || 900),
      height: 180,
      scales: { x: { time: false, range: function () { return [0, data.end]; } }, y: { range: fromZero } },
      // An empty right axis as wide as the latency axis above, so both plots span the same x pixels.
      axes: [xAxis, { label: 'per second', size: 70 }, { scale: 'y', side: 1, size: 70, label: ' ', stroke: 'rgba(0, 0, 0, 0)', grid: { show: false }, ticks: { show: false } }],
      hooks: { drawClear: [decorator(events)] },
      series: eventSeries
    }, eventColumns, events);
    events.setAttribute('data-series-drawn', drawn.join(' '));
    plots.push([eventPlot, events, 180]);
  }
  window.addEventListener('resize', function () { plots.forEach(function (p) { p[0].setSize({ width: Math.max(320, p[1].clientWidth), height: p[2] }); }); });
})();`;

export interface TimelineSeries {
  second: number[];
  /** Counts per second; null for a last second the run did not fill (`partial`): a fraction of a second's counts is not a rate. */
  planned: (number | null)[];
  accepted: (number | null)[];
  other: (number | null)[];
  p99: (number | null)[];
  /** The longest event-loop delay per second of the sender's thread, and of the mock's worker (results that have them). */
  senderPause?: number[];
  mockPause?: number[];
  /** Retries per second (results that count them); null for a partial last second, as the counts above. */
  retries?: (number | null)[];
  /** Faults the mocks injected per second (runs with faults against pushsim's mocks). */
  injected?: (number | null)[];
  /** Where the x axis ends: the run's duration in seconds. */
  end: number;
  /** The last second when the run ended inside it, with the share of it the run lasted. */
  partial?: { second: number; fraction: number };
  /** Fault phases on the run's clock, in seconds. */
  phases?: { name: string; start: number; end: number }[];
  /** Circuit-breaker transitions on the run's clock, in seconds. */
  breaker?: { at: number; origin: string; from: string; to: string }[];
}

/** The series the chart draws, one value per second, with the phases and breaker transitions it marks. */
export function timelineSeries(result: Result): TimelineSeries | undefined {
  const timeline = result.timeline;
  if (timeline === undefined || timeline.length === 0) return undefined;
  const sender = timeline.every((s) => s.senderDelayMs !== undefined) ? timeline.map((s) => s.senderDelayMs ?? 0) : undefined;
  const mock = timeline.every((s) => s.mockDelayMs !== undefined) ? timeline.map((s) => s.mockDelayMs ?? 0) : undefined;
  const last = timeline[timeline.length - 1] as TimelineSecond;
  const fraction = result.durationMs / 1000 - last.second;
  // A run that ended 20 ms into its last second has 20 ms of counts there: drawn as a second's worth they dive to ~0.
  const partial = fraction > 0 && fraction < 1 ? { second: last.second, fraction: Math.round(fraction * 1000) / 1000 } : undefined;
  const count = (s: TimelineSecond, value: number): number | null => (partial !== undefined && s === last ? null : value);
  const phases = (result.phases ?? []).map((p) => ({ name: p.name, start: p.startMs / 1000, end: p.endMs / 1000 }));
  const breaker = (result.breakerTransitions ?? []).map((t) => ({ at: t.atMs / 1000, origin: t.origin, from: t.from, to: t.to }));
  // Drawn when every second has the count (a merge with an older result may lack it in some).
  const events = (key: 'retries' | 'injected'): (number | null)[] | undefined => (timeline.every((s) => s[key] !== undefined) ? timeline.map((s) => count(s, s[key] ?? 0)) : undefined);
  const retries = events('retries');
  const injected = events('injected');
  return {
    second: timeline.map((s) => s.second),
    planned: timeline.map((s) => count(s, s.scheduled)),
    accepted: timeline.map((s) => count(s, s.accepted)),
    other: timeline.map((s) => count(s, s.rejected + s.failed + s.expired + s.dropped)),
    p99: timeline.map((s) => s.p99),
    ...(sender !== undefined && { senderPause: sender }),
    ...(mock !== undefined && { mockPause: mock }),
    ...(retries !== undefined && { retries }),
    ...(injected !== undefined && { injected }),
    end: Math.max(result.durationMs / 1000, last.second + 1),
    ...(partial !== undefined && { partial }),
    ...(phases.length > 0 && { phases }),
    ...(breaker.length > 0 && { breaker }),
  };
}

/** Whether retries and injected faults get their own chart: when the run had faults, or retries at all (a flat line of zeros tells nothing the totals do not). */
export function drawsEvents(series: TimelineSeries): boolean {
  return series.injected !== undefined || (series.retries ?? []).some((n) => n !== null && n > 0);
}

/** The section's HTML parts (html.ts wraps them), or undefined without a timeline. `json` makes the data script-safe. */
export function timelineChart(result: Result, json: (value: unknown) => string): string[] | undefined {
  const series = timelineSeries(result);
  if (series === undefined) return undefined;
  const events = drawsEvents(series);
  return [
    '<div id="timeline-chart"></div>',
    ...(events ? ['<div id="timeline-events-chart"></div>'] : []),
    '<noscript><p>The chart needs JavaScript; result.json holds the same numbers under "timeline".</p></noscript>',
    `<script type="application/json" id="pushsim-timeline-data">${json(series)}</script>`,
    `<script>${timelineScript}</script>`,
  ];
}
