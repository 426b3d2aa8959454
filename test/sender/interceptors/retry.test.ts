import { describe, expect, it } from 'vitest';
import { PushSimError } from '../../../core/errors.js';
import { classifyRejection } from '../../../core/reasons.js';
import { retry } from '../../../sender/interceptors/retry.js';
import type { RetryOptions } from '../../../sender/interceptors/retry.js';
import { RetryBudget } from '../../../sender/interceptors/retry-budget.js';
import { retryAfterMs } from '../../../sender/interceptors/retry-after.js';
import type { TransportRequest, TransportResult } from '../../../sender/transport.js';

const request: TransportRequest = { method: 'POST', path: '/3/device/ab', headers: {}, body: '{}' };
const ok: TransportResult = { ok: true, status: 200, headers: {}, body: Buffer.alloc(0) };
const apns = (status: number, reason: string, headers: Record<string, string> = {}): TransportResult => ({ ok: true, status, headers, body: Buffer.from(JSON.stringify({ reason })) });
const failure = (kind: 'reset' | 'timeout' | 'connect' | 'queue-full', unprocessed: boolean): TransportResult => ({ ok: false, kind, unprocessed, error: new PushSimError('PUSHSIM_ERR_SOCKET', kind) });
const classify = (r: TransportResult) => (!r.ok || r.status === 200 ? undefined : classifyRejection('apns', (JSON.parse(r.body.toString()) as { reason: string }).reason, r.status));

/** Fake time: sleep advances the clock and records the delay. */
function harness(answers: TransportResult[], options: Partial<RetryOptions> = {}) {
  let now = 1_000_000;
  const delays: number[] = [];
  let calls = 0;
  const dispatch = retry({
    classify,
    clock: { now: () => now },
    sleep: async (ms) => {
      delays.push(ms);
      now += ms;
    },
    random: () => 0.5,
    ...options,
  })(() => Promise.resolve(answers[Math.min(calls++, answers.length - 1)] as TransportResult));
  return { dispatch: (r = request) => dispatch(r, { attempts: 0 }), delays, calls: () => calls, now: () => now };
}

describe('retry interceptor', () => {
  it('retries retryable rejections with exponential backoff and full jitter, then succeeds', async () => {
    const h = harness([apns(503, 'ServiceUnavailable'), apns(500, 'InternalServerError'), apns(429, 'TooManyRequests'), ok], { baseDelayMs: 100 });
    expect(await h.dispatch()).toBe(ok);
    // random() = 0.5 → half of 100, 200, 400.
    expect(h.delays).toEqual([50, 100, 200]);
    expect(h.calls()).toBe(4);
  });

  it('keeps every delay within [0, min(cap, base·2^n))', async () => {
    for (const r of [0, 0.25, 0.999999]) {
      const h = harness(Array(8).fill(apns(503, 'ServiceUnavailable')), { baseDelayMs: 100, maxDelayMs: 500, maxAttempts: 8, random: () => r });
      await h.dispatch();
      h.delays.forEach((d, i) => {
        const ceiling = Math.min(500, 100 * 2 ** i);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
        expect(d).toBe(Math.floor(r * ceiling));
      });
    }
  });

  it('never retries permanent, config or auth rejections', async () => {
    for (const reason of [apns(410, 'Unregistered'), apns(400, 'BadDeviceToken'), apns(403, 'ExpiredProviderToken'), apns(413, 'PayloadTooLarge')]) {
      const h = harness([reason, ok]);
      expect(await h.dispatch()).toBe(reason);
      expect(h.calls()).toBe(1);
    }
  });

  it('honours Retry-After in seconds and as an HTTP-date, and gives up on one beyond the limit', async () => {
    const seconds = harness([apns(429, 'TooManyRequests', { 'retry-after': '3' }), ok]);
    await seconds.dispatch();
    expect(seconds.delays).toEqual([3000]);
    const date = new Date(1_000_000 + 7000).toUTCString();
    const dated = harness([apns(503, 'ServiceUnavailable', { 'retry-after': date }), ok]);
    await dated.dispatch();
    expect(dated.delays[0]).toBeGreaterThan(6000);
    expect(dated.delays[0]).toBeLessThanOrEqual(7000);
    const tooLong = harness([apns(503, 'ServiceUnavailable', { 'retry-after': '3600' }), ok], { maxRetryAfterMs: 60_000 });
    expect((await tooLong.dispatch()).ok).toBe(true);
    expect(tooLong.calls()).toBe(1);
  });

  it('stops at maxAttempts and returns the last result', async () => {
    const last = apns(503, 'Shutdown');
    const h = harness([apns(503, 'ServiceUnavailable'), apns(503, 'ServiceUnavailable'), last], { maxAttempts: 3 });
    expect(await h.dispatch()).toBe(last);
    expect(h.calls()).toBe(3);
  });

  it('turns a retry that would land after the deadline into expired', async () => {
    const h = harness([apns(503, 'ServiceUnavailable', { 'retry-after': '10' }), ok]);
    const result = await h.dispatch({ ...request, deadline: 1_000_000 + 5000 });
    expect(result).toMatchObject({ ok: false, kind: 'expired', unprocessed: true });
    expect(h.calls()).toBe(1);
  });

  it('retries failures without a response; maybe-processed ones only when allowed', async () => {
    const h = harness([failure('connect', true), failure('reset', false), ok]);
    expect(await h.dispatch()).toBe(ok);
    const strict = harness([failure('timeout', false), ok], { retryMaybeProcessed: false });
    expect((await strict.dispatch()).ok).toBe(false);
    expect(strict.calls()).toBe(1);
    const shed = harness([failure('queue-full', true), ok]);
    expect((await shed.dispatch()).ok).toBe(false);
  });

  it('enforces the retry budget: at most reserve + ratio × first attempts retries', async () => {
    const budget = new RetryBudget({ ratio: 0.1, reserve: 2 });
    let retries = 0;
    let exhausted = 0;
    const always503 = Array(5).fill(apns(503, 'ServiceUnavailable'));
    for (let i = 0; i < 50; i++) {
      const h = harness(always503, { budget, maxAttempts: 5, onRetry: () => retries++, onBudgetExhausted: () => exhausted++ });
      await h.dispatch();
    }
    // 50 first attempts earn 5 retries, plus a reserve of 2; every notification ends on an empty budget
    // (none reaches maxAttempts), so each one reports it.
    expect(retries).toBe(7);
    expect(exhausted).toBe(50);
  });

  it('rejects bad options at construction', () => {
    expect(() => retry({ classify, maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => new RetryBudget({ ratio: -1 })).toThrow(/ratio/);
  });
});

describe('retryAfterMs', () => {
  it('parses seconds and HTTP-dates, ignores junk', () => {
    expect(retryAfterMs({ 'retry-after': '120' }, 0)).toBe(120_000);
    expect(retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, Date.parse('Wed, 21 Oct 2015 07:27:00 GMT'))).toBe(60_000);
    expect(retryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, Date.parse('Wed, 21 Oct 2015 08:00:00 GMT'))).toBe(0);
    expect(retryAfterMs({ 'retry-after': 'soon' }, 0)).toBeUndefined();
    expect(retryAfterMs({}, 0)).toBeUndefined();
  });

  it("never retries pushsim's own shutdown; a retry that never left (the stop, an open circuit) returns the attempt before it, uncounted", async () => {
    const cutOnTheWire: TransportResult = { ok: false, kind: 'shutdown', unprocessed: false, error: new PushSimError('PUSHSIM_ERR_SHUTDOWN', 'cut') };
    const neverLeft: TransportResult = { ok: false, kind: 'shutdown', unprocessed: true, error: new PushSimError('PUSHSIM_ERR_SHUTDOWN', 'not sent') };
    const cut = harness([cutOnTheWire, ok]);
    expect(await cut.dispatch()).toBe(cutOnTheWire);
    expect(cut.calls()).toBe(1);

    let retries = 0;
    const unavailable = apns(503, 'ServiceUnavailable');
    const stopped = harness([unavailable, neverLeft, ok], { onRetry: () => retries++ });
    expect(await stopped.dispatch()).toBe(unavailable);
    expect(stopped.calls()).toBe(2);
    expect(retries).toBe(0);

    // An open circuit keeping the retry in: likewise, the provider's last answer stands.
    const circuitOpen: TransportResult = { ok: false, kind: 'circuit-open', unprocessed: true, error: new PushSimError('PUSHSIM_ERR_CIRCUIT_OPEN', 'open') };
    expect(await harness([unavailable, circuitOpen], { onRetry: () => retries++ }).dispatch()).toBe(unavailable);
    expect(await harness([circuitOpen]).dispatch()).toBe(circuitOpen);
    expect(retries).toBe(0);

    // A retry that was made is counted once it comes back.
    const made = harness([unavailable, ok], { onRetry: () => retries++ });
    expect(await made.dispatch()).toBe(ok);
    expect(retries).toBe(1);
  });
});
