import { describe, expect, it } from 'vitest';
import { rateLimit } from '../../../sender/interceptors/rate-limit.js';
import type { TransportRequest, TransportResult } from '../../../sender/transport.js';

const request: TransportRequest = { method: 'POST', path: '/', headers: {} };
const ok: TransportResult = { ok: true, status: 200, headers: {}, body: Buffer.alloc(0) };

function harness(perSecond: number, burst: number, maxWaitMs = 60_000) {
  let now = 0;
  const sentAt: number[] = [];
  const waits: number[] = [];
  const dispatch = rateLimit({
    perSecond,
    burst,
    maxWaitMs,
    clock: { now: () => now },
    sleep: async (ms) => {
      waits.push(ms);
    },
  })(() => {
    sentAt.push(now);
    return Promise.resolve(ok);
  });
  return { send: () => dispatch(request, { attempts: 0 }), waits, sentAt, advance: (ms: number) => (now += ms) };
}

describe('rateLimit', () => {
  it('lets a burst through, then spaces requests at the rate', async () => {
    const h = harness(10, 3);
    const results = await Promise.all(Array.from({ length: 6 }, () => h.send()));
    expect(results.every((r) => r.ok)).toBe(true);
    // 3 from the burst, then 100 ms, 200 ms, 300 ms behind.
    expect(h.waits).toEqual([100, 200, 300]);
  });

  it('refills with time', async () => {
    const h = harness(10, 1);
    await h.send();
    h.advance(100);
    await h.send();
    expect(h.waits).toEqual([]);
  });

  it('drops (queue-full) what would wait longer than maxWaitMs, without using up a token', async () => {
    const h = harness(1, 1, 1500);
    await h.send();
    await h.send(); // waits 1000 ms
    const third = await h.send(); // would wait 2000 ms
    expect(third).toMatchObject({ ok: false, kind: 'queue-full', unprocessed: true });
    expect(h.sentAt).toHaveLength(2);
  });

  it('rejects a rate of 0', () => {
    expect(() => rateLimit({ perSecond: 0 })).toThrow(/perSecond/);
  });
});
