import { describe, expect, it } from 'vitest';
import { createDeviceRateLimiter } from '../../../simulator/apns/rate-limit.js';

describe('device rate limiter', () => {
  it('allows max pushes per token per window on the injected clock, counting tokens apart', () => {
    let now = 0;
    const limiter = createDeviceRateLimiter({ max: 2, windowMs: 1_000 }, { now: () => now });
    expect(['a', 'a', 'a', 'b'].map((t) => limiter.hit(t))).toEqual([false, false, true, false]);
    now = 999;
    expect(limiter.hit('a')).toBe(true);
    now = 1_000;
    expect([limiter.hit('a'), limiter.hit('a'), limiter.hit('a')]).toEqual([false, false, true]);
  });

  it('with max 0 answers every push over the limit', () => {
    const limiter = createDeviceRateLimiter({ max: 0, windowMs: 1_000 }, { now: () => 0 });
    expect([limiter.hit('a'), limiter.hit('a')]).toEqual([true, true]);
  });
});
