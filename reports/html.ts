/**
 * A self-contained HTML report of a Result: one file a person opens from CI artifacts, with no
 * network access (everything is inline, and a Content-Security-Policy forbids fetching anything).
 *
 *   Result ──► tables (escaped text) ─────────────────────────┐
 *         └──► HDR histograms ──► percentile distribution ──► JSON (script-safe) + uPlot (inlined) ──► one .html
 *
 * A pure function of the Result (no clock, no environment) except for one read: uPlot's browser
 * bundle, taken from node_modules the first time and kept. The chart is uPlot (MIT, ~51 KB
 * minified) rather than hand-written SVG, per the project's rule for charts.
 */
import { outcomeStatuses } from '../sender/outcome.js';
import type { OutcomeStatus } from '../sender/outcome.js';
import { describeNotAcknowledged } from './delivery.js';
import { decodeHistogram } from './histogram.js';
import { checkInvariant } from './result.js';
import type { LatencyEntry, Result } from './result.js';
import type { ThreadPauses } from '../core/pauses.js';
import { duration, ms, percent, perSecond } from './format.js';
import { drawsEvents, timelineChart, timelineSeries } from './html-timeline.js';
import { escapeHtml, htmlPage, paragraph, scriptJson, section, table } from './html-page.js';
import { configSection, providersSection, runSectionsStyle } from './html-run.js';

export { escapeHtml, scriptJson } from './html-page.js';

// ─── latency distribution ────────────────────────────────────────────────────────────────────────

/**
 * The percentiles drawn: p0 to p99.999, denser towards the tail. Per decade of the tail (0–90 %,
 * 90–99 %, 99–99.9 %…) eleven points, so p50, p90, p99 and p99.9 are among them.
 */
export const DISTRIBUTION_PERCENTILES: readonly number[] = [
  ...[0, 1, 2, 3, 4].flatMap((decade) =>
    [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15].map((tail) => Number((100 - (100 * tail) / 10 ** decade).toFixed(6))),
  ),
  99.999,
];

/**
 * The x axis of HdrHistogram's percentile plots: 1 / (1 − p), drawn on a log scale, so 90 %, 99 %,
 * 99.9 %… are evenly spaced (x = 10, 100, 1000…).
 */
export const DISTRIBUTION_X: readonly number[] = DISTRIBUTION_PERCENTILES.map((p) => Number((100 / (100 - p)).toPrecision(8)));

/** Labelled points of the x axis: p0, p50, p90, p99, p99.9, p99.99, p99.999. */
const DISTRIBUTION_TICKS: readonly number[] = [1, 2, 10, 100, 1000, 10_000, 100_000];

/** The smallest value drawn: the chart's y axis is logarithmic, and 0 µs has no logarithm. */
const FLOOR_MS = 0.001;

/**
 * Latency (ms) at each of DISTRIBUTION_PERCENTILES, from the entry's HDR histogram. When `hdr` does
 * not decode (a hand-made result), the summary is all there is: p50, p90, p99 and p99.9 are placed on
 * their points and the others left null.
 */
export function latencyDistribution(entry: LatencyEntry): (number | null)[] {
  let histogram;
  try {
    histogram = decodeHistogram(entry.hdr);
  } catch {
    const known = new Map([[50, entry.p50], [90, entry.p90], [99, entry.p99], [99.9, entry.p999]]);
    return DISTRIBUTION_PERCENTILES.map((p) => {
      const value = known.get(p);
      return value === undefined ? null : Math.max(FLOOR_MS, value);
    });
  }
  try {
    return DISTRIBUTION_PERCENTILES.map((p) => Math.max(FLOOR_MS, histogram.percentileMs(p)));
  } finally {
    histogram.destroy();
  }
}

const colors: Record<OutcomeStatus, string> = {
  accepted: '#1b7f3b',
  rejected: '#c77700',
  failed: '#c0392b',
  expired: '#7d3c98',
  dropped: '#566573',
};

/** Runs in the browser: draws the percentile distribution from the JSON block with uPlot. */
const chartScript = `(function () {
  var data = JSON.parse(document.getElementById('pushsim-latency-data').textContent);
  var target = document.getElementById('latency-chart');
  if (typeof uPlot === 'undefined' || data.series.length === 0) return;
  function pct(x) { if (x == null) return ''; var p = 100 * (1 - 1 / x); return (Math.round(p * 1000) / 1000) + '%'; }
  function ms(v) { return v == null ? '—' : (v < 1 ? v.toFixed(3) : v.toFixed(2)) + ' ms'; }
  var opts = {
    width: Math.max(320, target.clientWidth || 900),
    height: 360,
    padding: [null, 40, null, null],
    scales: { x: { time: false, distr: 3, range: [1, data.x[data.x.length - 1]] }, y: { distr: 3 } },
    axes: [
      { label: 'percentile', splits: function () { return data.ticks; }, filter: function (u, splits) { return splits; }, values: function (u, splits) { return splits.map(pct); } },
      { label: 'latency (ms)', size: 70 }
    ],
    series: [{ label: 'percentile', value: function (u, v) { return v == null ? '—' : pct(v); } }].concat(
      data.series.map(function (s) { return { label: s.label, stroke: s.color, width: 2, spanGaps: true, points: { show: false }, value: function (u, v) { return ms(v); } }; })
    )
  };
  var plot = new uPlot(opts, [data.x].concat(data.series.map(function (s) { return s.values; })), target);
  window.addEventListener('resize', function () { plot.setSize({ width: Math.max(320, target.clientWidth), height: 360 }); });
})();`;

// ─── page ────────────────────────────────────────────────────────────────────────────────────────


function header(result: Result): string {
  const meta = [
    ...(result.target !== undefined ? [`target ${result.target}`] : []),
    `started ${result.startedAt}`,
    `duration ${duration(result.durationMs)}${result.virtual !== undefined ? ' of virtual time' : ''}`,
    ...(result.virtual !== undefined ? [`simulated on virtual time${result.virtual.seed === undefined ? '' : `, seed ${result.virtual.seed}`}: pushsim's own CPU, pauses and send lag are not part of it`] : []),
    ...(result.pushsim !== undefined ? [`pushsim ${result.pushsim}`] : []),
  ].join(' · ');
  const { target, achieved } = result.rate;
  const rate =
    target === null
      ? `target — · achieved ${perSecond(achieved)}`
      : `target ${perSecond(target)} · achieved ${perSecond(achieved)}${target > 0 ? ` (${percent(achieved, target)} of target)` : ''}`;
  return `<h1>pushsim${result.scenario !== undefined ? ` · ${escapeHtml(result.scenario)}` : ''}</h1>\n${paragraph(meta, 'meta')}\n${paragraph(`rate: ${rate}`, 'rate')}`;
}

function outcomes(result: Result): string {
  const { counts } = result;
  const ended = outcomeStatuses.reduce((sum, status) => sum + counts[status], 0);
  const whole = counts.scheduled > 0 ? counts.scheduled : ended;
  const rows = [
    ['scheduled', String(counts.scheduled), ''],
    ...outcomeStatuses.map((status) => [status, String(counts[status]), percent(counts[status], whole)]),
  ];
  const extra = [
    `attempts ${counts.attempts}${ended > 0 ? ` (${(counts.attempts / ended).toFixed(3)} per notification)` : ''}`,
    ...(counts.retries !== undefined ? [`retries ${counts.retries}`] : []),
    ...(counts.fallbacks !== undefined ? [`fallbacks ${counts.fallbacks}`] : []),
    ...(counts.duplicates !== undefined ? [`duplicate deliveries ${counts.duplicates}`] : []),
    ...(result.tokensToPrune !== undefined ? [`tokens to prune ${result.tokensToPrune.length}`] : []),
  ].join(' · ');
  return section('Outcomes', `${table(['outcome', 'count', '% of scheduled'], rows)}\n${paragraph(extra)}`);
}

function latency(result: Result): string {
  const row = (label: string, e: LatencyEntry): string[] => [label, String(e.count), ms(e.p50), ms(e.p90), ms(e.p99), ms(e.p999), ms(e.max)];
  const rows = outcomeStatuses.filter((status) => result.latencyMs[status].count > 0).map((status) => row(status, result.latencyMs[status]));
  if (result.attemptLatencyMs !== undefined) rows.push(row('per attempt', result.attemptLatencyMs));
  const content =
    rows.length === 0 ? paragraph('no values recorded') : table(['latency (ms)', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'], rows);
  return section('Latency', content);
}

function chart(result: Result): string {
  const series = outcomeStatuses
    .filter((status) => result.latencyMs[status].count > 0)
    .map((status) => ({ label: status, color: colors[status], values: latencyDistribution(result.latencyMs[status]) }));
  if (series.length === 0) return '';
  return section(
    'Latency distribution',
    [
      paragraph('End-to-end latency by percentile, one line per outcome, from the HDR histograms (both axes logarithmic).'),
      '<div id="latency-chart"></div>',
      '<noscript><p>The chart needs JavaScript; the table above has the same percentiles.</p></noscript>',
      `<script type="application/json" id="pushsim-latency-data">${scriptJson({ x: DISTRIBUTION_X, ticks: DISTRIBUTION_TICKS, series })}</script>`,
      `<script>${chartScript}</script>`,
    ].join('\n'),
  );
}

function perSecondChart(result: Result): string {
  const parts = timelineChart(result, scriptJson);
  if (parts === undefined) return '';
  const series = timelineSeries(result);
  const notes = [
    'Notifications planned, accepted and not accepted in each second of the measured run (both axes from 0), and p99 of the latency of those accepted (right axis).',
    ...(result.phases !== undefined && result.phases.length > 0 ? ['Shaded bands: the fault phases, named at their top.'] : []),
    ...(result.breakerTransitions !== undefined && result.breakerTransitions.length > 0 ? ['Dashed vertical lines: the circuit breaker changing state (red: opened, amber: half-open, green: closed again; the table below has each one).'] : []),
    ...(series !== undefined && drawsEvents(series)
      ? ['The small chart under it: faults the mocks injected and retries the retry policy made in each second (a retry counted when its answer came back).']
      : []),
    ...(result.pauses === undefined ? [] : ["Thin dashed lines: pushsim's own pauses, the longest event-loop delay of the sender's thread (and of the mock's worker) in each second, on the latency axis."]),
  ];
  if (series?.partial !== undefined) notes.push(`The run ended ${Math.round(series.partial.fraction * 1000)} ms into second ${series.partial.second}: its counts are in the tables, not drawn as a second's worth.`);
  return section('Per second', [paragraph(notes.join(' ')), ...parts].join('\n'));
}

/** The fault phases on the run's clock, as the per-second chart shades them. */
function phases(result: Result): string {
  const list = result.phases ?? [];
  if (list.length === 0) return '';
  return section('Fault phases', table(['phase', 'from', 'to', 'length'], list.map((p) => [p.name, duration(p.startMs), duration(p.endMs), duration(p.endMs - p.startMs)])));
}

/** pushsim's own event-loop delay and GC pauses per thread, and what they could have added to the tail. */
function ownPauses(result: Result): string {
  const p = result.pauses;
  if (p === undefined) return '';
  const row = (name: string, t: ThreadPauses): string[] => [name, ms(t.eventLoopDelayMs.p50), ms(t.eventLoopDelayMs.p99), ms(t.eventLoopDelayMs.max), String(t.gc.count), ms(t.gc.totalMs), `${t.gc.percent.toFixed(2)} %`, ms(t.gc.maxMs)];
  const rows = [row('sender thread', p.sender), ...(p.mock === undefined ? [] : [row('mock worker', p.mock)])];
  const tail = p.tail === undefined ? '' : paragraph(`Together ${ms(p.tail.ownP99Ms)} ms at p99: ${p.tail.percent.toFixed(1)} % of the accepted p99 (${ms(p.tail.acceptedP99Ms)} ms).`);
  return section(
    "pushsim's own pauses",
    [
      paragraph('How late each thread of pushsim ran a ready callback (event-loop delay, sampled every 10 ms) and how long garbage collection stopped it, over the measured run: latency these add is pushsim\'s, not the provider\'s.'),
      table(['thread', 'delay p50 (ms)', 'delay p99 (ms)', 'delay max (ms)', 'GC pauses', 'GC total (ms)', 'GC share', 'longest GC (ms)'], rows, { textColumns: 1 }),
      tail,
    ].filter((part) => part !== '').join('\n'),
  );
}

function reasons(result: Result): string {
  const entries = Object.entries(result.byReason).sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : ka > kb ? 1 : 0));
  if (entries.length === 0) return '';
  return section('Reasons', table(['reason', 'count'], entries.map(([key, n]) => [key, String(n)])));
}

function thresholds(result: Result): string {
  const list = result.thresholds ?? [];
  if (list.length === 0) return '';
  const rows = list.map((t) => [t.expression, t.actual === null ? 'no data' : String(Math.round(t.actual * 1000) / 1000), t.passed ? '✓ pass' : '✗ FAIL']);
  return section('Thresholds', table(['threshold', 'actual', 'result'], rows, { rowClass: (r) => (list[r]?.passed ? 'pass' : 'fail') }));
}

function ledger(result: Result): string {
  const d = result.delivery;
  if (d === undefined) return '';
  const parts = [`delivered ${d.delivered}`, `unique ${d.unique}`, `duplicates ${d.duplicates}${d.duplicates > 0 ? ` on ${d.tokensWithDuplicates} token(s)` : ''}`];
  if (d.unidentified > 0) parts.push(`${d.unidentified} without apns-id (not checked)`);
  const unacknowledged = describeNotAcknowledged(d);
  if (unacknowledged !== undefined) parts.push(unacknowledged);
  const counts = (entries: [string, { delivered: number; duplicates: number }][]): string[][] => entries.map(([name, c]) => [name, String(c.delivered), String(c.duplicates)]);
  const providers = Object.entries(d.byProvider);
  const phases = Object.entries(d.byPhase);
  const acknowledged = providers.every(([, c]) => c.notAcknowledged !== undefined);
  const providerRows = providers.map(([name, c]) => [name, String(c.delivered), String(c.duplicates), ...(acknowledged ? [String(c.acknowledged ?? 0), String(c.notAcknowledged ?? 0)] : [])]);
  return section(
    'Mock ledger',
    [
      paragraph(parts.join(' · ')),
      providers.length > 0 ? table(['provider', 'delivered', 'duplicates', ...(acknowledged ? ['acknowledged', 'not acknowledged'] : [])], providerRows) : '',
      phases.length > 0 ? table(['phase', 'delivered', 'duplicates'], counts(phases)) : '',
    ].filter((part) => part !== '').join('\n'),
  );
}

function faults(result: Result): string {
  if (result.faults === undefined || result.faults.length === 0) return '';
  return section('Faults', table(['fault', 'kind', 'injected'], result.faults.map((f) => [f.id, f.kind, String(f.injected)]), { textColumns: 2 }));
}

function breaker(result: Result): string {
  const transitions = result.breakerTransitions ?? [];
  if (transitions.length === 0) return '';
  return section(
    'Circuit breaker',
    table(['at', 'origin', 'from', 'to'], transitions.map((t) => [duration(t.atMs), t.origin, t.from, t.to]), { textColumns: 4 }),
  );
}

function invariant(result: Result): string {
  const { counts } = result;
  const broken = checkInvariant(result);
  const line =
    broken === undefined
      ? `scheduled ${counts.scheduled} = accepted ${counts.accepted} + rejected ${counts.rejected} + failed ${counts.failed} + expired ${counts.expired} + dropped ${counts.dropped} ✓`
      : `${broken} ✗`;
  return section('Invariant', paragraph(line, broken === undefined ? 'ok invariant' : 'broken invariant'));
}

/** The report as one HTML document. Every string from the result is escaped. */
export function formatHtml(result: Result): string {
  const title = `pushsim${result.scenario !== undefined ? ` · ${result.scenario}` : ''} · ${result.startedAt}`;
  const sections = [header(result), outcomes(result), providersSection(result), latency(result), chart(result), perSecondChart(result), phases(result), ownPauses(result), reasons(result), thresholds(result), ledger(result), faults(result), breaker(result), configSection(result), invariant(result)];
  const body = sections.filter((part) => part !== '').join('\n');
  return htmlPage(title, body, runSectionsStyle);
}
