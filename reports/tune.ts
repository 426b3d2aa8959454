/**
 * The report of a policy tuning (scenarios/tune.ts): each variant's metrics, their ranking, and a
 * table with the winner's `policies:` block to paste into the scenario. Pure functions of Results,
 * like compare.ts; `pushsim tune` prints `formatTune` and writes `tune.json`.
 */
import { stringify } from 'yaml';
import type { ResiliencePolicies } from '../sender/policies.js';
import { ms, percent, safe, table } from './format.js';
import type { Result } from './result.js';
import { pushAll } from '../core/arrays.js';

export const TUNE_SCHEMA = 'pushsim.tune/1';

/** What a scenario's `policies:` holds: retry and circuit breaker. */
export type TunedPolicies = Pick<ResiliencePolicies, 'retry' | 'circuitBreaker'>;

export interface TuneMetrics {
  readonly scheduled: number;
  readonly accepted: number;
  /** accepted / scheduled, from 0 to 1. */
  readonly deliveryRate: number;
  /** Permanent rejections (dead tokens) and retryable ones the policies gave up on. */
  readonly rejected: number;
  /** failed + expired + dropped: no answer from the provider, or never sent. */
  readonly undelivered: number;
  /** Second deliveries the mock's ledger saw; null when the target is not our mock. */
  readonly duplicates: number | null;
  readonly attemptsPerNotification: number;
  readonly retriesPerNotification: number;
  /** p99 of accepted latency (ms, from the planned send time); null when nothing was accepted. */
  readonly p99Ms: number | null;
}

export interface TunedVariant {
  readonly label: string;
  readonly policies: TunedPolicies;
  readonly metrics: TuneMetrics;
  /** The run's full Result; left out of tune.json and `--json` (see withoutResults). */
  readonly result?: Result;
}

export interface TuneReport {
  readonly schema: typeof TUNE_SCHEMA;
  readonly scenario: string;
  /** The load each variant ran, e.g. `1000 notifications at 2000/s`. */
  readonly plan: string;
  /** Variants the grid asked for: more than `variants.length` when the tuning was interrupted. */
  readonly planned: number;
  /** In grid order. */
  readonly variants: readonly TunedVariant[];
  /** Indices into `variants`, best first (rankVariants). */
  readonly ranking: readonly number[];
  /** `variants[ranking[0]]`; absent when no variant finished. */
  readonly best?: TunedVariant;
}

const share = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);

export function tuneMetrics(result: Result): TuneMetrics {
  const { scheduled, accepted, rejected, failed, expired, dropped, attempts, retries, duplicates } = result.counts;
  return {
    scheduled,
    accepted,
    deliveryRate: share(accepted, scheduled),
    rejected,
    undelivered: failed + expired + dropped,
    duplicates: duplicates ?? null,
    attemptsPerNotification: share(attempts, scheduled),
    retriesPerNotification: share(retries ?? 0, scheduled),
    p99Ms: result.latencyMs.accepted.count > 0 ? result.latencyMs.accepted.p99 : null,
  };
}

/**
 * Negative when `a` ranks before `b`: the higher delivery rate; then fewer duplicate deliveries;
 * then fewer attempts per notification (less load on the provider); then the lower accepted p99
 * (none accepted ranks last). Delivery comes first because an undelivered notification is the
 * failure the policies exist to prevent; the rest are its costs.
 */
export function compareTuneMetrics(a: TuneMetrics, b: TuneMetrics): number {
  const p99 = (m: TuneMetrics): number => m.p99Ms ?? Number.POSITIVE_INFINITY;
  return (
    Math.sign(b.deliveryRate - a.deliveryRate) ||
    Math.sign((a.duplicates ?? 0) - (b.duplicates ?? 0)) ||
    Math.sign(a.attemptsPerNotification - b.attemptsPerNotification) ||
    (p99(a) === p99(b) ? 0 : Math.sign(p99(a) - p99(b)))
  );
}

/** Indices of `metrics`, best first by compareTuneMetrics; ties keep their given (grid) order. */
export function rankVariants(metrics: readonly TuneMetrics[]): number[] {
  return metrics
    .map((m, index) => ({ m, index }))
    .sort((x, y) => compareTuneMetrics(x.m, y.m) || x.index - y.index)
    .map(({ index }) => index);
}

/** Ranks `variants` (in grid order) into a report. */
export function tuneReport(scenario: string, plan: string, planned: number, variants: readonly TunedVariant[]): TuneReport {
  const ranking = rankVariants(variants.map((v) => v.metrics));
  const best = ranking[0] === undefined ? undefined : variants[ranking[0]];
  return { schema: TUNE_SCHEMA, scenario, plan, planned, variants, ranking, ...(best && { best }) };
}

/** The report without each variant's full Result: what tune.json and `--json` hold. */
export function withoutResults(report: TuneReport): TuneReport {
  const strip = ({ result: _result, ...variant }: TunedVariant): TunedVariant => variant;
  return { ...report, variants: report.variants.map(strip), ...(report.best && { best: strip(report.best) }) };
}

export interface FormatTuneOptions {
  /** ANSI colours (bold heading, green winner). @default false */
  readonly color?: boolean;
}

/** One row per variant, best first, the winner marked; then its `policies:` block as YAML. */
export function formatTune(report: TuneReport, options: FormatTuneOptions = {}): string {
  const paint = (code: string, text: string): string => (options.color === true ? `\x1b[${code}m${text}\x1b[0m` : text);
  const { variants, ranking, best } = report;
  const lines = [
    paint('1', `pushsim tune · scenario ${safe(report.scenario)} · ${safe(report.plan)} · ${variants.length} of ${report.planned} variant(s) run`),
    'ranked by: delivered (most first), then duplicates, attempts per notification, accepted p99 (fewest / lowest first)',
    '',
  ];
  const rows = ranking.map((index, rank) => {
    const { label, metrics: m } = variants[index] as TunedVariant;
    return [
      String(rank + 1),
      safe(label),
      percent(m.accepted, m.scheduled),
      String(m.rejected),
      String(m.undelivered),
      m.duplicates === null ? '—' : String(m.duplicates),
      m.attemptsPerNotification.toFixed(3),
      m.retriesPerNotification.toFixed(3),
      m.p99Ms === null ? '—' : ms(m.p99Ms),
      rank === 0 ? paint('32', '★ best') : '',
    ];
  });
  const header = ['#', 'variant', 'delivered', 'rejected', 'undelivered', 'duplicates', 'attempts/n', 'retries/n', 'p99 (ms)', ''];
  const [head = '', ...body] = table([header, ...rows], (column, columns) => column === 1 || column === columns - 1);
  lines.push(paint('1', head));
  pushAll(lines, body);
  if (variants.length < report.planned) lines.push('', `interrupted: ${unfinished(report)}`);
  if (best === undefined) return `${lines.join('\n')}\n`;
  lines.push('', `best: ${safe(best.label)} — paste into the scenario:`, '', stringify({ policies: best.policies }).trimEnd());
  return `${lines.join('\n')}\n`;
}

/** What an interrupted tune says of the variants it could not rank (text and HTML reports). */
export function unfinished(report: TuneReport): string {
  return `${report.planned - report.variants.length} variant(s) did not finish (not started, or cut short by the signal); the ranking covers those that finished`;
}
