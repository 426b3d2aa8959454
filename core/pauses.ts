/**
 * pushsim's own pauses on one thread: how late its event loop ran ready callbacks
 * (`monitorEventLoopDelay`, sampled every 10 ms) and how long garbage collection stopped it
 * (`PerformanceObserver` 'gc' entries), per second of the measured run and over all of it. A
 * latency that a pause of the sender's thread or of the mock's added is pushsim's, not the
 * provider's: with these next to the per-second p99, a reader can tell the two apart.
 *
 * Each thread measures itself (a worker reports its own numbers over its message port); seconds
 * count from one origin given in epoch ms (`performance.timeOrigin + performance.now()` on either
 * thread), so both threads' seconds line up with the run's timeline.
 */
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';

/** One thread over the measured run. */
export interface ThreadPauses {
  /** How late the event loop ran a ready callback, sampled every 10 ms (ms beyond the 10 ms): p50, p99, max. */
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Garbage-collection pauses: how many, their total and longest (ms), and the share of the run's time they took (%). */
  readonly gc: { readonly count: number; readonly totalMs: number; readonly maxMs: number; readonly percent: number };
}

/** One thread, second by second (index = second of the run): the longest event-loop delay and the GC pause time in it (ms). */
export interface ThreadPauseSeconds {
  readonly delayMaxMs: readonly number[];
  readonly gcMs: readonly number[];
}

/** What a thread reports: the run as a whole, and per second. */
export interface ThreadPauseReport {
  readonly summary: ThreadPauses;
  readonly seconds: ThreadPauseSeconds;
}

/**
 * The event loop is sampled this often (ms). Node's histogram records each whole interval between
 * samples (10.05 ms on an idle loop), so the delay is what exceeds it.
 */
const resolutionMs = 10;

/** A sampled interval (ns) as the delay beyond the sampling interval (ms). */
function delayMs(ns: number): number {
  return round(Math.max(0, ns / 1e6 - resolutionMs));
}

/**
 * Measures the calling thread from `start()` to `stop()`. Timers are unref'd: it never holds a
 * process open. Cheap: two 10 ms libuv timers (node cannot add an event-loop-delay histogram into
 * another, so one is read and reset every second and one covers the run), a 1 s timer and a GC
 * observer.
 */
export class PauseMonitor {
  /** Read and reset every second. */
  #delay: IntervalHistogram | undefined;
  /** The whole run. */
  #run: IntervalHistogram | undefined;
  #observer: PerformanceObserver | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** performance.now() of second 0 on this thread. */
  #origin = 0;
  #startedAt = 0;
  #stoppedAt: number | undefined;
  #next = 1;
  #delayMax: number[] = [];
  #gcMs: number[] = [];
  #gcCount = 0;
  #gcTotal = 0;
  #gcMax = 0;

  /** Starts measuring; second 0 begins at `originEpochMs` (default now). Restarting forgets what was measured. */
  start(originEpochMs = performance.timeOrigin + performance.now()): void {
    this.stop();
    this.#origin = originEpochMs - performance.timeOrigin;
    this.#startedAt = performance.now();
    this.#stoppedAt = undefined;
    this.#delayMax = [];
    this.#gcMs = [];
    this.#gcCount = 0;
    this.#gcTotal = 0;
    this.#gcMax = 0;
    this.#run = monitorEventLoopDelay({ resolution: resolutionMs });
    this.#run.enable();
    this.#delay = monitorEventLoopDelay({ resolution: resolutionMs });
    this.#delay.enable();
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.#onGc(entry.startTime, entry.duration);
    });
    this.#observer.observe({ entryTypes: ['gc'] });
    this.#next = Math.max(1, Math.ceil((performance.now() - this.#origin) / 1000));
    this.#arm();
  }

  /** Stops measuring (idempotent); the report keeps what was measured. */
  stop(): void {
    if (this.#delay === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#read(Math.max(0, Math.floor((performance.now() - this.#origin) / 1000)));
    // GC entries are delivered asynchronously: take what is buffered before disconnecting.
    const observer = this.#observer;
    if (observer !== undefined) for (const entry of observer.takeRecords()) this.#onGc(entry.startTime, entry.duration);
    observer?.disconnect();
    this.#observer = undefined;
    this.#delay.disable();
    this.#delay = undefined;
    this.#run?.disable();
    this.#stoppedAt = performance.now();
  }

  /** What was measured so far (also while running). */
  report(): ThreadPauseReport {
    const run = this.#run;
    const some = run !== undefined && run.count > 0;
    const elapsedMs = (this.#stoppedAt ?? performance.now()) - this.#startedAt;
    return {
      summary: {
        eventLoopDelayMs: { p50: some ? delayMs(run.percentile(50)) : 0, p99: some ? delayMs(run.percentile(99)) : 0, max: some ? delayMs(run.max) : 0 },
        gc: { count: this.#gcCount, totalMs: round(this.#gcTotal), maxMs: round(this.#gcMax), percent: elapsedMs > 0 ? round((100 * this.#gcTotal) / elapsedMs) : 0 },
      },
      seconds: { delayMaxMs: [...this.#delayMax], gcMs: this.#gcMs.map(round) },
    };
  }

  /** Reads the delay histogram at each second boundary (origin + k s), drift-free. */
  #arm(): void {
    const due = this.#origin + this.#next * 1000 - performance.now();
    this.#timer = setTimeout(() => this.#tick(), Math.max(1, Math.ceil(due)));
    this.#timer.unref();
  }

  #tick(): void {
    const second = Math.floor((performance.now() - this.#origin) / 1000);
    // A timer can fire a little early against performance.now() (libuv's cached loop time): then it waits on.
    if (second >= this.#next) {
      // The delay measured since the last read belongs to the second that just ended.
      this.#read(second - 1);
      this.#next = second + 1;
    }
    this.#arm();
  }

  #read(second: number): void {
    const delay = this.#delay;
    if (delay === undefined || second < 0) return;
    fill(this.#delayMax, second);
    if (delay.count > 0) this.#delayMax[second] = Math.max(this.#delayMax[second] ?? 0, delayMs(delay.max));
    delay.reset();
  }

  #onGc(startTime: number, duration: number): void {
    if (startTime < this.#startedAt) return;
    this.#gcCount++;
    this.#gcTotal += duration;
    this.#gcMax = Math.max(this.#gcMax, duration);
    const second = Math.floor((startTime - this.#origin) / 1000);
    if (second < 0) return;
    fill(this.#gcMs, second);
    this.#gcMs[second] = (this.#gcMs[second] ?? 0) + duration;
  }
}

/** No holes: every second up to `second` has a number. */
function fill(values: number[], second: number): void {
  for (let s = values.length; s <= second; s++) values[s] = 0;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
