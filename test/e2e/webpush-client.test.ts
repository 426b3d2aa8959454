/**
 * A maintained Web Push client that is not ours — the `web-push` package (devDependency, test-only)
 * — delivers to the mock. web-push always uses `https.request` (HTTP/1.1), so the mock runs TLS and
 * ALPN picks http/1.1 there; the mock decrypts what web-push encrypted.
 */
import { Agent } from 'node:https';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockWebPush, type MockWebPush } from '../../simulator/webpush/index.js';

/** The part of web-push's API used here (it ships no types). */
interface WebPushModule {
  sendNotification(
    subscription: { endpoint: string; keys: { p256dh: string; auth: string } },
    payload: string | Buffer | null,
    options: { vapidDetails: { subject: string; publicKey: string; privateKey: string }; TTL?: number; urgency?: string; topic?: string; agent?: Agent },
  ): Promise<{ statusCode: number; headers: Record<string, string> }>;
  generateVAPIDKeys(): { publicKey: string; privateKey: string };
}
interface WebPushErrorShape {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}
const webpush = createRequire(import.meta.url)('web-push') as WebPushModule;

let mock: MockWebPush;
let agent: Agent;
beforeAll(async () => {
  mock = await startMockWebPush({ tls: true, subscriptions: 2 });
  agent = new Agent({ ca: mock.ca, keepAlive: true });
});
afterAll(async () => {
  agent.destroy();
  await mock.close();
});

describe('web-push (npm) → mock Web Push over HTTP/1.1 + TLS', () => {
  it('delivers; the mock answers 201 and decrypts exactly what web-push encrypted', async () => {
    const [subscription] = mock.subscriptions.list();
    const payload = JSON.stringify({ title: 'from web-push', body: 'é'.repeat(500) });
    const response = await webpush.sendNotification(subscription!, payload, { vapidDetails: mock.vapid, TTL: 120, urgency: 'high', topic: 'news', agent });
    expect(response.statusCode).toBe(201);
    expect(response.headers['location']).toMatch(new RegExp(`^${mock.url}/message/`));
    const [received] = mock.subscriptions.messages(subscription!.endpoint);
    expect(received).toMatchObject({ ttl: 120, urgency: 'high', topic: 'news' });
    expect(received?.payload?.toString('utf8')).toBe(payload);
    expect(mock.stats()).toMatchObject({ http1Requests: 1, http2Requests: 0, decryptFailures: 0 });
  });

  it('gets the mock\'s 410 for an expired subscription as a WebPushError', async () => {
    const [, subscription] = mock.subscriptions.list();
    mock.subscriptions.expire(subscription!.endpoint);
    const error = await webpush.sendNotification(subscription!, 'x', { vapidDetails: mock.vapid, agent }).then(
      () => undefined,
      (e: WebPushErrorShape) => e,
    );
    expect(error?.statusCode).toBe(410);
    expect(JSON.parse(error?.body ?? '{}')).toMatchObject({ code: 410, reason: 'Gone' });
  });

  it('is refused 403 when it signs with keys the subscription was not made for', async () => {
    const fresh = mock.subscriptions.create();
    const stranger = { subject: 'mailto:other@example.com', ...webpush.generateVAPIDKeys() };
    const error = await webpush.sendNotification(fresh, 'x', { vapidDetails: stranger, agent }).then(
      () => undefined,
      (e: WebPushErrorShape) => e,
    );
    expect(error?.statusCode).toBe(403);
  });
});
