/**
 * Conformance of the mock FCM send endpoint (protocols.md §2.1-2.7) over real HTTP/2 sockets: every
 * FCM error code has its status, canonical status, FcmError detail and (where due) Retry-After, and
 * the sender's classifier reads each one back to the class in core/reasons.ts.
 */
import type { ClientHttp2Session } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fcmReasons, type FcmReason } from '../../core/reasons.js';
import { fcmOutcome } from '../../sender/providers/fcm.js';
import { startMockFcm, type MockFcm } from '../../simulator/fcm/index.js';
import { fcmErrorCodes } from '../../simulator/fcm/errors.js';
import { accessToken, fcmToken, h1, h2, openH2, sendRequest, type RawResponse } from '../simulator/fcm/helpers.js';

let mock: MockFcm;
let session: ClientHttp2Session;
let bearer: string;
let clockNow = Date.now();
const clock = { now: () => clockNow };

beforeAll(async () => {
  mock = await startMockFcm({ clock, projectQuota: { limit: 1_000, windowMs: 60_000 }, deviceQuotas: [{ limit: 3, windowMs: 60_000 }], retryAfterSeconds: 5 });
  session = openH2(mock.url);
  bearer = await accessToken(mock.url, mock.serviceAccount);
});
afterAll(async () => {
  session.close();
  await mock.close();
});

const project = 'pushsim-test';
const send = (body: unknown, token = bearer, p = project): Promise<RawResponse> => h2(session, sendRequest(p, token, body));

/** Checks the google.rpc.Status framing of an error and returns its parsed body. */
function expectFcmError(response: RawResponse, code: FcmReason): { error: { details: { '@type': string }[]; message: string } } {
  const info = fcmReasons[code];
  expect(response.status).toBe(info.status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.body);
  expect(body.error).toMatchObject({ code: info.status, status: info.rpcStatus, message: expect.any(String) });
  if (fcmErrorCodes.has(code)) expect(body.error.details).toContainEqual({ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: code });
  // 401 / 403 come from Google's front end: the canonical status, and no FcmError detail (its enum has no such code).
  else expect(body.error.details ?? []).not.toContainEqual(expect.objectContaining({ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError' }));
  const outcome = fcmOutcome('t', { ok: true, status: response.status, headers: {}, body: Buffer.from(response.body) }, 1);
  expect(outcome).toMatchObject({ status: 'rejected', reason: code, retryClass: info.retry });
  return body;
}

describe('mock FCM messages:send', () => {
  it('accepts a message: 200 {"name":"projects/{p}/messages/{id}"}', async () => {
    const response = await send({ message: { token: fcmToken(1), notification: { title: 'hi' }, data: { a: 'b' }, android: { ttl: '3600s', priority: 'high' } } });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ name: expect.stringMatching(/^projects\/pushsim-test\/messages\/0:\d+%[0-9a-f]{16}$/) });
  });

  it('advertises at most 100 concurrent streams (FCM, §2.7)', () => {
    expect(session.remoteSettings.maxConcurrentStreams).toBe(100);
  });

  it('validate_only answers fake_message_id and uses no device quota', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await send({ validate_only: true, message: { token: fcmToken(2) } });
      expect(JSON.parse(response.body)).toEqual({ name: 'projects/pushsim-test/messages/fake_message_id' });
    }
    expect((await send({ message: { token: fcmToken(2) } })).status).toBe(200);
  });

  it('accepts a Firebase Installation ID target (message.fid), and answers 404 UNREGISTERED once it is gone', async () => {
    const fid = 'cXk3ZmVkY2JhOTg3NjU0Mz'; // 22 characters of URL-safe base64
    expect((await send({ message: { fid, notification: { title: 'hi' } } })).status).toBe(200);
    mock.tokens.unregister(fid);
    expectFcmError(await send({ message: { fid } }), 'UNREGISTERED');
  });

  it('UNAUTHENTICATED (401): no bearer token, an unknown one, an expired one', async () => {
    expectFcmError(await h2(session, { path: `/v1/projects/${project}/messages:send`, body: '{}' }), 'UNAUTHENTICATED');
    expectFcmError(await send({ message: { token: fcmToken(1) } }, 'ya29.made-up'), 'UNAUTHENTICATED');
    const stale = await accessToken(mock.url, mock.serviceAccount);
    clockNow += 3600_000;
    try {
      const body = expectFcmError(await send({ message: { token: fcmToken(1) } }, stale), 'UNAUTHENTICATED');
      expect(body.error.message).toMatch(/expired/);
    } finally {
      clockNow -= 3600_000;
    }
  });

  it('PERMISSION_DENIED (403): a project the token was not issued for', async () => {
    const body = expectFcmError(await send({ message: { token: fcmToken(1) } }, bearer, 'someone-elses-project'), 'PERMISSION_DENIED');
    expect(body.error.message).toMatch(/cloudmessaging\.messages\.create/);
  });

  const invalid: [string, unknown, string][] = [
    ['not JSON', '{"message":', ''],
    ['an array body', [], ''],
    ['no message', { validate_only: false }, 'message'],
    ['no target', { message: { data: { a: 'b' } } }, 'message'],
    ['two targets', { message: { token: fcmToken(1), topic: 'news' } }, 'message'],
    ['a token and a fid', { message: { token: fcmToken(1), fid: 'cXk3ZmVkY2JhOTg3NjU0Mz' } }, 'message'],
    ['a malformed fid', { message: { fid: 'not a fid' } }, 'message.fid'],
    ['a non-string token', { message: { token: 42 } }, 'message.token'],
    ['a malformed token', { message: { token: 'bad token!' } }, 'message.token'],
    ['a bad topic', { message: { topic: '/topics/news' } }, 'message.topic'],
    ['a non-string data value', { message: { token: fcmToken(1), data: { n: 1 } } }, 'message.data.n'],
    ['a reserved data key', { message: { token: fcmToken(1), data: { from: 'x' } } }, 'message.data.from'],
    ['a google-prefixed data key', { message: { token: fcmToken(1), data: { 'google.x': 'y' } } }, 'message.data.google.x'],
    ['android.ttl without unit', { message: { token: fcmToken(1), android: { ttl: '3600' } } }, 'message.android.ttl'],
    ['android.ttl over 4 weeks', { message: { token: fcmToken(1), android: { ttl: '2419201s' } } }, 'message.android.ttl'],
    ['android.ttl as a number', { message: { token: fcmToken(1), android: { ttl: 60 } } }, 'message.android.ttl'],
    ['a bad android priority', { message: { token: fcmToken(1), android: { priority: 'urgent' } } }, 'message.android.priority'],
    ['an unknown field', { message: { token: fcmToken(1), bogus: 1 } }, 'message.bogus'],
    ['validate_only not a boolean', { validate_only: 'yes', message: { token: fcmToken(1) } }, 'validate_only'],
    ['a payload over 4096 bytes', { message: { token: fcmToken(1), data: { k: 'x'.repeat(4096) } } }, 'message'],
    ['a topic payload over 2048 bytes', { message: { topic: 'news', data: { k: 'x'.repeat(2048) } } }, 'message'],
  ];
  it.each(invalid)('INVALID_ARGUMENT (400) with a BadRequest field violation: %s', async (_name, body, field) => {
    const parsed = expectFcmError(await send(body), 'INVALID_ARGUMENT');
    const badRequest = parsed.error.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.BadRequest') as { fieldViolations: { field: string }[] } | undefined;
    expect(badRequest?.fieldViolations.map((v) => v.field)).toContain(field);
  });

  it('accepts the largest payloads: 4096 bytes to a token, 2048 to a topic, ttl of exactly 4 weeks', async () => {
    expect((await send({ message: { token: fcmToken(10), data: { k: 'x'.repeat(4095) } } })).status).toBe(200);
    expect((await send({ message: { topic: 'news', data: { k: 'x'.repeat(2047) } } })).status).toBe(200);
    expect((await send({ message: { condition: "'a' in topics", android: { ttl: '2419200s' } } })).status).toBe(200);
  });

  it('UNREGISTERED (404) for an unregistered token, also on a dry run', async () => {
    mock.tokens.unregister(fcmToken(66));
    expectFcmError(await send({ message: { token: fcmToken(66) } }), 'UNREGISTERED');
    expectFcmError(await send({ validate_only: true, message: { token: fcmToken(66) } }), 'UNREGISTERED');
  });

  it('SENDER_ID_MISMATCH (403) for a token of another project', async () => {
    mock.tokens.assign(fcmToken(67), 'another-project');
    expectFcmError(await send({ message: { token: fcmToken(67) } }), 'SENDER_ID_MISMATCH');
  });

  it('QUOTA_EXCEEDED (429) per device with Retry-After and a QuotaFailure detail; refilled a window later', async () => {
    const token = fcmToken(70);
    for (let i = 0; i < 3; i++) expect((await send({ message: { token } })).status).toBe(200);
    clockNow += 20_000;
    const response = await send({ message: { token } });
    const body = expectFcmError(response, 'QUOTA_EXCEEDED');
    expect(response.headers['retry-after']).toBe('40');
    expect(body.error.details.map((d) => d['@type'])).toContain('type.googleapis.com/google.rpc.QuotaFailure');
    clockNow += 40_000;
    expect((await send({ message: { token } })).status).toBe(200);
  });

  it('QUOTA_EXCEEDED (429) per project, windows opening at first use (not clock-aligned)', async () => {
    const small = await startMockFcm({ clock, projectQuota: { limit: 2, windowMs: 60_000 }, deviceQuotas: false });
    try {
      const s = openH2(small.url);
      const t = await accessToken(small.url, small.serviceAccount);
      const one = (): Promise<RawResponse> => h2(s, sendRequest(project, t, { message: { topic: 'news' } }));
      clockNow += 7_000; // the window opens at an arbitrary second, not at a minute boundary
      expect((await one()).status).toBe(200);
      expect((await one()).status).toBe(200);
      const refused = await one();
      expectFcmError(refused, 'QUOTA_EXCEEDED');
      expect(refused.headers['retry-after']).toBe('60');
      expect(small.stats().byErrorCode).toEqual({ QUOTA_EXCEEDED: 1 });
      s.close();
    } finally {
      await small.close();
    }
  });

  it.each((Object.keys(fcmReasons) as FcmReason[]).map((code, i) => [code, fcmToken(100 + i)]))('scripted %s answers its status, canonical status and FcmError detail', async (code, token) => {
    mock.faults.script(token, [code]);
    const response = await send({ message: { token } });
    expectFcmError(response, code);
    if (code === 'UNAVAILABLE' || code === 'INTERNAL') expect(response.headers['retry-after']).toBe('5');
    expect((await send({ message: { token } })).status).toBe(200);
  });

  it('a scripted outage for any target ("*") applies in order, then clears', async () => {
    mock.faults.script('*', ['UNAVAILABLE', 'INTERNAL']);
    expect((await send({ message: { token: fcmToken(81) } })).status).toBe(503);
    expect((await send({ message: { topic: 'x' } })).status).toBe(500);
    expect((await send({ message: { token: fcmToken(81) } })).status).toBe(200);
    expect(mock.faults.pending()).toBe(0);
  });

  it('answers unknown paths 404 NOT_FOUND in google.rpc.Status form', async () => {
    const response = await h2(session, { method: 'GET', path: '/v1/projects/pushsim-test/messages:send' });
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body).error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
  });

  it('serves the same API over HTTP/1.1', async () => {
    const before = mock.stats();
    const ok = await h1(mock.url, sendRequest(project, bearer, { message: { token: fcmToken(90) } }));
    expect(ok.status).toBe(200);
    expectFcmError(await h1(mock.url, sendRequest(project, bearer, { message: {} })), 'INVALID_ARGUMENT');
    expect(mock.stats().http1Requests - before.http1Requests).toBe(2);
  });
});
