/**
 * Request timeouts on one timer instead of one per attempt, for the HTTP/2 pool (exchange.ts) and
 * the simulated transport on virtual time (scenarios/virtual-transport-dispatch.ts). The timeout is
 * the same for every attempt of a pool, so deadlines fall in start order: the list is a FIFO (linked
 * through the entries themselves, no allocation per attempt) whose head is always the earliest.
 * Removing an entry never touches the timer; when it fires early (its entry was answered), it
 * re-arms for the current head. Under steady traffic that is one timer per timeout period instead
 * of one per request.
 */
import type { CancelTimer } from '../../core/scheduler.js';

/** An attempt on the list: its deadline and its neighbours, kept on the attempt itself. */
export interface DeadlineEntry<T> {
  /** Monotonic ms after which the attempt times out. */
  deadline: number;
  previous: T | undefined;
  next: T | undefined;
}

/** The clock the list runs on: monotonic ms, and a timer. */
export interface DeadlineClock {
  now(): number;
  after(ms: number, run: () => void): CancelTimer;
}

export class DeadlineList<T extends DeadlineEntry<T>> {
  readonly #clock: DeadlineClock;
  readonly #timeoutMs: number;
  readonly #onExpire: (entry: T) => void;
  /** Cancel the timer when the list empties: a virtual clock must be able to run out of timers. A real one keeps it (unreferenced) and saves re-arming. */
  readonly #cancelWhenEmpty: boolean;
  #head: T | undefined = undefined;
  #tail: T | undefined = undefined;
  #cancel: CancelTimer | undefined = undefined;

  constructor(clock: DeadlineClock, timeoutMs: number, onExpire: (entry: T) => void, options: { readonly cancelWhenEmpty?: boolean } = {}) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
    this.#onExpire = onExpire;
    this.#cancelWhenEmpty = options.cancelWhenEmpty === true;
  }

  /** `now`: the attempt's start on the list's clock (the caller has just read it). */
  add(entry: T, now = this.#clock.now()): void {
    entry.deadline = now + this.#timeoutMs;
    entry.previous = this.#tail;
    if (this.#tail === undefined) this.#head = entry;
    else this.#tail.next = entry;
    this.#tail = entry;
    if (this.#cancel === undefined) this.#arm(this.#timeoutMs);
  }

  remove(entry: T): void {
    const { previous, next } = entry;
    if (previous === undefined) {
      if (this.#head !== entry) return; // not on the list
      this.#head = next;
    } else {
      previous.next = next;
    }
    if (next === undefined) this.#tail = previous;
    else next.previous = previous;
    entry.previous = undefined;
    entry.next = undefined;
    if (this.#cancelWhenEmpty && this.#head === undefined && this.#cancel !== undefined) {
      this.#cancel();
      this.#cancel = undefined;
    }
  }

  #arm(delayMs: number): void {
    this.#cancel = this.#clock.after(delayMs, this.#fire);
  }

  readonly #fire = (): void => {
    this.#cancel = undefined;
    const now = this.#clock.now();
    while (this.#head !== undefined && this.#head.deadline <= now) {
      const expired = this.#head;
      this.remove(expired);
      this.#onExpire(expired);
    }
    if (this.#head !== undefined && this.#cancel === undefined) this.#arm(this.#head.deadline - now);
  };
}

/** The pool's clock: performance.now() and an unreferenced Node timer of at least 1 ms (an idle pool keeps no process alive). */
export const realDeadlineClock: DeadlineClock = {
  now: () => performance.now(),
  after(ms, run) {
    const timer = setTimeout(run, Math.max(1, Math.ceil(ms)));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
