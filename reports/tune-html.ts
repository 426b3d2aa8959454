/**
 * The tuning report as a page (`pushsim tune` writes tune.html beside tune.json): the trade-off
 * every variant made between delivered share, duplicate deliveries and accepted p99, drawn as one
 * point per variant — delivered share up, p99 to the right, the point's size for its duplicates,
 * the winner marked — above the ranking table and the winner's `policies:` block. A pure function
 * of the TuneReport, like formatTune; uPlot draws the chart (html-page.ts inlines it).
 */
import { stringify } from 'yaml';
import { ms, percent } from './format.js';
import { escapeHtml, htmlPage, paragraph, scriptJson, section, table } from './html-page.js';
import { unfinished, type TuneReport, type TunedVariant } from './tune.js';

/** One point per variant that had accepted notifications (p99 exists), in ranking order. */
export interface TradeOffPoint {
  readonly label: string;
  readonly rank: number;
  readonly best: boolean;
  readonly deliveredPercent: number;
  readonly p99Ms: number;
  readonly duplicates: number | null;
  readonly retriesPerNotification: number;
}

/** The chart's points, and the variants it cannot place (nothing accepted: no p99). */
export function tradeOffPoints(report: TuneReport): { points: TradeOffPoint[]; unplaced: string[] } {
  const points: TradeOffPoint[] = [];
  const unplaced: string[] = [];
  report.ranking.forEach((index, rank) => {
    const { label, metrics: m } = report.variants[index] as TunedVariant;
    if (m.p99Ms === null) unplaced.push(label);
    else points.push({ label, rank: rank + 1, best: rank === 0, deliveredPercent: Math.round(m.deliveryRate * 1e5) / 1e3, p99Ms: m.p99Ms, duplicates: m.duplicates, retriesPerNotification: m.retriesPerNotification });
  });
  return { points, unplaced };
}

/**
 * Runs in the browser. uPlot's x values must ascend and be shared, so each variant is a series
 * with its one value at its own p99 and gaps elsewhere, drawn as a point only (no path); the
 * element records how many points it drew (data-points-drawn) for the browser test.
 */
const chartScript = `(function () {
  var data = JSON.parse(document.getElementById('pushsim-tune-data').textContent);
  var target = document.getElementById('tune-chart');
  if (typeof uPlot === 'undefined' || data.points.length === 0) return;
  var xs = data.points.map(function (p) { return p.p99Ms; }).filter(function (x, i, all) { return all.indexOf(x) === i; }).sort(function (a, b) { return a - b; });
  var maxDup = Math.max.apply(null, data.points.map(function (p) { return p.duplicates || 0; }).concat([1]));
  var palette = ['#2e86c1', '#8e44ad', '#d35400', '#16a085', '#7f8c8d', '#c0392b', '#2c3e50', '#b7950b'];
  var series = [{ label: 'p99 accepted (ms)' }];
  var columns = [xs];
  data.points.forEach(function (p, i) {
    var size = 8 + 16 * (p.duplicates || 0) / maxDup;
    var color = p.best ? '#1b7f3b' : palette[i % palette.length];
    series.push({
      label: (p.best ? '\\u2605 ' : '#' + p.rank + ' ') + p.label,
      stroke: color,
      width: p.best ? 3 : 1,
      paths: function () { return null; },
      points: { show: true, size: p.best ? size + 6 : size, fill: color + 'aa', stroke: color },
      value: function (u, v) { return v == null ? '\\u2014' : v.toFixed(2) + ' % delivered \\u00b7 ' + (p.duplicates == null ? 'duplicates \\u2014' : p.duplicates + ' duplicates') + ' \\u00b7 p99 ' + p.p99Ms.toFixed(2) + ' ms'; }
    });
    columns.push(xs.map(function (x) { return x === p.p99Ms ? p.deliveredPercent : null; }));
  });
  var lo = Math.min.apply(null, data.points.map(function (p) { return p.deliveredPercent; }));
  var opts = {
    width: Math.max(320, target.clientWidth || 900),
    height: 360,
    scales: { x: { time: false, range: function (u, min, max) { var pad = Math.max(1, (max - min) * 0.1); return [Math.max(0, min - pad), max + pad]; } }, y: { range: function () { return [Math.max(0, Math.floor(lo) - 1), 100]; } } },
    axes: [{ label: 'p99 of accepted latency (ms)' }, { label: 'delivered (%)', size: 60 }],
    series: series
  };
  var plot = new uPlot(opts, columns, target);
  target.setAttribute('data-points-drawn', String(data.points.length));
  window.addEventListener('resize', function () { plot.setSize({ width: Math.max(320, target.clientWidth), height: 360 }); });
})();`;

/** The tuning report as one HTML document. Every string from the report is escaped. */
export function formatTuneHtml(report: TuneReport): string {
  const { points, unplaced } = tradeOffPoints(report);
  const { variants, ranking, best } = report;
  const head = `<h1>pushsim tune · ${escapeHtml(report.scenario)}</h1>\n${paragraph(`${report.plan} · ${variants.length} of ${report.planned} variant(s) run · ranked by delivered share, then duplicates, attempts per notification and accepted p99`, 'meta')}`;
  const chart =
    points.length === 0
      ? ''
      : section(
          'Trade-off',
          [
            paragraph('Each point is one variant: higher delivered more, further left answered faster at p99, and a bigger point made more duplicate deliveries. The winner is the large green point (★ in the legend).'),
            unplaced.length > 0 ? paragraph(`Not drawn (nothing accepted, so no p99): ${unplaced.join(', ')}.`) : '',
            '<div id="tune-chart"></div>',
            '<noscript><p>The chart needs JavaScript; the table below has the same numbers.</p></noscript>',
            `<script type="application/json" id="pushsim-tune-data">${scriptJson({ points })}</script>`,
            `<script>${chartScript}</script>`,
          ].filter((part) => part !== '').join('\n'),
        );
  const rows = ranking.map((index, rank) => {
    const { label, metrics: m } = variants[index] as TunedVariant;
    return [String(rank + 1), label, percent(m.accepted, m.scheduled), String(m.rejected), String(m.undelivered), m.duplicates === null ? '—' : String(m.duplicates), m.attemptsPerNotification.toFixed(3), m.retriesPerNotification.toFixed(3), m.p99Ms === null ? '—' : ms(m.p99Ms), rank === 0 ? '★ best' : ''];
  });
  const ranked = section(
    'Ranking',
    table(['#', 'variant', 'delivered', 'rejected', 'undelivered', 'duplicates', 'attempts/n', 'retries/n', 'p99 (ms)', ''], rows, { textColumns: 2, rowClass: (r) => (r === 0 ? 'best' : '') }),
  );
  const interrupted = variants.length < report.planned ? paragraph(`Interrupted: ${unfinished(report)}.`, 'broken') : '';
  const winner = best === undefined ? '' : section(`Best: ${best.label}`, `${paragraph('Paste into the scenario:')}\n<pre>${escapeHtml(stringify({ policies: best.policies }).trimEnd())}</pre>`);
  const body = [head, chart, ranked, interrupted, winner].filter((part) => part !== '').join('\n');
  return htmlPage(`pushsim tune · ${report.scenario}`, body, '\n#tune-chart { width: 100%; min-height: 360px; } .best td { font-weight: 600; } pre { background: #f4f6f6; padding: .6rem .8rem; }\n');
}
