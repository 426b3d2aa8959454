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
};

interface Pending {
  readonly at: number;
  /** Insertion order: timers due at the same instant run in the order they were set (determinism). */
  readonly seq: number;
  run: (() => void) | undefined;
}

/** Yields to the event loop once: every microtask (promise continuation) queued so far runs first. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface VirtualSchedulerOptions {
  /** Epoch ms the virtual clock starts at (results carry real timestamps). @default 0 */
  readonly epochMs?: number;
}

/**
 * A discrete-event clock. Time stands still while code runs; `run()` pops the earliest timer,
 * moves the clock to it, runs it, lets every promise continuation it caused settle (one
 * setImmediate: microtasks always drain before the check phase), and repeats. Ties run in the
 * order they were set, so a simulation is deterministic: the same inputs and seeds give the same
 * sequence of events. Nothing here waits for real time; code under a virtual scheduler must not
 * wait on real I/O either (it would stall the simulation, which `run()` reports as idle).
 */
export class VirtualScheduler implements Scheduler {
  readonly virtual = true;
  readonly #epochMs: number;
  #nowMs = 0;
  #seq = 0;
  /** Binary min-heap on (at, seq). */
  readonly #heap: Pending[] = [];
  #events = 0;

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

  /**
   * Runs timers in time order until none is left or the next is due after `untilMs` (monotonic
   * ms; the clock then stands at `untilMs`). Resolves with the number of timers run.
   */
  async run(untilMs = Infinity): Promise<number> {
    await settle();
    let ran = 0;
    for (;;) {
      const next = this.#peekLive();
      if (next === undefined || next.at > untilMs) break;
      this.#pop();
      this.#nowMs = next.at;
      const run = next.run;
      next.run = undefined;
      this.#events += 1;
      ran += 1;
      run?.();
      await settle();
    }
    if (untilMs !== Infinity && untilMs > this.#nowMs) this.#nowMs = untilMs;
    return ran;
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
