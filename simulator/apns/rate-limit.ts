/**
 * 429 TooManyRequests: "too many consecutive pushes to the same device token" (protocols.md §1.7).
 * Apple publishes no number, so the limit is a setting: at most `max` pushes per token in a fixed
 * window of `windowMs`, counted on the injected clock. Off unless configured.
 */
import type { Clock } from '../../core/clock.js';

export interface DeviceRateLimit {
  /** Pushes allowed per token per window. */
  readonly max: number;
  readonly windowMs: number;
}

export interface DeviceRateLimiter {
  /** Counts a push to `token`; true when it is over the limit. */
  hit(token: string): boolean;
}

// Beyond this many tracked tokens, windows that have ended are swept out.
const sweepAt = 100_000;

export function createDeviceRateLimiter(limit: DeviceRateLimit, clock: Clock): DeviceRateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    hit(token) {
      const now = clock.now();
      const window = windows.get(token);
      if (window === undefined || now - window.start >= limit.windowMs) {
        if (window === undefined && windows.size >= sweepAt) sweep(windows, now, limit.windowMs);
        windows.set(token, { start: now, count: 1 });
        return limit.max < 1;
      }
      window.count++;
      return window.count > limit.max;
    },
  };
}

function sweep(windows: Map<string, { start: number }>, now: number, windowMs: number): void {
  for (const [token, window] of windows) if (now - window.start >= windowMs) windows.delete(token);
}
