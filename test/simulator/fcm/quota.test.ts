import { describe, expect, it } from 'vitest';
import { QuotaLimiter } from '../../../simulator/fcm/quota.js';

describe('QuotaLimiter (FCM quotas as refilling windows)', () => {
  it('allows `limit` per window, then answers the wait until the window that opened at first use ends', () => {
    const q = new QuotaLimiter([{ limit: 2, windowMs: 60_000 }]);
    const t0 = 1_000_007; // not a minute boundary: windows open at first use
    expect(q.take('p', t0)).toBe(0);
    expect(q.take('p', t0 + 10_000)).toBe(0);
    expect(q.take('p', t0 + 15_000)).toBe(45_000);
    expect(q.take('p', t0 + 60_000)).toBe(0);
  });

  it('keeps keys apart', () => {
    const q = new QuotaLimiter([{ limit: 1, windowMs: 1_000 }]);
    expect(q.take('a', 0)).toBe(0);
    expect(q.take('b', 0)).toBe(0);
    expect(q.take('a', 1)).toBe(999);
  });

  it('with several limits needs room in all, and a refused message consumes none', () => {
    const q = new QuotaLimiter([{ limit: 3, windowMs: 60_000 }, { limit: 4, windowMs: 3_600_000 }]);
    for (let i = 0; i < 3; i++) expect(q.take('d', i)).toBe(0);
    expect(q.take('d', 10)).toBe(59_990); // minute window full
    expect(q.take('d', 60_000)).toBe(0); // 4th of the hour
    expect(q.take('d', 60_001)).toBe(3_600_000 - 60_001); // hour window full, minute not
    expect(q.take('d', 120_000)).toBe(3_600_000 - 120_000); // the refusals used nothing
  });
});
