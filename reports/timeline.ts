/**
 * Per-second counts and latency of a run (autocannon's per-second samples, k6's time series): what a
 * ramping load needs to show where latency bends, and what a fault timeline needs to show when the
 * errors came. Outcomes are bucketed by the second they completed in, counted from the measured
 * run's start; scheduled notifications by the second they were planned for, sent ones by the second
 * they went on the wire.
 *
 * Latency percentiles per second come from one HDR histogram reused for the second being filled
 * (outcomes arrive in completion order), so a long run keeps one small entry per second, not a
 * histogram per second.
 */
import { createLatencyHistogram } from './histogram.js';
import type { LatencyHistogram } from './histogram.js';
import type { OutcomeStatus } from '../sender/outcome.js';
import type { InjectionCounts } from '../simulator/faults/injection-timeline.js';

export interface TimelineSecond {
  /** Seconds since the measured run started: this entry covers [second, second + 1). */
  readonly second: number;
  /** Notifications planned for this second. */
  readonly scheduled: number;
  /**
   * Notifications whose first request went on the wire during this second (results from before
   * this field lack it). Next to `scheduled` it shows pushsim falling behind its schedule.
   */
  readonly sent?: number;
  /** Notifications that reached each final state during this second. */
  readonly accepted: number;
  readonly rejected: number;
  readonly failed: number;
  readonly expired: number;
  readonly dropped: number;
  /** Latency (ms, from the planned time) of the notifications accepted during this second; null when none was. */
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  /**
   * pushsim's own pauses in this second (core/pauses.ts; results from before them lack these): the
   * longest event-loop delay and the GC pause time (ms) of the sender's thread, and of the mock's
   * worker thread when the mock runs in one. A p99 that rises with them is pushsim's, not the provider's.
   */
  readonly senderDelayMs?: number;
  readonly senderGcMs?: number;
  readonly mockDelayMs?: number;
  readonly mockGcMs?: number;
  /**
   * Retries the retry policy made whose answer came back during this second (the policy reports a
   * retry when it returns); results from before this field lack it.
   */
  readonly retries?: number;
  /**
   * Faults the run's mocks injected during this second (every fault of the spec together; their
   * sum is the sum of `faults[].injected`). Counted by the mocks' fault engines per 100 ms of the
   * fault timeline and placed in the run's second that holds each tenth's middle. Only for a run
   * with faults against pushsim's own mocks.
   */
  readonly injected?: number;
  /**
   * The accepted latencies of this second as a compressed base64 HDR histogram: written by a shard
   * (`pushsim run --shard`, each worker thread of `--workers`), so that a merge computes each
   * second's percentiles from the added histograms, exactly, where two shards had the same second.
   */
  readonly hdr?: string;
}

type Entry = { -readonly [K in keyof TimelineSecond as K extends PauseField | 'injected' ? never : K]-?: TimelineSecond[K] };
type PauseField = 'senderDelayMs' | 'senderGcMs' | 'mockDelayMs' | 'mockGcMs' | 'hdr';
type Closed = Entry & { hdr?: string };

const emptyEntry = (second: number): Entry => ({ second, scheduled: 0, sent: 0, accepted: 0, rejected: 0, failed: 0, expired: 0, dropped: 0, p50: null, p99: null, max: null, retries: 0 });

export interface TimelineOptions {
  /** Keep each second's histogram in its entry (`hdr`), for a merge: a shard's timeline. @default false */
  readonly histograms?: boolean;
}

export class TimelineRecorder {
  readonly #entries: Closed[] = [];
  readonly #histogram: LatencyHistogram = createLatencyHistogram();
  /** The second whose accepted latencies the histogram holds. */
  #filling = 0;
  readonly #histograms: boolean;

  constructor(options: TimelineOptions = {}) {
    this.#histograms = options.histograms ?? false;
  }

  onScheduled(atMs: number): void {
    this.#entry(atMs).scheduled++;
  }

  /** A notification's first request went on the wire at `atMs`. */
  onSent(atMs: number): void {
    this.#entry(atMs).sent++;
  }

  /** The retry policy reported a retry at `atMs` (when it came back). */
  onRetry(atMs: number): void {
    this.#entry(atMs).retries++;
  }

  onOutcome(status: OutcomeStatus, latencyMs: number, atMs: number): void {
    const entry = this.#entry(atMs);
    entry[status]++;
    if (status !== 'accepted') return;
    if (entry.second > this.#filling) {
      this.#close(this.#entries[this.#filling]);
      this.#histogram.reset();
      this.#filling = entry.second;
    }
    // An outcome for a second already closed (clock skew) is counted but adds no latency.
    if (entry.second === this.#filling) this.#histogram.recordMs(latencyMs);
  }

  /** Every second from 0 to the last with anything in it; the second still filling is summarised without closing it. */
  snapshot(): TimelineSecond[] {
    const seconds = this.#entries.map((entry, second) => ({ ...(entry ?? emptyEntry(second)) }));
    const filling = seconds[this.#filling];
    if (filling !== undefined) this.#close(filling);
    return seconds;
  }

  destroy(): void {
    this.#histogram.destroy();
  }

  #entry(atMs: number): Entry {
    const second = Math.max(0, Math.floor(atMs / 1000));
    // Fill the gap, so the array index is the second.
    for (let s = this.#entries.length; s <= second; s++) this.#entries.push(emptyEntry(s));
    return this.#entries[second] as Entry;
  }

  #close(entry: Closed | undefined): void {
    if (entry === undefined || this.#histogram.count === 0) return;
    const { p50, p99, max } = this.#histogram.summary();
    Object.assign(entry, { p50, p99, max });
    if (this.#histograms) entry.hdr = this.#histogram.encode();
  }
}

/**
 * The mocks' injections (per bin of their fault timeline) per second of the run: a bin goes to the
 * second that holds its middle, `offsetMs` being how long after the faults started the run's clock
 * did (phases.ts places the phases with the same offset). One before the run's clock zero counts in
 * second 0, one after the last second in the last: every injection is counted once.
 */
export function injectedPerSecond(injections: InjectionCounts, offsetMs: number, seconds: number): number[] {
  const perSecond = new Array<number>(Math.max(0, seconds)).fill(0);
  if (seconds <= 0) return perSecond;
  injections.counts.forEach((n, bin) => {
    if (n === 0) return;
    const second = Math.min(seconds - 1, Math.max(0, Math.floor(((bin + 0.5) * injections.binMs - offsetMs) / 1000)));
    perSecond[second] = (perSecond[second] ?? 0) + n;
  });
  return perSecond;
}

/** Each second with its injected count from `perSecond` (0 past its end). */
export function withInjected(seconds: readonly TimelineSecond[], perSecond: readonly number[]): TimelineSecond[] {
  return seconds.map((entry) => ({ ...entry, injected: perSecond[entry.second] ?? 0 }));
}
