/**
 * Time source injected wherever logic depends on time (JWT age, token refresh, timelines, quotas),
 * so tests run on fake time instead of sleeping.
 */
export interface Clock {
  /** Wall-clock milliseconds since the UNIX epoch (like Date.now()). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The longest delay a Node timer takes (~24.8 days); a longer one fires after 1 ms instead. */
export const maxTimerMs = 2 ** 31 - 1;
