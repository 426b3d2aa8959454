import { describe, expect, it } from 'vitest';
import { classifyRejection, webPushReasonFor } from '../../../core/reasons.js';
import { buildWebPushRequest, checkWebPushNotification, webPushOutcome } from '../../../sender/providers/webpush.js';
import { startMockWebPush } from '../../../simulator/webpush/index.js';
import { generateSubscriptionKeys } from '../../../simulator/webpush/keys.js';
import { h1 } from '../../simulator/fcm/helpers.js';
import { vapidHeader } from '../../simulator/webpush/helpers.js';

const keys = generateSubscriptionKeys();
const subscription = { endpoint: 'https://push.example.net/push/abc', keys: { p256dh: keys.p256dh, auth: keys.auth } };

describe('Web Push adapter', () => {
  it('builds the POST to the absolute endpoint with TTL, Urgency, Topic and an aes128gcm body', () => {
    const request = buildWebPushRequest({ subscription, payload: 'hi', ttl: 30, urgency: 'low', topic: 'news' });
    expect(request).toMatchObject({ method: 'POST', path: subscription.endpoint, headers: { ttl: '30', urgency: 'low', topic: 'news', 'content-encoding': 'aes128gcm', 'content-type': 'application/octet-stream' } });
    const body = request.body as Buffer;
    expect(body.readUInt32BE(16)).toBe(4096); // rs
    expect(body[20]).toBe(65); // keyid = the sender's ephemeral public key
    expect(body.length).toBe(86 + 2 + 1 + 16); // header + plaintext + delimiter + tag
  });

  it('sends no body and no Content-Encoding for a push without payload; TTL defaults to 4 weeks', () => {
    const request = buildWebPushRequest({ subscription });
    expect(request.body).toBeUndefined();
    expect(request.headers).toEqual({ ttl: '2419200' });
  });

  it.each([
    [{ subscription: { ...subscription, endpoint: 'not a url' } }, /endpoint must be the subscription's http\(s\) URL/],
    [{ subscription: { ...subscription, keys: { ...subscription.keys, p256dh: 'AAAA' } } }, /p256dh must be a 65-byte/],
    [{ subscription: { ...subscription, keys: { ...subscription.keys, auth: 'AAAA' } } }, /auth must be a 16-byte/],
    [{ subscription, ttl: -1 }, /ttl must be a whole number/],
    [{ subscription, urgency: 'now' }, /urgency must be very-low, low, normal or high/],
    [{ subscription, topic: 'x'.repeat(33) }, /topic must be 1-32 characters/],
    [{ subscription, payload: 'x'.repeat(3994) }, /payload is 3994 bytes; Web Push allows 3993/],
    // Sizes are UTF-8 bytes, whatever form the payload takes.
    [{ subscription, payload: 'é'.repeat(2000) }, /payload is 4000 bytes/],
    [{ subscription, payload: new Uint8Array(3994) }, /payload is 3994 bytes/],
    [{ subscription, payload: { text: 'x'.repeat(3990) } }, /payload is 4001 bytes/],
  ])('refuses %# before sending', (notification, message) => {
    expect(() => checkWebPushNotification(notification as never)).toThrow(message);
  });

  it('maps statuses to outcomes through the shared table', () => {
    const answer = (status: number, headers = {}) => webPushOutcome('e', { ok: true, status, headers, body: Buffer.alloc(0) }, 1);
    expect(answer(201, { location: 'https://x/m/1' })).toEqual({ status: 'accepted', provider: 'webpush', token: 'e', attempts: 1, id: 'https://x/m/1' });
    expect(answer(410)).toMatchObject({ reason: 'Gone', retryClass: 'permanent' });
    expect(answer(404)).toMatchObject({ reason: 'NotFound', retryClass: 'permanent' });
    expect(answer(401)).toMatchObject({ reason: 'Unauthorized', retryClass: 'auth' });
    expect(answer(418)).toMatchObject({ reason: 'HTTP_418', retryClass: 'config' });
    expect(webPushReasonFor(429)).toBe('TooManyRequests');
    expect(classifyRejection('webpush', 'ServiceUnavailable', 503)).toBe('retryable');
  });

  it('encrypts so that the mock push service decrypts the same bytes', async () => {
    const push = await startMockWebPush({ subscriptions: 0 });
    try {
      const target = push.subscriptions.create({ applicationServerKey: null });
      const request = buildWebPushRequest({ subscription: target, payload: new Uint8Array([1, 2, 3, 250]) });
      const response = await h1(push.url, { path: new URL(target.endpoint).pathname, headers: { ...request.headers, authorization: await vapidHeader(push.vapid, push.url) }, body: request.body as Buffer });
      expect(response.status).toBe(201);
      expect([...push.subscriptions.messages(target.endpoint)[0]!.payload!]).toEqual([1, 2, 3, 250]);
    } finally {
      await push.close();
    }
  });
});
