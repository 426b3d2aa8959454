/**
 * The one time source for everything that waits (issue 17, virtual time): a clock that also
 * sets timers. Code that sleeps or schedules takes a Scheduler instead of calling setTimeout and
 * performance.now() itself, so the same code runs on real time (`systemScheduler`) or on a
 * discrete-event virtual clock (`VirtualScheduler`) that jumps from one due timer to the next —
 * an hour of outages and retries simulated in seconds, identically every time.
 *
 * A Scheduler is a Clock (epoch ms), so it can be handed to everything that already takes one.
 */
import { performance } from 'node:perf_hooks';
import type { Clock } from './clock.js';
import { maxTimerMs } from './clock.js';

/** Cancels a pending timer; a no-op once it ran or was cancelled. */
export type CancelTimer = () => void;

export interface Scheduler extends Clock {
  /** Epoch milliseconds (like Date.now(), fractional on the virtual clock). */
  now(): number;
  /** Monotonic milliseconds (like performance.now()): for durations and planned times. */
  monotonic(): number;
  /**
   * Runs `run` once, `ms` from now (never earlier; a real timer may fire later). `unref`: a real
   * timer does not keep the process alive (the virtual clock ignores it).
   */
  after(ms: number, run: () => void, unref?: boolean): CancelTimer;
  /** Resolves `ms` from now. */
  sleep(ms: number): Promise<void>;
  /**
   * Marks real asynchronous work that takes no modelled time (signing a JWT on the crypto thread
   * pool): the virtual clock stands still until it settles, so what it leads to happens at the
   * same virtual instant on every run. Real time just returns `work`.
   */
  hold<T>(work: Promise<T>): Promise<T>;
  /** True on the virtual clock: results say so, and nothing is sent on a socket. */
  readonly virtual: boolean;
}

/** Real time: Date.now(), performance.now() and Node timers, split beyond Node's ~24.8-day limit. */
export const systemScheduler: Scheduler = {
  virtual: false,
  now: () => Date.now(),
  monotonic: () => performance.now(),
  after(ms, run, unref = false) {
    let timer: NodeJS.Timeout | undefined;
    let left = Math.max(0, ms);
    const arm = (): void => {
      const step = Math.min(left, maxTimerMs);
      left -= step;
      timer = setTimeout(left > 0 ? arm : run, step);
      if (unref) timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  },
  sleep: (ms) => new Promise((resolve) => systemScheduler.after(ms, resolve)),
  hold: (work) => work,
};

interface Pending {
  readonly at: number;
  /** Insertion order: timers due at the same instant run in the order they were set (determinism). */
  readonly seq: number;
  run: (() => void) | undefined;
}

export interface VirtualSchedulerOptions {
  /** Epoch ms the virtual clock starts at (results carry real timestamps). @default 0 */
  readonly epochMs?: number;
}

/**
 * A discrete-event clock. Time stands still while code runs; `run()` moves the clock to the
 * earliest due timer, runs every timer due at that instant, lets every promise continuation they
 * caused settle (one setImmediate: microtasks always drain before the check phase), and repeats.
 * Ties run in the order they were set, so a simulation is deterministic: the same inputs and seeds
 * give the same sequence of events. Nothing here waits for real time; code under a virtual
 * scheduler must not wait on real I/O either (it would stall the simulation).
 *
 * Settling once per instant rather than once per timer: Node runs the microtasks between two timer
 * callbacks, so there the continuation of timer A runs before timer B when both are due together.
 * Here both callbacks run first, then both continuations, in the same fixed order every time. The
 * two orders differ only among events of one instant, which the model treats as simultaneous (the
 * clock reads the same for all of them); a timer that such a continuation sets for "now" runs in
 * the next round at the same instant, after the settle, as it would in Node. The yield is what
 * costs (~3 µs each on a loaded machine), and at 1,000 notifications/s with a few timers each a
 * virtual hour has millions of them: one yield per instant instead of one per timer is what makes
 * an hour fit in a minute.
 */
export class VirtualScheduler implements Scheduler {
  readonly virtual = true;
  readonly #epochMs: number;
  #nowMs = 0;
  #seq = 0;
  /** Binary min-heap on (at, seq). */
  readonly #heap: Pending[] = [];
  #events = 0;
  /** Real work held (hold()) and not yet settled: the clock does not move meanwhile. */
  #held = 0;

  constructor(options: VirtualSchedulerOptions = {}) {
    this.#epochMs = options.epochMs ?? 0;
  }

  now(): number {
    return this.#epochMs + this.#nowMs;
  }

  monotonic(): number {
    return this.#nowMs;
  }

  /** Timers run so far. */
  get events(): number {
    return this.#events;
  }

  /** Timers set and not yet run or cancelled (cancelled ones are dropped lazily). */
  get pending(): number {
    return this.#heap.length;
  }

  after(ms: number, run: () => void): CancelTimer {
    const entry: Pending = { at: this.#nowMs + (ms > 0 ? ms : 0), seq: this.#seq++, run };
    this.#push(entry);
    return () => {
      entry.run = undefined;
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  hold<T>(work: Promise<T>): Promise<T> {
    this.#held += 1;
    const release = (): void => {
      this.#held -= 1;
    };
    work.then(release, release);
    return work;
  }

  /**
   * Runs timers in time order until none is left or the next is due after `untilMs` (monotonic
   * ms; the clock then stands at `untilMs`). Resolves with the number of timers run.
   */
  run(untilMs = Infinity): Promise<number> {
    return new Promise((resolve, reject) => {
      let ran = 0;
      // One function for every round, not a promise and a closure per instant.
      const round = (): void => {
        // Real work in progress (a signature): poll until it settles, the clock standing still.
        if (this.#held > 0) {
          setImmediate(round);
          return;
        }
        const next = this.#peekLive();
        if (next === undefined || next.at > untilMs) {
          if (untilMs !== Infinity && untilMs > this.#nowMs) this.#nowMs = untilMs;
          resolve(ran);
          return;
        }
        try {
          ran += this.#runInstant(next.at);
        } catch (error) {
          reject(error);
          return;
        }
        setImmediate(round);
      };
      // What the caller started before run() settles first.
      setImmediate(round);
    });
  }

  /** Runs every live timer due at `at` that was set before this round began, in (at, seq) order. */
  #runInstant(at: number): number {
    this.#nowMs = at;
    const seqLimit = this.#seq;
    let ran = 0;
    for (;;) {
      const next = this.#peekLive();
      if (next === undefined || next.at !== at || next.seq >= seqLimit) return ran;
      this.#pop();
      const run = next.run as () => void;
      next.run = undefined;
      this.#events += 1;
      ran += 1;
      run();
    }
  }

  #peekLive(): Pending | undefined {
    while (this.#heap.length > 0 && this.#heap[0]!.run === undefined) this.#pop();
    return this.#heap[0];
  }

  #push(entry: Pending): void {
    const heap = this.#heap;
    let i = heap.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}

function before(a: Pending, b: Pending): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * How code that was handed a Clock holds real asynchronous work (Scheduler.hold): a Scheduler's own
 * hold (the virtual clock then waits for the work), anything else lets the work run as is.
 */
export function holdOn(clock: Clock): <T>(work: Promise<T>) => Promise<T> {
  const hold = (clock as Partial<Scheduler>).hold;
  return typeof hold === 'function' ? (work) => hold.call(clock, work) : (work) => work;
}
