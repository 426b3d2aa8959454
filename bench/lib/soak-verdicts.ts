/**
 * The soak benchmark's numbers and verdicts (bench/soak.ts), as pure functions of what it sampled
 * and the run's per-second timeline, so they are tested apart from an hour-long run:
 *
 *  1. memory: RSS after the settle time (default the 5th minute) stays within ±10 % of its value
 *     there, to the end;
 *  2. the median of the per-second accepted p99 in the last window (default 10 minutes) is within
 *     20 % of the first window's;
 *  3. the worst per-second p99 does not grow with time: the last window's worst is at most 1.25 ×
 *     the first window's (every window's worst is printed, so a trend shows).
 */
import type { TimelineSecond } from '../../reports/timeline.js';

/** One sample of the process, taken every `sampleSeconds` of the measured run. */
export interface SoakSample {
  /** Second of the measured run. */
  readonly second: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

export interface SoakBounds {
  /** Minutes after which RSS must hold; the sample at (or first after) it is the reference. */
  readonly settleMinutes: number;
  /** Length of the first and last windows compared (minutes). */
  readonly windowMinutes: number;
  /** RSS band around the reference, ±%. @default 10 */
  readonly rssPercent?: number;
  /** Median per-second p99, last window against first, ±%. @default 20 */
  readonly medianPercent?: number;
  /** Worst per-second p99, last window at most this × the first's. @default 1.25 */
  readonly worstRatio?: number;
}

export interface Verdict {
  readonly passed: boolean;
  /** One line saying what was compared, the numbers and the bound. */
  readonly line: string;
}

export interface SoakVerdicts {
  readonly rss: Verdict;
  readonly median: Verdict;
  readonly worst: Verdict;
}

/** The default settle time and window for a run of `minutes`: the acceptance's 5 and 10 minutes for an hour, scaled down for shorter runs. */
export function defaultBounds(minutes: number): SoakBounds {
  return { settleMinutes: Math.min(5, minutes / 6), windowMinutes: Math.min(10, minutes / 3) };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The per-second accepted p99 of seconds [from, to), seconds with none left out. */
function p99s(timeline: readonly TimelineSecond[], from: number, to: number): number[] {
  return timeline.filter((s) => s.second >= from && s.second < to && s.p99 !== null).map((s) => s.p99 as number);
}

const mb = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MB`;
const signed = (percent: number): string => `${percent >= 0 ? '+' : '−'}${Math.abs(percent).toFixed(1)} %`;
const msText = (ms: number | null): string => (ms === null ? '—' : `${ms.toFixed(1)} ms`);
const minutesText = (minutes: number): string => (Number.isInteger(minutes) ? String(minutes) : minutes.toFixed(2));

/** One memory figure at one second of a run. */
export interface MemorySample {
  readonly second: number;
  readonly bytes: number;
}

/**
 * Flat memory: `what` at the settle time (the sample at or first after minute `settleMinutes`)
 * and every later sample within ±`percent` % of it. The soak's RSS verdict, and the virtual hour's
 * (bench/simulate.ts) RSS and live-heap verdicts.
 */
export function bandVerdict(what: string, samples: readonly MemorySample[], settleMinutes: number, percent = 10): Verdict {
  const reference = samples.find((s) => s.second >= settleMinutes * 60);
  const after = samples.filter((s) => reference !== undefined && s.second >= reference.second);
  if (reference === undefined || after.length < 2) return { passed: false, line: `${what}: no samples after minute ${minutesText(settleMinutes)} to compare (run longer, or sample more often)` };
  const low = Math.min(...after.map((s) => s.bytes));
  const high = Math.max(...after.map((s) => s.bytes));
  const lowPercent = (100 * (low - reference.bytes)) / reference.bytes;
  const highPercent = (100 * (high - reference.bytes)) / reference.bytes;
  const passed = lowPercent >= -percent && highPercent <= percent;
  return {
    passed,
    line: `${what} after minute ${minutesText(settleMinutes)} (${mb(reference.bytes)}) to the end: ${mb(low)}–${mb(high)} (${signed(lowPercent)} … ${signed(highPercent)}; bound ±${percent} %) — ${passed ? 'PASS' : 'FAIL'}`,
  };
}

/**
 * The three verdicts over a run of `durationSeconds` (its planned length: the drain after the last
 * planned second is left out).
 */
export function soakVerdicts(samples: readonly SoakSample[], timeline: readonly TimelineSecond[], durationSeconds: number, bounds: SoakBounds): SoakVerdicts {
  const rssPercent = bounds.rssPercent ?? 10;
  const medianPercent = bounds.medianPercent ?? 20;
  const worstRatio = bounds.worstRatio ?? 1.25;
  const window = Math.max(1, Math.round(bounds.windowMinutes * 60));

  const rss = bandVerdict('RSS', samples.map((s) => ({ second: s.second, bytes: s.rssBytes })), bounds.settleMinutes, rssPercent);

  const first = p99s(timeline, 0, window);
  const last = p99s(timeline, durationSeconds - window, durationSeconds);
  const firstMedian = median(first);
  const lastMedian = median(last);
  let medianVerdict: Verdict;
  if (firstMedian === null || lastMedian === null || firstMedian === 0) {
    medianVerdict = { passed: false, line: 'median per-second p99: no accepted latency in the first or last window' };
  } else {
    const change = (100 * (lastMedian - firstMedian)) / firstMedian;
    const passed = Math.abs(change) <= medianPercent;
    medianVerdict = {
      passed,
      line: `median per-second p99, last ${minutesText(bounds.windowMinutes)} min vs first ${minutesText(bounds.windowMinutes)} min: ${msText(lastMedian)} vs ${msText(firstMedian)} (${signed(change)}; bound ±${medianPercent} %) — ${passed ? 'PASS' : 'FAIL'}`,
    };
  }

  // Worst per-second p99 per consecutive window, the last one ending where the run does.
  const worsts: number[] = [];
  for (let end = durationSeconds; end - window >= 0; end -= window) {
    const values = p99s(timeline, end - window, end);
    if (values.length > 0) worsts.unshift(Math.max(...values));
  }
  let worst: Verdict;
  const firstWorst = first.length > 0 ? Math.max(...first) : null;
  const lastWorst = last.length > 0 ? Math.max(...last) : null;
  if (firstWorst === null || lastWorst === null || firstWorst === 0) {
    worst = { passed: false, line: 'worst per-second p99: no accepted latency in the first or last window' };
  } else {
    const ratio = lastWorst / firstWorst;
    const passed = ratio <= worstRatio;
    worst = {
      passed,
      line: `worst per-second p99 per ${minutesText(bounds.windowMinutes)}-min window: ${worsts.map((w) => w.toFixed(1)).join(', ')} ms; last ${msText(lastWorst)} / first ${msText(firstWorst)} = ${ratio.toFixed(2)} (bound ≤ ${worstRatio}) — ${passed ? 'PASS' : 'FAIL'}`,
    };
  }
  return { rss, median: medianVerdict, worst };
}

/** One Markdown table row per sample: memory, and the per-second numbers of the seconds since the previous sample. */
export function sampleTable(samples: readonly SoakSample[], timeline: readonly TimelineSecond[]): string {
  const head = '| minute | RSS MB | heap MB | p99 median ms | p99 worst ms | sender delay max ms | mock delay max ms | sender GC ms | mock GC ms |';
  const rule = '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const rows = samples.map((sample, i) => {
    const from = i === 0 ? 0 : (samples[i - 1] as SoakSample).second;
    const seconds = timeline.filter((s) => s.second >= from && s.second < sample.second);
    const values = seconds.flatMap((s) => (s.p99 === null ? [] : [s.p99]));
    const max = (pick: (s: TimelineSecond) => number | undefined): string => {
      const picked = seconds.flatMap((s) => (pick(s) === undefined ? [] : [pick(s) as number]));
      return picked.length === 0 ? '—' : Math.max(...picked).toFixed(1);
    };
    const sum = (pick: (s: TimelineSecond) => number | undefined): string => {
      const picked = seconds.flatMap((s) => (pick(s) === undefined ? [] : [pick(s) as number]));
      return picked.length === 0 ? '—' : picked.reduce((a, b) => a + b, 0).toFixed(1);
    };
    return `| ${(sample.second / 60).toFixed(2)} | ${(sample.rssBytes / 1024 / 1024).toFixed(0)} | ${(sample.heapUsedBytes / 1024 / 1024).toFixed(0)} | ${median(values)?.toFixed(1) ?? '—'} | ${values.length === 0 ? '—' : Math.max(...values).toFixed(1)} | ${max((s) => s.senderDelayMs)} | ${max((s) => s.mockDelayMs)} | ${sum((s) => s.senderGcMs)} | ${sum((s) => s.mockGcMs)} |`;
  });
  return [head, rule, ...rows].join('\n');
}
