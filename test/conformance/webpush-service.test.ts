/**
 * Conformance of the mock Web Push service (RFC 8030 / 8291 / 8292, protocols.md §3) over real
 * sockets: every status it documents, over HTTP/2 and HTTP/1.1, and the sender's classifier reads
 * each back to the class in core/reasons.ts.
 */
import type { ClientHttp2Session } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPushReasonFor, webPushReasons } from '../../core/reasons.js';
import { webPushOutcome } from '../../sender/providers/webpush.js';
import { generateVapidKeys, startMockWebPush, type MockWebPush, type PushSubscriptionJson } from '../../simulator/webpush/index.js';
import { h1, h2, openH2, type RawRequest, type RawResponse } from '../simulator/fcm/helpers.js';
import { encryptFor, pathOf, vapidHeader } from '../simulator/webpush/helpers.js';

let mock: MockWebPush;
let session: ClientHttp2Session;
let subscription: PushSubscriptionJson;
let auth: string;
const clockNow = Date.now();

beforeAll(async () => {
  mock = await startMockWebPush({ clock: { now: () => clockNow }, subscriptions: 1, subscriptionQuota: { limit: 1000, windowMs: 60_000 }, retryAfterSeconds: 9 });
  session = openH2(mock.url);
  subscription = mock.subscriptions.list()[0]!;
  auth = await vapidHeader(mock.vapid, mock.url);
});
afterAll(async () => {
  session.close();
  await mock.close();
});

function push(overrides: { headers?: Record<string, string | undefined>; body?: Buffer | string; to?: PushSubscriptionJson } = {}): RawRequest {
  const to = overrides.to ?? subscription;
  const body = overrides.body ?? encryptFor(to, 'hello');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ttl: '60', 'content-encoding': 'aes128gcm', authorization: auth, ...overrides.headers })) if (v !== undefined) headers[k] = v;
  return { path: pathOf(to.endpoint), headers, body };
}

function expectStatus(response: RawResponse, status: number): void {
  expect(response.status, response.body).toBe(status);
  if (status === 201) return;
  const reason = webPushReasonFor(status)!;
  expect(JSON.parse(response.body)).toMatchObject({ code: status, reason, message: expect.any(String) });
  const outcome = webPushOutcome('e', { ok: true, status, headers: {}, body: Buffer.from(response.body) }, 1);
  expect(outcome).toMatchObject({ status: 'rejected', reason, retryClass: webPushReasons[reason].retry });
}

describe.each([{ protocol: 'HTTP/2' }, { protocol: 'HTTP/1.1' }])('mock Web Push over $protocol', ({ protocol }) => {
  const send = (req: RawRequest): Promise<RawResponse> => (protocol === 'HTTP/2' ? h2(session, req) : h1(mock.url, req));

  it('201 Created with Location and the TTL kept, and the payload decrypts', async () => {
    const response = await send(push({ body: encryptFor(subscription, `to ${protocol}`), headers: { urgency: 'low', topic: 'abc_-1' } }));
    expectStatus(response, 201);
    expect(response.headers['location']).toMatch(new RegExp(`^${mock.url}/message/`));
    expect(response.headers['ttl']).toBe('60');
    expect(mock.subscriptions.messages(subscription.endpoint).at(-1)).toMatchObject({ urgency: 'low', topic: 'abc_-1', ttl: 60, payload: Buffer.from(`to ${protocol}`) });
  });

  it('201 for a push without payload', async () => {
    expectStatus(await send(push({ body: '', headers: { 'content-encoding': undefined } })), 201);
  });

  const badRequests: [string, Parameters<typeof push>[0]][] = [
    ['no TTL', { headers: { ttl: undefined } }],
    ['a TTL that is not a number', { headers: { ttl: 'soon' } }],
    ['a negative TTL', { headers: { ttl: '-1' } }],
    ['an unknown Urgency', { headers: { urgency: 'urgent' } }],
    ['a Topic over 32 characters', { headers: { topic: 'a'.repeat(33) } }],
    ['a Topic outside base64url', { headers: { topic: 'a b' } }],
    ['a body without Content-Encoding', { headers: { 'content-encoding': undefined } }],
    ['the legacy aesgcm encoding', { headers: { 'content-encoding': 'aesgcm' } }],
    ['a body shorter than the aes128gcm header', { body: Buffer.alloc(10) }],
    ['a record size below 18', { body: Buffer.concat([Buffer.alloc(16), Buffer.from([0, 0, 0, 17, 65, 4]), Buffer.alloc(100)]) }],
    ['a keyid that is not a P-256 key', { body: Buffer.concat([Buffer.alloc(16), Buffer.from([0, 0, 16, 0, 32]), Buffer.alloc(100)]) }],
    ['no room for a record', { body: Buffer.concat([Buffer.alloc(16), Buffer.from([0, 0, 16, 0, 65, 4]), Buffer.alloc(64 + 5)]) }],
  ];
  it.each(badRequests)('400 for %s', async (_name, overrides) => {
    expectStatus(await send(push(overrides)), 400);
  });

  it('401 without Authorization, or with another scheme', async () => {
    expectStatus(await send(push({ headers: { authorization: undefined } })), 401);
    expectStatus(await send(push({ headers: { authorization: 'Bearer abc' } })), 401);
    expectStatus(await send(push({ headers: { authorization: 'vapid t=only-a-token' } })), 401);
  });

  it('403 for an invalid VAPID JWT: signature, aud, exp, sub, key', async () => {
    const other = generateVapidKeys();
    const now = Math.floor(clockNow / 1000);
    const [jwt] = auth.slice('vapid t='.length).split(',');
    const cases = [
      `vapid t=${jwt}, k=${other.publicKey}`, // signature does not verify with k
      await vapidHeader(mock.vapid, 'https://push.example.com'), // wrong audience
      await vapidHeader(mock.vapid, mock.url, { exp: now - 10 }), // expired
      await vapidHeader(mock.vapid, mock.url, { exp: now + 25 * 3600 }), // more than 24 h ahead
      await vapidHeader(mock.vapid, mock.url, { sub: undefined }), // no contact
      await vapidHeader(other, mock.url), // valid, but not the key the subscription was made for
      `vapid t=not-a-jwt, k=${mock.vapid.publicKey}`,
      `vapid t=${jwt}, k=AAAA`,
    ];
    for (const authorization of cases) expectStatus(await send(push({ headers: { authorization } })), 403);
  });

  it('413 for a body over 4096 bytes', async () => {
    expectStatus(await send(push({ body: Buffer.alloc(4097, 1) })), 413);
  });

  it('404 for an unknown push resource', async () => {
    expectStatus(await send({ path: '/not-a-push-path', body: 'x' }), 404);
  });

  it('429, 500, 503 when scripted, with Retry-After on 429 and 503', async () => {
    mock.faults.script(subscription.endpoint, [429, 503, 500]);
    const r429 = await send(push());
    expectStatus(r429, 429);
    expect(r429.headers['retry-after']).toBe('9');
    const r503 = await send(push());
    expectStatus(r503, 503);
    expect(r503.headers['retry-after']).toBe('9');
    expectStatus(await send(push()), 500);
    expectStatus(await send(push()), 201);
  });
});

describe('mock Web Push: subscriptions and quotas', () => {
  it('an expired subscription answers goneStatus: 410 by default, 404 when configured', async () => {
    const dead = mock.subscriptions.create();
    mock.subscriptions.expire(dead.endpoint);
    expectStatus(await h2(session, push({ to: dead })), 410);
    expectStatus(await h2(session, { ...push(), path: '/push/never-existed' }), 410);
    const rfc = await startMockWebPush({ goneStatus: 404, subscriptions: 0 });
    try {
      const s = rfc.subscriptions.create();
      rfc.subscriptions.expire(s.endpoint);
      expectStatus(await h1(rfc.url, { ...push({ to: s }), headers: { ...push({ to: s }).headers, authorization: await vapidHeader(rfc.vapid, rfc.url) } }), 404);
    } finally {
      await rfc.close();
    }
  });

  it('429 with Retry-After once a subscription is over its quota', async () => {
    const limited = await startMockWebPush({ clock: { now: () => clockNow }, subscriptionQuota: { limit: 1, windowMs: 30_000 } });
    try {
      const [s] = limited.subscriptions.list();
      const headers = { ttl: '0', authorization: await vapidHeader(limited.vapid, limited.url) };
      expectStatus(await h1(limited.url, { path: pathOf(s!.endpoint), headers }), 201);
      const refused = await h1(limited.url, { path: pathOf(s!.endpoint), headers });
      expectStatus(refused, 429);
      expect(refused.headers['retry-after']).toBe('30');
    } finally {
      await limited.close();
    }
  });

  it('keeps serving: the counters add up', () => {
    const stats = mock.stats();
    expect(stats.created + stats.rejected).toBe(stats.requests);
    expect(stats.http1Requests).toBeGreaterThan(0);
    expect(stats.http2Requests).toBeGreaterThan(0);
  });
});
