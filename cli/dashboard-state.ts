/**
 * What the live dashboard (cli/dashboard.ts) shows, kept from the runner's events: one point per
 * progress tick (rates of the tick, p99 of the tick), the fault phases and breaker changes as the
 * ticks saw them, the latest counts, the warnings. Built from `progress` (and `start`, `warmup`,
 * `waiting`, `warning`, `done`) only, because with `--workers N` those are the events combined over
 * the threads; per-notification `outcome` events stay inside the workers.
 *
 * The page draws whatever `view()` returns (a snapshot when a browser connects, then `tick()` each
 * second): both are plain data, the same for the same events, so the page is a function of them.
 */
import type { LatencySummary } from '../reports/histogram.js';
import type { RunProgress, RunStart, RunWaiting, RunWarmup } from '../scenarios/run-events.js';
import type { BreakerState } from '../scenarios/tick-stats.js';

/** One progress tick, as rates per second over the tick (the chart's x is the tick's end, in seconds of the run). */
export interface DashboardPoint {
  readonly second: number;
  /** Notifications pushsim scheduled per second over the tick (the planned line of the HTML report). */
  readonly planned: number;
  /** Answers per second: notifications that reached a final state (the achieved rate). */
  readonly answered: number;
  readonly accepted: number;
  /** Rejected, failed or dropped, per second. */
  readonly other: number;
  /** p99 (ms) of what was accepted during the tick; null when nothing was. */
  readonly p99: number | null;
}

export type DashboardStage = 'starting' | 'warm-up' | 'waiting' | 'run' | 'draining' | 'done';

export interface DashboardPhase {
  readonly name: string;
  /** Seconds on the run's clock, at tick resolution (the HTML report at the end has them exactly). */
  readonly start: number;
  readonly end: number;
}

export interface DashboardBreakerChange {
  readonly at: number;
  readonly to: BreakerState;
}

/** The whole picture, sent when a page connects. */
export interface DashboardView {
  readonly stage: DashboardStage;
  readonly start?: RunStart;
  readonly warmup?: RunWarmup;
  readonly waiting?: RunWaiting;
  /** The latest combined progress tick. */
  readonly progress?: RunProgress;
  /** Answers per second over the latest tick. */
  readonly rate?: number;
  readonly points: readonly DashboardPoint[];
  readonly phases: readonly DashboardPhase[];
  readonly breaker: readonly DashboardBreakerChange[];
  /** The p99s of the ticks so far: their median and the worst (works with worker threads). */
  readonly tickP99?: { readonly median: number; readonly worst: number };
  /** Accepted latency over the whole run so far (with worker threads, from the histograms of their ticks). */
  readonly latency?: LatencySummary;
  readonly warnings: readonly string[];
  /** Once the run ended: where its HTML report is served. */
  readonly report?: string;
}

/** What changed in one tick: the new point (if any) and the header's values. */
export type DashboardTick = Omit<DashboardView, 'points' | 'phases' | 'breaker' | 'warnings' | 'start'> & {
  readonly point?: DashboardPoint;
  readonly phases: readonly DashboardPhase[];
  readonly breaker: readonly DashboardBreakerChange[];
  readonly warnings: readonly string[];
};

/** Warnings kept for the page (each is said once by the runner; a handful in any real run). */
const maxWarnings = 50;
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

export class DashboardState {
  #stage: DashboardStage = 'starting';
  #start: RunStart | undefined;
  #warmup: RunWarmup | undefined;
  #waiting: RunWaiting | undefined;
  #progress: RunProgress | undefined;
  #rate: number | undefined;
  readonly #points: DashboardPoint[] = [];
  readonly #phases: DashboardPhase[] = [];
  /** Whether the last phase is still the current one. */
  #phaseOpen = false;
  readonly #breaker: DashboardBreakerChange[] = [];
  readonly #warnings: string[] = [];
  /** The ticks' p99s, sorted, for their median and worst. */
  readonly #p99s: number[] = [];
  #latency: LatencySummary | undefined;
  #report: string | undefined;

  onStart(start: RunStart): void {
    this.#start = start;
  }

  onWarmup(warmup: RunWarmup): void {
    this.#warmup = warmup;
    if (this.#stage === 'starting') this.#stage = 'warm-up';
  }

  onWaiting(waiting: RunWaiting): void {
    this.#waiting = waiting;
    this.#stage = 'waiting';
  }

  onWarning(message: string): void {
    if (this.#warnings.length < maxWarnings) this.#warnings.push(message);
  }

  /** A combined tick; returns the point it added (none when no time passed since the last). */
  onProgress(p: RunProgress): DashboardPoint | undefined {
    if (this.#stage === 'done') return undefined;
    const previous = this.#progress;
    this.#progress = p;
    this.#stage = p.plannedMs !== null && p.elapsedMs > p.plannedMs + 1000 ? 'draining' : 'run';
    const second = round3(p.elapsedMs / 1000);
    this.#notePhase(p.phase, second, previous === undefined);
    this.#noteBreaker(p.breaker, previous?.breaker, second);
    if (p.p99Ms !== null) this.#p99s.splice(sortedIndex(this.#p99s, p.p99Ms), 0, p.p99Ms);
    const spanS = (p.elapsedMs - (previous?.elapsedMs ?? 0)) / 1000;
    if (spanS <= 0) return undefined;
    const perSecond = (now: number, before: number): number => round3((now - before) / spanS);
    const other = (q: Pick<RunProgress, 'rejected' | 'failed' | 'dropped'> | undefined): number => (q === undefined ? 0 : q.rejected + q.failed + q.dropped);
    const point: DashboardPoint = {
      second,
      planned: perSecond(p.scheduled, previous?.scheduled ?? 0),
      answered: perSecond(p.completed, previous?.completed ?? 0),
      accepted: perSecond(p.accepted, previous?.accepted ?? 0),
      other: perSecond(other(p), other(previous)),
      p99: p.p99Ms === null ? null : round3(p.p99Ms),
    };
    this.#rate = point.answered;
    this.#points.push(point);
    return point;
  }

  /** Accepted latency over the run so far (from this thread's outcomes, when it sees them). */
  onLatency(latency: LatencySummary): void {
    this.#latency = latency;
  }

  /** The run ended after `durationMs` (the result's); its HTML report is at `report`. */
  onDone(report: string, durationMs: number): void {
    this.#stage = 'done';
    this.#report = report;
    const last = this.#phases.at(-1);
    const end = round3(durationMs / 1000);
    if (this.#phaseOpen && last !== undefined && end > last.end) this.#phases[this.#phases.length - 1] = { ...last, end };
    this.#phaseOpen = false;
  }

  get stage(): DashboardStage {
    return this.#stage;
  }

  view(): DashboardView {
    return { ...this.#header(), ...(this.#start !== undefined && { start: this.#start }), points: [...this.#points], phases: [...this.#phases], breaker: [...this.#breaker], warnings: [...this.#warnings] };
  }

  /** The header's values and the latest point: what a connected page needs each second. */
  tick(point?: DashboardPoint): DashboardTick {
    return { ...this.#header(), ...(point !== undefined && { point }), phases: [...this.#phases], breaker: [...this.#breaker], warnings: [...this.#warnings] };
  }

  #header(): Omit<DashboardView, 'points' | 'phases' | 'breaker' | 'warnings' | 'start'> {
    const p99s = this.#p99s;
    return {
      stage: this.#stage,
      ...(this.#warmup !== undefined && { warmup: this.#warmup }),
      ...(this.#waiting !== undefined && { waiting: this.#waiting }),
      ...(this.#progress !== undefined && { progress: this.#progress }),
      ...(this.#rate !== undefined && { rate: this.#rate }),
      ...(p99s.length > 0 && { tickP99: { median: round3(p99s[Math.floor((p99s.length - 1) / 2)] as number), worst: round3(p99s[p99s.length - 1] as number) } }),
      ...(this.#latency !== undefined && { latency: this.#latency }),
      ...(this.#report !== undefined && { report: this.#report }),
    };
  }

  /**
   * A phase runs from the tick that first saw it (0 for the first tick) to the tick that saw another
   * or none: its edges are as exact as the ticks are apart.
   */
  #notePhase(name: string | undefined, second: number, first: boolean): void {
    const last = this.#phases.at(-1);
    const open = last !== undefined && this.#phaseOpen;
    if (open) this.#phases[this.#phases.length - 1] = { ...last, end: second };
    this.#phaseOpen = name !== undefined;
    if (name !== undefined && (!open || name !== last.name)) this.#phases.push({ name, start: first ? 0 : second, end: second });
  }

  #noteBreaker(now: BreakerState | undefined, before: BreakerState | undefined, second: number): void {
    if (now !== undefined && now !== (before ?? 'closed')) this.#breaker.push({ at: second, to: now });
  }
}

/** Where `value` goes in the ascending `sorted` (after equal values). */
function sortedIndex(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}
