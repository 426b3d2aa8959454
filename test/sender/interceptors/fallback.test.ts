import { describe, expect, it } from 'vitest';
import { PushSimError } from '../../../core/errors.js';
import { classifyRejection } from '../../../core/reasons.js';
import { fallback } from '../../../sender/interceptors/fallback.js';
import type { DispatchContext, TransportRequest, TransportResult } from '../../../sender/transport.js';

const request: TransportRequest = { method: 'POST', path: '/', headers: {} };
const ok: TransportResult = { ok: true, status: 200, headers: {}, body: Buffer.alloc(0) };
const json = (status: number, reason: string): TransportResult => ({ ok: true, status, headers: {}, body: Buffer.from(JSON.stringify({ reason })) });
const classify = (r: TransportResult) => (!r.ok || r.status === 200 ? undefined : classifyRejection('apns', (JSON.parse(r.body.toString()) as { reason: string }).reason, r.status));
const fail = (kind: 'circuit-open' | 'timeout' | 'expired', unprocessed: boolean): TransportResult => ({ ok: false, kind, unprocessed, error: new PushSimError('PUSHSIM_ERR_SOCKET', kind) });

function harness(primary: TransportResult, allowMaybeProcessed?: boolean) {
  let secondaryCalls = 0;
  const dispatch = fallback({
    name: 'backup',
    classify,
    ...(allowMaybeProcessed !== undefined && { allowMaybeProcessed }),
    to: () => {
      secondaryCalls++;
      return Promise.resolve(ok);
    },
  })(() => Promise.resolve(primary));
  return {
    send: async () => {
      const context: DispatchContext = { attempts: 0 };
      return { result: await dispatch(request, context), context };
    },
    secondaryCalls: () => secondaryCalls,
  };
}

describe('fallback interceptor', () => {
  it('routes to the secondary when the circuit is open or the answer is retryable, and records the route', async () => {
    for (const primary of [fail('circuit-open', true), json(503, 'ServiceUnavailable'), json(429, 'TooManyRequests')]) {
      const h = harness(primary);
      const { result, context } = await h.send();
      expect(result).toBe(ok);
      expect(context.route).toBe('backup');
      expect(h.secondaryCalls()).toBe(1);
    }
  });

  it('keeps permanent rejections, successes and expired results on the primary', async () => {
    for (const primary of [ok, json(410, 'Unregistered'), json(400, 'BadTopic'), fail('expired', true)]) {
      const h = harness(primary);
      const { result, context } = await h.send();
      expect(result).toBe(primary);
      expect(context.route).toBeUndefined();
      expect(h.secondaryCalls()).toBe(0);
    }
  });

  it('does not re-route maybe-processed failures when told not to', async () => {
    const h = harness(fail('timeout', false), false);
    expect((await h.send()).result.ok).toBe(false);
    expect(h.secondaryCalls()).toBe(0);
  });

  it("does not route pushsim's own shutdown to the secondary", async () => {
    const h = harness({ ok: false, kind: 'shutdown', unprocessed: true, error: new PushSimError('PUSHSIM_ERR_SHUTDOWN', 'not sent') });
    const { result, context } = await h.send();
    expect(result).toMatchObject({ ok: false, kind: 'shutdown' });
    expect(h.secondaryCalls()).toBe(0);
    expect(context.route).toBeUndefined();
  });
});
