/**
 * End to end: the real WebPushSender against the real mock push service over real sockets. The mock
 * decrypts what the sender encrypted, so these tests prove the payload arrived intact.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WebPushSender } from '../../sender/webpush-sender.js';
import { startMockWebPush, type MockWebPush } from '../../simulator/webpush/index.js';

let mocks: MockWebPush[] = [];
let sender: WebPushSender | undefined;
afterEach(async () => {
  await sender?.destroy();
  await Promise.all(mocks.map((m) => m.close()));
  sender = undefined;
  mocks = [];
});

async function mock(options: Parameters<typeof startMockWebPush>[0] = {}): Promise<MockWebPush> {
  const started = await startMockWebPush(options);
  mocks.push(started);
  return started;
}

describe.each([{ tls: false }, { tls: true }])('WebPushSender → mock push service (tls: $tls)', ({ tls }) => {
  it('delivers encrypted payloads that the mock decrypts to exactly what was sent', async () => {
    const push = await mock({ tls, subscriptions: 3 });
    sender = await WebPushSender.create({ vapid: push.vapid, ...(push.ca && { tls: { ca: push.ca } }) });
    const subscriptions = push.subscriptions.list();
    const binary = randomBytes(3993); // the largest payload that fits one 4096-byte record
    const sent = [{ title: 'hello', n: 1 }, 'plain text ✓', binary];
    const outcomes = await Promise.all(sent.map((payload, i) => sender!.send({ subscription: subscriptions[i]!, payload, ttl: 60, urgency: 'high', topic: `t${i}` })));
    for (const [i, outcome] of outcomes.entries()) {
      expect(outcome).toMatchObject({ status: 'accepted', provider: 'webpush', token: subscriptions[i]!.endpoint });
      expect(outcome.status === 'accepted' && outcome.id).toMatch(new RegExp(`^${push.url}/message/`));
      const [received] = push.subscriptions.messages(subscriptions[i]!.endpoint);
      expect(received).toMatchObject({ ttl: 60, urgency: 'high', topic: `t${i}` });
      expect(received?.decryptError).toBeUndefined();
    }
    expect(JSON.parse(push.subscriptions.messages(subscriptions[0]!.endpoint)[0]!.payload!.toString())).toEqual({ title: 'hello', n: 1 });
    expect(push.subscriptions.messages(subscriptions[1]!.endpoint)[0]!.payload!.toString()).toBe('plain text ✓');
    expect(push.subscriptions.messages(subscriptions[2]!.endpoint)[0]!.payload!.equals(binary)).toBe(true);
    expect(push.stats()).toMatchObject({ created: 3, rejected: 0, decryptFailures: 0, http2Requests: 3 });
  });
});

describe('WebPushSender → mock push service: dead subscriptions and VAPID', () => {
  it.each([410, 404] as const)('an expired subscription answers %i and is reported as a token to prune (permanent)', async (goneStatus) => {
    const push = await mock({ goneStatus, subscriptions: 2 });
    sender = await WebPushSender.create({ vapid: push.vapid });
    const [dead, alive] = push.subscriptions.list();
    push.subscriptions.expire(dead!.endpoint);
    const outcome = await sender.send({ subscription: dead!, payload: 'x' });
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: goneStatus, reason: goneStatus === 410 ? 'Gone' : 'NotFound', retryClass: 'permanent', token: dead!.endpoint });
    expect(await sender.send({ subscription: alive!, payload: 'y' })).toMatchObject({ status: 'accepted' });
  });

  it('signs one VAPID JWT per push-service origin and keeps one pool per origin', async () => {
    const [a, b] = [await mock({ subscriptions: 1 }), await mock({ subscriptions: 1 })];
    // Both mocks trust the same application server: b's subscriptions are restricted to a's key.
    const fromA = a.subscriptions.list()[0]!;
    const fromB = b.subscriptions.create({ applicationServerKey: a.vapid.publicKey });
    sender = await WebPushSender.create({ vapid: a.vapid });
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => sender!.send({ subscription: i % 2 ? fromA : fromB, payload: `m${i}` })));
    expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
    expect(sender.vapid.signed).toBe(2);
    expect(a.stats().created).toBe(20);
    expect(b.stats().created).toBe(20);
  });

  it('never sends to a real push service unless production is allowed on purpose', async () => {
    const push = await mock();
    sender = await WebPushSender.create({ vapid: push.vapid });
    const real = { ...push.subscriptions.list()[0]!, endpoint: 'https://fcm.googleapis.com/fcm/send/abc' };
    const outcome = await sender.send({ subscription: real, payload: 'x' });
    expect(outcome).toMatchObject({ status: 'failed', code: 'PUSHSIM_ERR_INVALID_ARGUMENT', attempts: 0 });
    expect(outcome.status === 'failed' && outcome.message).toMatch(/allowProduction: true/);
  });

  it('a sender with another VAPID key is refused 403 Forbidden (config)', async () => {
    const push = await mock();
    const other = await mock();
    sender = await WebPushSender.create({ vapid: other.vapid });
    const outcome = await sender.send({ subscription: push.subscriptions.list()[0]!, payload: 'x' });
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 403, reason: 'Forbidden', retryClass: 'config' });
  });

  it('a scripted 429 carries Retry-After and is retryable', async () => {
    const push = await mock({ retryAfterSeconds: 3 });
    const seen: unknown[] = [];
    sender = await WebPushSender.create({
      vapid: push.vapid,
      policies: { retry: false, circuitBreaker: false },
      interceptors: [(next) => async (request, context) => {
        const result = await next(request, context);
        if (result.ok) seen.push(result.headers['retry-after']);
        return result;
      }],
    });
    const subscription = push.subscriptions.list()[0]!;
    push.faults.script(subscription.endpoint, [429]);
    expect(await sender.send({ subscription, payload: 'x' })).toMatchObject({ status: 'rejected', httpStatus: 429, reason: 'TooManyRequests', retryClass: 'retryable' });
    expect(seen).toEqual(['3']);
  });
});

describe('WebPushSender → mock push service: 401', () => {
  it('a 401 drops the cached VAPID JWT and sends once more with a fresh one', async () => {
    const push = await mock();
    sender = await WebPushSender.create({ vapid: push.vapid, policies: { retry: false, circuitBreaker: false } });
    const subscription = push.subscriptions.list()[0]!;
    await sender.send({ subscription, payload: 'first' });
    push.faults.script(subscription.endpoint, [401]);
    expect(await sender.send({ subscription, payload: 'second' })).toMatchObject({ status: 'accepted', attempts: 2 });
    expect(sender.vapid.signed).toBe(2);
    push.faults.script(subscription.endpoint, [401, 401]);
    expect(await sender.send({ subscription, payload: 'third' })).toMatchObject({ status: 'rejected', httpStatus: 401, reason: 'Unauthorized', retryClass: 'auth', attempts: 2 });
  });
});
