/** `pushsim compare`'s table: one metric per row with its evidence and verdict, then the notes. */
import type { Comparison, Evidence, MetricComparison, MetricUnit, RunInfo } from './compare-types.js';
import { ms, safe, table } from './format.js';
import { pushAll } from '../core/arrays.js';

export interface FormatComparisonOptions {
  /** ANSI colours (bold heading, green ✓ / red ✗). @default false */
  readonly color?: boolean;
}

/** The comparison as a terminal table, one metric per row, then the verdict, the method and any notes. */
export function formatComparison(comparison: Comparison, options: FormatComparisonOptions = {}): string {
  const paint = (code: string, text: string): string => (options.color === true ? `\x1b[${code}m${text}\x1b[0m` : text);
  const { metrics, regressions, notes, runs } = comparison;
  const repeated = comparison.method === 'repeated-runs';
  const heading = repeated
    ? `pushsim compare · ${runs.base.length} base runs ${describeRuns(runs.base)} · ${runs.candidate.length} candidate runs ${describeRuns(runs.candidate)}`
    : `pushsim compare · base ${describeRun(comparison.base)} · candidate ${describeRun(comparison.candidate)}`;
  const lines = [paint('1', heading), ''];

  const rows = metrics.map((m) => [
    m.unit === 'ms' ? `${m.label} (ms)` : m.label,
    value(m.unit, m.base),
    value(m.unit, m.candidate),
    change(m),
    m.gated ? `${m.better === 'lower' ? '≤' : '≥'} ${value(m.unit, m.limit)}` : '—',
    m.evidence === undefined ? '' : evidence(m, m.evidence),
    verdict(m, paint),
  ]);
  const [head = '', ...body] = table([[`metric`, repeated ? 'base (median)' : 'base', repeated ? 'candidate (median)' : 'candidate', 'change', 'limit', 'evidence', ''], ...rows], (column, columns) => column === 0 || column >= columns - 2);
  lines.push(paint('1', head));
  pushAll(lines, body);
  lines.push('');

  const t = comparison.tolerances;
  lines.push(
    regressions.length === 0
      ? `${paint('32', '✓')} no regression`
      : `${paint('31', '✗')} ${regressions.length} regression(s): ${metrics.filter((m) => m.regression).map((m) => m.label).join(', ')}`,
  );
  lines.push(
    `tolerances: latency +${t.maxLatencyIncreasePct}% (and > ${t.minLatencyIncreaseMs} ms) · throughput −${t.maxThroughputDropPct}% · error rate +${t.maxErrorRateIncreasePp} pp` +
      ` · retries +${t.maxRetriesIncrease}/notification · duplicates +${t.maxDuplicateRateIncreasePp} pp`,
  );
  const confidence = `${trim(100 * (1 - comparison.alpha))}%`;
  lines.push(
    repeated
      ? `method: a regression is past its tolerance and clear over the runs' spread (one-sided Mann–Whitney U, α = ${comparison.alpha})`
      : `method: a regression is past its tolerance and clear: ${confidence} order-statistic intervals apart (latency), seen in the steadiest seconds too, ` +
          `p ≤ ${comparison.alpha} (error rate, retries, duplicates), below the base even without the drain (rate) — see docs/compare.md`,
  );
  if (notes.length > 0) pushAll(lines, ['', 'notes:', ...notes.map((note) => `  - ${safe(note)}`)]);
  return `${lines.join('\n')}\n`;
}

function verdict(m: MetricComparison, paint: (code: string, text: string) => string): string {
  if (!m.gated) return 'not gated';
  if (m.regression) return paint('31', '✗ REGRESSION');
  if (!m.beyondTolerance) return paint('32', '✓');
  // Past the tolerance, but not a regression: say which condition held it back.
  if (!m.clear) return `${paint('32', '✓')} within noise`;
  return `${paint('32', '✓')} not in steady seconds`;
}

function evidence(m: MetricComparison, e: Evidence): string {
  switch (e.test) {
    case 'quantile-intervals': {
      const apart = m.clear ? 'CIs apart' : 'CIs overlap';
      const steady = e.steady === undefined ? '' : ` · steady ${e.steady.series} ${signed(percentText(e.steady.candidate / e.steady.base - 1), e.steady.candidate - e.steady.base)}`;
      return apart + steady;
    }
    case 'rate-drain':
      return `≤ ${value('/s', e.candidateRateBound ?? Number.POSITIVE_INFINITY)} w/o drain`;
    default:
      return `p=${pValue(e.pValue ?? 1)}`;
  }
}

function describeRun(run: RunInfo): string {
  return `${run.scenario === undefined ? '' : `${safe(run.scenario)} `}(${safe(run.startedAt)})`;
}

function describeRuns(runs: readonly RunInfo[]): string {
  const names = [...new Set(runs.map((r) => r.scenario ?? '(none)'))].map(safe).join(', ');
  const starts = runs.map((r) => r.startedAt).sort();
  return `${names} (${safe(starts[0] ?? '')} … ${safe(starts[starts.length - 1] ?? '')})`;
}

function value(unit: MetricUnit, n: number): string {
  if (!Number.isFinite(n)) return '∞';
  switch (unit) {
    case 'ms':
      return ms(n);
    case '/s':
      return `${n.toFixed(1)}/s`;
    case '%':
      return `${n.toFixed(2)}%`;
    case 'per notification':
      return n.toFixed(3);
  }
}

const trim = (n: number): string => String(Math.round(n * 100) / 100);
const percentText = (fraction: number): string => `${(100 * fraction).toFixed(1)}%`;
const pValue = (p: number): string => (p < 0.001 ? '<0.001' : p.toFixed(3));

/** `+1.5`, `−1.5`, and no sign on a change that rounds to zero. */
function signed(text: string, n: number): string {
  if (Number(/-?[\d.]+/.exec(text)?.[0]) === 0) return text.replace('-', '');
  return n > 0 ? `+${text}` : text.replace('-', '−');
}

function change(m: MetricComparison): string {
  if (m.unit === '%') return `${signed(m.change.toFixed(2), m.change)} pp`;
  if (m.unit === 'per notification') return signed(m.change.toFixed(3), m.change);
  const relative = m.relativeChange === null ? '' : ` (${signed(percentText(m.relativeChange), m.relativeChange)})`;
  return `${signed(value(m.unit, m.change), m.change)}${relative}`;
}
