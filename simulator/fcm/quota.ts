/**
 * FCM quotas as refilling windows (protocols.md §2.6): a bucket holds `limit` messages and refills
 * completely `windowMs` after its window opened — the window opens at first use, so minutes are not
 * clock-aligned, as Google describes the per-project quota. A device has two at once (240/min and
 * 5,000/h); a message needs room in all of them, and one that is refused consumes none (429s do not
 * count, §2.6). Time comes from the injected clock.
 */
import { InvalidArgumentError, assertInteger } from '../../core/errors.js';

export interface RateLimit {
  /** Messages allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
}

interface Window {
  openedAt: number;
  used: number;
}

/** Drop idle keys once the map is this large, so millions of one-off tokens do not leak memory. */
const sweepAbove = 100_000;

export class QuotaLimiter {
  readonly #limits: readonly RateLimit[];
  readonly #windows = new Map<string, Window[]>();

  constructor(limits: readonly RateLimit[]) {
    this.#limits = limits;
  }

  /** Takes one message for `key`: 0 when allowed, else milliseconds until room frees up. */
  take(key: string, now: number): number {
    let windows = this.#windows.get(key);
    if (windows === undefined) {
      if (this.#windows.size >= sweepAbove) this.#sweep(now);
      windows = this.#limits.map(() => ({ openedAt: now, used: 0 }));
      this.#windows.set(key, windows);
    }
    let waitMs = 0;
    this.#limits.forEach((limit, i) => {
      const window = windows[i] as Window;
      if (now - window.openedAt >= limit.windowMs) {
        window.openedAt = now;
        window.used = 0;
      }
      if (window.used >= limit.limit) waitMs = Math.max(waitMs, window.openedAt + limit.windowMs - now);
    });
    if (waitMs > 0) return waitMs;
    for (const window of windows) window.used++;
    return 0;
  }

  #sweep(now: number): void {
    for (const [key, windows] of this.#windows) {
      if (windows.every((w, i) => now - w.openedAt >= (this.#limits[i] as RateLimit).windowMs)) this.#windows.delete(key);
    }
  }
}

/** Checks a `{ limit, windowMs }` option; `where` names it in the message. */
export function resolveRateLimit(where: string, value: unknown): RateLimit {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError(`${where} must be { limit, windowMs } (e.g. { limit: 240, windowMs: 60000 }) or false, got ${String(value)}`);
  }
  const { limit, windowMs } = value as Partial<RateLimit>;
  return { limit: assertInteger(`${where}.limit`, limit, 1), windowMs: assertInteger(`${where}.windowMs`, windowMs, 1) };
}
