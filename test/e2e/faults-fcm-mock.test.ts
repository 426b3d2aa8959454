/**
 * Faults injected by the mock FCM itself (no proxy), over HTTP/2 and HTTP/1.1 on real sockets:
 * FCM's error framing, Retry-After on throttling, resets, accept-then-fail with the mock's ledger
 * counting the retry as a duplicate, and a delivery ledger that ignores validate_only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startMockFcm } from '../../simulator/fcm/server.js';
import type { MockFcm } from '../../simulator/fcm/server.js';
import type { MockFcmOptions } from '../../simulator/fcm/options.js';
import type { FaultsDocument } from '../../simulator/faults/spec.js';
import { accessToken, fcmToken, h1, sendPath } from '../simulator/fcm/helpers.js';
import { openClient } from '../simulator/proxy/helpers.js';
import type { Observed, TestClient } from '../simulator/proxy/helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface Harness {
  readonly mock: MockFcm;
  /** Over HTTP/2: everything the client observes. */
  h2(token: string, extra?: object): Promise<Observed>;
  /** Over HTTP/1.1 (fetch). */
  h1(token: string, extra?: object): Promise<{ status: number; headers: Record<string, string>; body: string }>;
}

async function start(faults: FaultsDocument, options: MockFcmOptions = {}): Promise<Harness> {
  const mock = await startMockFcm({ faults, ...options });
  closers.push(() => mock.close());
  const bearer = await accessToken(mock.url, mock.serviceAccount);
  let client: TestClient | undefined;
  const body = (token: string, extra: object): string => JSON.stringify({ message: { token, notification: { title: 'hi' } }, ...extra });
  const headers = { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' };
  return {
    mock,
    async h2(token, extra = {}) {
      if (client === undefined) {
        client = await openClient(mock.url);
        const opened = client;
        closers.push(() => opened.close());
      }
      return client.request({ ':path': sendPath(mock.projectId), ...headers }, body(token, extra));
    },
    h1: async (token, extra = {}) => (await h1(mock.url, { path: sendPath(mock.projectId), headers, body: body(token, extra) })) as { status: number; headers: Record<string, string>; body: string },
  };
}

const errorCode = (body: string): unknown => (JSON.parse(body) as { error: { details: { errorCode: string }[] } }).error.details[0]?.errorCode;

describe('faults injected by the mock FCM', () => {
  it('error: FCM framing (google.rpc.Status + FcmError) on both protocols; other tokens are delivered', async () => {
    const h = await start({ faults: [{ kind: 'error', fcm: 'INTERNAL', match: { token: '^tok-1:' } }] });
    for (const answer of [await h.h2(fcmToken(1)), await h.h1(fcmToken(1))]) {
      expect(answer.status).toBe(500);
      expect(answer.headers['content-type']).toBe('application/json; charset=UTF-8');
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 500, status: 'INTERNAL', message: 'Internal error encountered.' } });
      expect(errorCode(answer.body)).toBe('INTERNAL');
    }
    expect(await h.h2(fcmToken(2))).toMatchObject({ status: 200, body: expect.stringMatching(/^\{"name":"projects\/pushsim-test\/messages\//) });
    expect(h.mock.stats()).toMatchObject({ accepted: 1, rejected: 0 });
    expect(h.mock.ledger.summary()).toMatchObject({ delivered: 1, byProvider: { fcm: { delivered: 1, duplicates: 0 } } });
  });

  it('throttle per device: 429 QUOTA_EXCEEDED with Retry-After from the refill time', async () => {
    // A still clock: the bucket refills by nothing between the requests, whatever the machine's speed.
    const now = Date.now();
    const h = await start({ faults: [{ kind: 'throttle', per: 'device', ratePerSecond: 0.1, burst: 1 }] }, { clock: { now: () => now } });
    expect((await h.h2(fcmToken(1))).status).toBe(200);
    const limited = await h.h1(fcmToken(1));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('10');
    expect(errorCode(limited.body)).toBe('QUOTA_EXCEEDED');
    expect((await h.h2(fcmToken(2))).status).toBe(200);
  });

  it('outage: 503 UNAVAILABLE with the Retry-After asked for', async () => {
    const h = await start({ faults: [{ kind: 'outage', match: { provider: 'fcm' }, retryAfterSeconds: 5 }] });
    const down = await h.h2(fcmToken(1));
    expect(down).toMatchObject({ status: 503, headers: { 'retry-after': '5' } });
    expect(errorCode(down.body)).toBe('UNAVAILABLE');
  });

  it('reset: RST_STREAM REFUSED_STREAM on HTTP/2; on HTTP/1.1 the connection is dropped unanswered', async () => {
    const h = await start({ faults: [{ kind: 'reset' }] });
    expect(await h.h2(fcmToken(1))).toMatchObject({ status: undefined, rstCode: 7 });
    await expect(h.h1(fcmToken(1))).rejects.toThrow();
    expect(h.mock.ledger.summary().delivered).toBe(0);
  });

  it('accept-then-fail: delivered, answered 503; the retry is a duplicate in the mock ledger (both protocols)', async () => {
    const h = await start({ faults: [{ kind: 'accept-then-fail', firstNPerToken: 1 }] });
    const first = await h.h2(fcmToken(1));
    expect(first.status).toBe(503);
    expect(errorCode(first.body)).toBe('UNAVAILABLE');
    expect((await h.h2(fcmToken(1))).status).toBe(200);
    expect((await h.h1(fcmToken(2))).status).toBe(503);
    expect((await h.h1(fcmToken(2))).status).toBe(200);
    expect(h.mock.stats().accepted).toBe(4);
    expect(h.mock.ledger.summary()).toMatchObject({ delivered: 4, unique: 2, duplicates: 2, duplicatesByToken: { [fcmToken(1)]: 1, [fcmToken(2)]: 1 } });
  });

  it('accept-then-fail on an unregistered token: 404 UNREGISTERED passes through and is not counted (both protocols)', async () => {
    const h = await start({ faults: [{ kind: 'accept-then-fail', limit: 1 }] }, { unregistered: [fcmToken(9)] });
    for (const answer of [await h.h2(fcmToken(9)), await h.h1(fcmToken(9))]) {
      expect(answer.status).toBe(404);
      expect(errorCode(answer.body)).toBe('UNREGISTERED');
    }
    expect(h.mock.faultEngine?.list()[0]).toMatchObject({ kind: 'accept-then-fail', injected: 0 });
    expect(h.mock.ledger.summary().delivered).toBe(0);
    // The limit's one injection goes to the first delivery.
    expect((await h.h1(fcmToken(1))).status).toBe(503);
    expect((await h.h2(fcmToken(2))).status).toBe(200);
    expect(h.mock.faultEngine?.list()[0]).toMatchObject({ injected: 1 });
  });

  it('goaway on HTTP/1.1: the answer comes with Connection: close', async () => {
    const h = await start({ faults: [{ kind: 'goaway', reason: 'Shutdown' }] });
    const answer = await h.h1(fcmToken(1));
    expect(answer.status).toBe(200);
    expect(answer.headers['connection']).toBe('close');
  });

  it('a bad spec is refused at start, every problem listed; control starts the API next to the mock', async () => {
    await expect(startMockFcm({ faults: { faults: [{ kind: 'error' }, { kind: 'throttle' }] } })).rejects.toMatchObject({
      name: 'InvalidConfigError',
      problems: [expect.stringContaining('faults[0]'), expect.stringContaining('faults[1].ratePerSecond')],
    });
    const mock = await startMockFcm({ control: {} });
    closers.push(() => mock.close());
    expect(await (await fetch(`${mock.controlUrl}/ledger`)).json()).toMatchObject({ delivered: 0 });
    expect(mock.faultEngine?.list()).toEqual([]);
  });

  it('without faults: no engine; deliveries are recorded, validate_only ones are not', async () => {
    const mock = await startMockFcm();
    closers.push(() => mock.close());
    expect(mock.faultEngine).toBeUndefined();
    const bearer = await accessToken(mock.url, mock.serviceAccount);
    const send = (extra: object) => h1(mock.url, { path: sendPath(mock.projectId), headers: { authorization: `Bearer ${bearer}` }, body: JSON.stringify({ message: { token: fcmToken(1) }, ...extra }) });
    expect((await send({ validate_only: true })).status).toBe(200);
    expect((await send({})).status).toBe(200);
    expect((await send({})).status).toBe(200);
    expect(mock.ledger.summary()).toMatchObject({ delivered: 2, unique: 1, duplicates: 1 });
  });
});
