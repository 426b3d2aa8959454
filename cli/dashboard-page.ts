/**
 * The live dashboard's page: the HTML report's shell (reports/html-page.ts: stylesheet, uPlot
 * inlined, a Content-Security-Policy) with a status panel and the per-second chart, drawn from the
 * view it is given and kept up to date from the server-sent events of /events (cli/dashboard.ts).
 * When the run ends, the page opens /report: the HTML report of the result, made by the report's own
 * code, so what a person sees at the end is what `--report html` writes.
 *
 * A pure function of the view and the nonce. The policy allows the page's own scripts (by nonce),
 * the event stream from its own origin, and nothing else.
 */
import { chartMarksScript } from '../reports/html-chart-marks.js';
import { escapeHtml, htmlPage, scriptJson, section } from '../reports/html-page.js';
import type { DashboardView } from './dashboard-state.js';

/**
 * The page's policy (meta; the server's header adds frame-ancestors, which a meta element cannot
 * carry): scripts by nonce only, EventSource to its own origin.
 */
export function dashboardCsp(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'`;
}

/**
 * Runs in the browser. The chart shows what the HTML report's per-second chart shows (planned,
 * accepted, not accepted, p99 of the accepted; phases shaded, breaker changes marked) plus the
 * answers per second, one point per progress tick, over the run's planned length. How many points
 * and phases were drawn is left on the chart's element (data-points, data-phases-drawn) for the
 * browser test.
 */
const liveScript = `(function () {
  ${chartMarksScript}
  function el(id) { return document.getElementById(id); }
  function text(id, value) { var node = el(id); if (node) node.textContent = value; }
  function count(v) { return v == null ? '—' : Math.round(v).toLocaleString('en-US'); }
  function ms(v) { return v == null ? '—' : (v < 1 ? v.toFixed(3) : v.toFixed(2)) + ' ms'; }
  function secs(v) { return (v / 1000).toFixed(1) + ' s'; }
  function fromZero(u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; }
  var view = JSON.parse(el('pushsim-dashboard-data').textContent);
  var target = el('live-chart');
  var columns = [[], [], [], [], [], []];
  var plot = null;
  function end() {
    var last = columns[0].length > 0 ? columns[0][columns[0].length - 1] : 0;
    var planned = view.progress && view.progress.plannedMs != null ? view.progress.plannedMs / 1000 + 1 : 0;
    return Math.max(1, last, planned);
  }
  var decorate = pushsimChartMarks(function () { return view; }, target);
  function draw() {
    if (typeof uPlot === 'undefined' || columns[0].length === 0) return;
    if (plot === null) {
      plot = new uPlot({
        width: Math.max(320, target.clientWidth || 900),
        height: 300,
        scales: { x: { time: false, range: function () { return [0, end()]; } }, n: { range: fromZero }, ms: { range: fromZero } },
        axes: [
          { label: 'second of the run', incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600] },
          { scale: 'n', label: 'notifications per second', size: 70 },
          { scale: 'ms', side: 1, label: 'p99 latency (ms)', size: 70, grid: { show: false } }
        ],
        hooks: { drawClear: [decorate] },
        series: [
          { label: 'second', value: function (u, v) { return v == null ? '—' : v.toFixed(1) + ' s'; } },
          { label: 'accepted', scale: 'n', stroke: '#1b7f3b', width: 2, value: function (u, v) { return count(v); } },
          { label: 'not accepted', scale: 'n', stroke: '#c0392b', width: 2, value: function (u, v) { return count(v); } },
          { label: 'planned', scale: 'n', stroke: '#34495e', width: 2, dash: [8, 5], value: function (u, v) { return count(v); } },
          { label: 'answered', scale: 'n', stroke: '#7f8c8d', width: 1, value: function (u, v) { return count(v); } },
          { label: 'p99 accepted', scale: 'ms', stroke: '#2e86c1', width: 2, spanGaps: false, value: function (u, v) { return ms(v); } }
        ]
      }, columns, target);
      window.addEventListener('resize', function () { plot.setSize({ width: Math.max(320, target.clientWidth), height: 300 }); });
    } else {
      plot.setData(columns);
    }
    target.setAttribute('data-points', String(columns[0].length));
  }
  function add(p) {
    var last = columns[0].length > 0 ? columns[0][columns[0].length - 1] : -1;
    if (p.second <= last) return;
    columns[0].push(p.second); columns[1].push(p.accepted); columns[2].push(p.other);
    columns[3].push(p.planned); columns[4].push(p.answered); columns[5].push(p.p99);
  }
  function heading(start) {
    var parts = [start.plan, 'target ' + start.target];
    if (start.shard) parts.push(start.shard);
    if (start.workers) parts.push('workers: ' + start.workers);
    text('d-title', 'pushsim live · ' + start.scenario);
    text('d-meta', parts.join(' · '));
    document.title = 'pushsim live · ' + start.scenario;
  }
  function status(v) {
    var p = v.progress;
    if (v.start) heading(v.start);
    var stage = { starting: 'starting (mocks, connections)', 'warm-up': 'warm-up (not measured)', waiting: 'ready, waiting for the agreed start', run: 'running', draining: 'draining (waiting for the last answers)', done: 'finished' }[v.stage] || v.stage;
    if (v.stage === 'warm-up' && v.warmup) stage += ': ' + count(v.warmup.done) + ' / ' + count(v.warmup.total);
    text('d-stage', stage);
    if (p) {
      text('d-clock', p.plannedMs == null ? secs(p.elapsedMs) : secs(p.elapsedMs) + ' / ' + secs(p.plannedMs));
      text('d-rate', count(v.rate) + '/s' + (p.targetRate == null ? '' : ' of ' + count(p.targetRate) + '/s'));
      text('d-scheduled', count(p.scheduled)); text('d-accepted', count(p.accepted)); text('d-rejected', count(p.rejected));
      text('d-failed', count(p.failed)); text('d-dropped', count(p.dropped));
      text('d-inflight', count(p.inFlight) + (p.queued > 0 ? ' (queued ' + count(p.queued) + ')' : ''));
      text('d-p99', ms(p.p99Ms));
      text('d-phase', p.phase == null ? '—' : p.phase);
      text('d-breaker', p.breaker == null ? 'closed' : p.breaker);
      text('d-eta', p.plannedMs == null || v.stage === 'done' ? '—' : secs(Math.max(0, p.plannedMs - p.elapsedMs)));
    }
    text('d-tick-p99', v.tickP99 ? ms(v.tickP99.median) + ' · ' + ms(v.tickP99.worst) : '—');
    var l = v.latency;
    text('d-latency', l ? 'p50 ' + ms(l.p50) + ' · p90 ' + ms(l.p90) + ' · p99 ' + ms(l.p99) + ' · p99.9 ' + ms(l.p999) + ' · max ' + ms(l.max) + ' (' + count(l.count) + ' accepted)' : 'at the end, in the report (with worker threads the ticks only carry p99)');
    var list = el('d-warnings');
    list.textContent = '';
    (v.warnings || []).forEach(function (w) { var item = document.createElement('li'); item.textContent = w; list.appendChild(item); });
  }
  function show(v) { view = v; status(v); draw(); }
  (view.points || []).forEach(add);
  show(view);
  if (view.stage === 'done') return;
  var source = new EventSource('events');
  source.addEventListener('snapshot', function (e) {
    columns = [[], [], [], [], [], []];
    var v = JSON.parse(e.data);
    v.points.forEach(add);
    show(v);
  });
  source.addEventListener('tick', function (e) {
    var t = JSON.parse(e.data);
    if (t.point) add(t.point);
    show(t);
  });
  source.addEventListener('done', function (e) {
    var t = JSON.parse(e.data);
    source.close();
    show(t);
    text('d-connection', 'the run finished: opening its report');
    window.location.assign(t.report);
  });
  source.onopen = function () { text('d-connection', 'live'); };
  source.onerror = function () { text('d-connection', source.readyState === EventSource.CLOSED ? 'disconnected (the run ended or pushsim stopped)' : 'reconnecting…'); };
})();`;

const extraStyle = `
#live-chart { width: 100%; min-height: 300px; }
.panel { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: .4rem 1.2rem; margin: 1rem 0; }
.panel div { border-left: 3px solid #d5d8dc; padding-left: .5rem; } .panel dt { color: #566573; font-size: .85rem; } .panel dd { margin: 0; font-variant-numeric: tabular-nums; font-weight: 600; }
#d-connection { color: #566573; }
`;

const field = (id: string, label: string): string => `<div><dt>${escapeHtml(label)}</dt><dd id="${id}">—</dd></div>`;

/** The page for the run's current view (a browser that loads it later starts from there). */
export function dashboardPage(view: DashboardView, nonce: string): string {
  // The heading is filled in by the script from the view (here, or the event stream's snapshot once the run starts).
  const title = `pushsim live${view.start !== undefined ? ` · ${view.start.scenario}` : ''}`;
  const panel = [
    field('d-stage', 'stage'),
    field('d-clock', 'elapsed / planned'),
    field('d-eta', 'time left'),
    field('d-rate', 'answered per second (last tick) of target'),
    field('d-scheduled', 'scheduled'),
    field('d-accepted', 'accepted'),
    field('d-rejected', 'rejected'),
    field('d-failed', 'failed'),
    field('d-dropped', 'dropped by pushsim'),
    field('d-inflight', 'in flight'),
    field('d-p99', 'p99 accepted, last tick'),
    field('d-tick-p99', 'p99 of the ticks: median · worst'),
    field('d-phase', 'fault phase'),
    field('d-breaker', 'circuit breaker (worst origin)'),
  ].join('\n');
  const body = [
    `<h1 id="d-title">${escapeHtml(title)}</h1>`,
    '<p class="meta"><span id="d-meta">starting…</span> · <span id="d-connection">connecting…</span></p>',
    `<dl class="panel">\n${panel}\n</dl>`,
    section('Per second', [
      '<p>Each progress tick (about a second): notifications planned, answered, accepted and not accepted per second (left axis, from 0), and p99 of the latency of those accepted (right axis). Shaded bands: the fault phases as the ticks saw them; dashed lines: the breaker changing state. At the end of the run the page opens the HTML report, with the exact per-second numbers.</p>',
      '<div id="live-chart"></div>',
      '<noscript><p>The live page needs JavaScript; result.json and the HTML report hold the same numbers at the end.</p></noscript>',
    ].join('\n')),
    section('Latency so far', '<p id="d-latency">—</p>'),
    section('Warnings', '<ul id="d-warnings"></ul>'),
    `<script type="application/json" id="pushsim-dashboard-data">${scriptJson(view)}</script>`,
    `<script nonce="${escapeHtml(nonce)}">${liveScript}</script>`,
  ].join('\n');
  return htmlPage(title, body, extraStyle, { csp: dashboardCsp(nonce), nonce });
}
