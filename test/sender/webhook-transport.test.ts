import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApnsSender } from '../../sender/apns-sender.js';
import { WebhookTransport } from '../../sender/webhook-transport.js';
import { startH2Server } from '../helpers/h2-server.js';
import type { TestH2Server } from '../helpers/h2-server.js';
import { generateKeyPairSync } from 'node:crypto';

const p8 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

interface Sink {
  url: string;
  received: { path: string; headers: Record<string, string>; body: string }[];
  close(): Promise<void>;
}

async function startSink(status = 202): Promise<Sink> {
  const received: Sink['received'] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(data) as Sink['received'][number]);
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/push`, received, close: () => new Promise((r) => server.close(() => r())) };
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('WebhookTransport as a fallback route', () => {
  it('takes what the failing primary cannot deliver, without the credentials, and the outcome names the route', async () => {
    const sink = await startSink();
    const primary: TestH2Server = await startH2Server((stream) => {
      stream.respond({ ':status': 503, 'content-type': 'application/json' });
      stream.end('{"reason":"ServiceUnavailable"}');
    });
    const webhook = new WebhookTransport({ url: sink.url });
    const sender = await ApnsSender.create({
      url: primary.url,
      credentials: { keyId: 'K', teamId: 'T', privateKey: p8 },
      policies: { retry: { maxAttempts: 2, baseDelayMs: 1 }, fallback: { name: 'webhook', to: webhook.dispatch } },
    });
    cleanup.push(() => sink.close(), () => primary.close(), () => webhook.close(), () => sender.destroy());
    const outcome = await sender.send({ token: 'ab'.repeat(32), topic: 'com.example', payload: { aps: { alert: 'x' } } });
    expect(outcome).toMatchObject({ status: 'accepted', route: 'webhook', attempts: 3 });
    expect(primary.requests).toBe(2);
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]).toMatchObject({ path: `/3/device/${'ab'.repeat(32)}`, body: '{"aps":{"alert":"x"}}', headers: { 'apns-topic': 'com.example' } });
    expect(sink.received[0]?.headers['authorization']).toBeUndefined();
  });

  it('reports a refused sink as an unprocessed connect failure', async () => {
    const sink = await startSink();
    await sink.close();
    const webhook = new WebhookTransport({ url: sink.url });
    cleanup.push(() => webhook.destroy());
    const result = await webhook.dispatch({ method: 'POST', path: '/3/device/x', headers: {}, body: '{}' }, { attempts: 0 });
    expect(result).toMatchObject({ ok: false, kind: 'connect', unprocessed: true });
  });
});
