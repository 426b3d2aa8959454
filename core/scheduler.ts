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
  /** Where it sits in the heap; -1 once it ran or was cancelled. */
  index: number;
}

export interface VirtualSchedulerOptions {
  /** Epoch ms the virtual clock starts at (results carry real timestamps). @default 0 */
  readonly epochMs?: number;
}

/** Instants run between two turns of the event loop. */
const roundsPerYield = 256;

/** Queues a microtask with `.then` on it (Node's queueMicrotask wraps each in an AsyncResource: several times the cost). */
const settled = Promise.resolve();

/**
 * A discrete-event clock. Time stands still while code runs; `run()` moves the clock to the
 * earliest due timer, runs every timer due at that instant, lets every promise continuation they
 * caused settle (every microtask has run), and repeats.
 * Ties run in the order they were set, so a simulation is deterministic: the same inputs and seeds
 * give the same sequence of events. Nothing here waits for real time; code under a virtual
 * scheduler must not wait on real I/O either (it would stall the simulation).
 *
 * The settle is not a setImmediate per instant (a turn of the event loop, ~3 µs on a loaded
 * machine): the next round is queued with process.nextTick from a microtask queued after the
 * instant's timers ran. Node's tick loop runs it only once V8 has drained the microtask queue
 * completely (runMicrotasks() runs until the queue is empty, including what the continuations
 * queue), which is what the setImmediate waited for too; every `roundsPerYield` rounds a real turn
 * of the event loop lets I/O and signals in. (Code under the virtual clock must not order itself
 * with process.nextTick after promise continuations: such a tick could run after the next round.)
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
  /**
   * Binary min-heap on (at, seq), of live timers only: a cancelled one leaves at once. A run sets a
   * request timeout per attempt and cancels nearly all of them; left in place they would make the
   * heap thousands deep (10 s of timeouts at 1,000/s) instead of about the number in flight.
   */
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

  /** Timers set and not yet run or cancelled. */
  get pending(): number {
    return this.#heap.length;
  }

  after(ms: number, run: () => void): CancelTimer {
    const entry: Pending = { at: this.#nowMs + (ms > 0 ? ms : 0), seq: this.#seq++, run, index: -1 };
    this.#push(entry);
    return () => {
      if (entry.index >= 0) this.#removeAt(entry.index);
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
      let sinceYield = 0;
      // Queued as a microtask behind the instant's own continuations: by the time Node's tick loop
      // looks at its queue again, V8 has drained every microtask, theirs and the ones they caused.
      const next = (): void => process.nextTick(round);
      // One function for every round, not a promise and a closure per instant.
      const round = (): void => {
        // Real work in progress (a signature): poll until it settles, the clock standing still.
        if (this.#held > 0) {
          setImmediate(round);
          return;
        }
        const due = this.#heap[0];
        if (due === undefined || due.at > untilMs) {
          if (untilMs !== Infinity && untilMs > this.#nowMs) this.#nowMs = untilMs;
          resolve(ran);
          return;
        }
        try {
          ran += this.#runInstant(due.at);
        } catch (error) {
          reject(error);
          return;
        }
        // Now and then a whole turn of the event loop, so real I/O and signals (Ctrl-C) get in.
        if (++sinceYield >= roundsPerYield) {
          sinceYield = 0;
          setImmediate(round);
        } else void settled.then(next);
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
    const heap = this.#heap;
    for (;;) {
      const next = heap[0];
      if (next === undefined || next.at !== at || next.seq >= seqLimit) return ran;
      this.#removeAt(0);
      const run = next.run as () => void;
      next.run = undefined;
      this.#events += 1;
      ran += 1;
      run();
    }
  }

  #push(entry: Pending): void {
    this.#siftUp(this.#heap.push(entry) - 1, entry);
  }

  /** Takes the entry at `i` out, moving the last one into its place. */
  #removeAt(i: number): void {
    const heap = this.#heap;
    const removed = heap[i]!;
    removed.index = -1;
    const last = heap.pop()!;
    if (i === heap.length) return;
    if (i > 0 && before(last, heap[(i - 1) >> 1]!)) this.#siftUp(i, last);
    else this.#siftDown(i, last);
  }

  #siftUp(i: number, entry: Pending): void {
    const heap = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (!before(entry, above)) break;
      heap[i] = above;
      above.index = i;
      i = parent;
    }
    heap[i] = entry;
    entry.index = i;
  }

  #siftDown(i: number, entry: Pending): void {
    const heap = this.#heap;
    const length = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && before(heap[right]!, heap[left]!) ? right : left;
      const below = heap[child]!;
      if (!before(below, entry)) break;
      heap[i] = below;
      below.index = i;
      i = child;
    }
    heap[i] = entry;
    entry.index = i;
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
  const scheduler = clock as Partial<Scheduler>;
  return typeof scheduler.hold === 'function' ? <T>(work: Promise<T>): Promise<T> => (scheduler as Scheduler).hold(work) : <T>(work: Promise<T>): Promise<T> => work;
}
