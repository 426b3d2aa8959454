import { describe, expect, it } from 'vitest';
import { PushSimError } from '../../../core/errors.js';
import { classifyRejection } from '../../../core/reasons.js';
import { CircuitBreaker } from '../../../sender/interceptors/circuit-breaker.js';
import type { BreakerState } from '../../../sender/interceptors/circuit-breaker.js';
import type { TransportRequest, TransportResult } from '../../../sender/transport.js';

const request: TransportRequest = { method: 'POST', path: '/', headers: {} };
const ok: TransportResult = { ok: true, status: 200, headers: {}, body: Buffer.alloc(0) };
const unavailable: TransportResult = { ok: true, status: 503, headers: {}, body: Buffer.from('{"reason":"ServiceUnavailable"}') };
const dead: TransportResult = { ok: true, status: 410, headers: {}, body: Buffer.from('{"reason":"Unregistered"}') };
const refused: TransportResult = { ok: false, kind: 'connect', unprocessed: true, error: new PushSimError('PUSHSIM_ERR_CONNECT', 'refused') };
const classify = (r: TransportResult) => (!r.ok || r.status === 200 ? undefined : classifyRejection('apns', (JSON.parse(r.body.toString()) as { reason: string }).reason, r.status));

function harness(options: Partial<ConstructorParameters<typeof CircuitBreaker>[0]> = {}) {
  let now = 0;
  let answer: TransportResult = ok;
  let sent = 0;
  const changes: string[] = [];
  const breaker = new CircuitBreaker({ classify, clock: { now: () => now }, minRequests: 10, errorRate: 0.5, openMs: 1000, onStateChange: (a: BreakerState, b: BreakerState) => changes.push(`${a}->${b}`), ...options });
  const dispatch = breaker.interceptor()(() => {
    sent++;
    return Promise.resolve(answer);
  });
  return {
    breaker,
    changes,
    send: () => dispatch(request, { attempts: 0 }),
    answer: (r: TransportResult) => (answer = r),
    advance: (ms: number) => (now += ms),
    sent: () => sent,
  };
}

describe('CircuitBreaker', () => {
  it('opens when the error rate over the window reaches the threshold, and short-circuits', async () => {
    const h = harness();
    for (let i = 0; i < 5; i++) await h.send();
    h.answer(unavailable);
    for (let i = 0; i < 4; i++) await h.send();
    expect(h.breaker.state).toBe('closed'); // 4 of 9: below minRequests and below 50 %
    await h.send(); // 5 of 10 = 50 %
    expect(h.breaker.state).toBe('open');
    const before = h.sent();
    const result = await h.send();
    expect(result).toMatchObject({ ok: false, kind: 'circuit-open', unprocessed: true });
    expect(h.sent()).toBe(before);
  });

  it('half-opens after openMs; a good probe closes it, a bad one reopens it', async () => {
    const h = harness({ consecutiveFailures: 3 });
    h.answer(refused);
    for (let i = 0; i < 3; i++) await h.send();
    expect(h.breaker.state).toBe('open');
    h.advance(999);
    expect(h.breaker.state).toBe('open');
    h.advance(1);
    expect(h.breaker.state).toBe('half-open');
    await h.send(); // probe fails
    expect(h.breaker.state).toBe('open');
    h.advance(1000);
    h.answer(ok);
    await h.send(); // probe succeeds
    expect(h.breaker.state).toBe('closed');
    expect(h.changes).toEqual(['closed->open', 'open->half-open', 'half-open->open', 'open->half-open', 'half-open->closed']);
  });

  it('lets only halfOpenProbes requests through while half-open', async () => {
    const h = harness({ consecutiveFailures: 1 });
    h.answer(unavailable);
    await h.send();
    h.advance(1000);
    h.answer(ok);
    const [a, b] = await Promise.all([h.send(), h.send()]);
    expect(a.ok).toBe(true);
    expect(b).toMatchObject({ kind: 'circuit-open' });
  });

  it('does not count permanent rejections, and forgets failures older than the window', async () => {
    const h = harness({ windowMs: 1000 });
    h.answer(dead);
    for (let i = 0; i < 30; i++) await h.send();
    expect(h.breaker.state).toBe('closed');
    h.answer(unavailable);
    for (let i = 0; i < 9; i++) await h.send();
    h.advance(1500);
    h.answer(ok);
    for (let i = 0; i < 10; i++) await h.send();
    h.answer(unavailable);
    await h.send(); // 1 of 11 in the window
    expect(h.breaker.state).toBe('closed');
  });

  it('rejects bad options', () => {
    expect(() => new CircuitBreaker({ classify, errorRate: 2 })).toThrow(/errorRate/);
  });

  it("does not hold pushsim's own shutdown against the origin", async () => {
    const h = harness({ consecutiveFailures: 3, minRequests: 1000 });
    h.answer({ ok: false, kind: 'shutdown', unprocessed: false, error: new PushSimError('PUSHSIM_ERR_SHUTDOWN', 'cut') });
    for (let i = 0; i < 10; i++) await h.send();
    expect(h.breaker.state).toBe('closed');
    expect(h.changes).toEqual([]);
    h.answer(refused);
    for (let i = 0; i < 3; i++) await h.send();
    expect(h.breaker.state).toBe('open');
  });
});
