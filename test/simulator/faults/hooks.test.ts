/**
 * The hook a mock provider adopts, on a bare node:http2 server standing in for a mock: the three
 * calls from simulator/faults/hooks.ts, nothing else.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http2';
import type { Http2Server, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultEngine } from '../../../simulator/faults/engine.js';
import type { FaultsDocument } from '../../../simulator/faults/spec.js';
import { openClient, payload, token } from '../proxy/helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A tiny "mock APNs" with the fault hook wired in exactly as the real mocks would. */
async function miniMock(spec: FaultsDocument): Promise<{ url: string; engine: FaultEngine; accepted: () => number }> {
  const engine = new FaultEngine({ spec, tickMs: 0 });
  const server: Http2Server = createServer();
  let accepted = 0;
  engine.interceptConnections(server); // 1. connection faults (refuse, slow handshake)
  server.on('session', (session) => engine.onSession(session)); // 2. frame faults, connection ids, metrics
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      const notificationId = headers['apns-id'] as string | undefined;
      const info = {
        provider: 'apns' as const,
        token: String(headers[':path']).slice('/3/device/'.length),
        topic: headers['apns-topic'] as string | undefined,
        notificationId,
        connectionId: engine.connectionId(stream.session),
      };
      // 3. per stream: faults decide; the mock's normal path runs inside `proceed`.
      engine.handle(stream, info, (accept) => {
        const apnsId = notificationId ?? randomUUID();
        accepted++;
        if (accept(apnsId, body)) return; // delivered, but a fault answers instead
        stream.respond({ ':status': 200, 'apns-id': apnsId }, { endStream: true });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        engine.close();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, engine, accepted: () => accepted };
}

describe('the mock hook', () => {
  it('records every acceptance in the ledger and applies stream faults', async () => {
    const mock = await miniMock({ faults: [{ kind: 'error', apns: 'Unregistered', match: { token: '2$' } }, { kind: 'accept-then-fail', match: { token: '3$' } }] });
    const client = await openClient(mock.url);
    closers.push(() => client.close());
    const headers = (n: number) => ({ ':path': `/3/device/${token(n)}`, 'apns-topic': 'com.example.app', 'apns-id': `00000000-0000-4000-8000-00000000000${n}` });
    expect(await client.request(headers(1), payload)).toMatchObject({ status: 200 });
    expect(await client.request(headers(2), payload)).toMatchObject({ status: 410, body: '{"reason":"Unregistered"}' });
    expect(await client.request(headers(3), payload)).toMatchObject({ status: 503, body: '{"reason":"ServiceUnavailable"}' });
    expect(await client.request(headers(3), payload)).toMatchObject({ status: 503 });
    expect(mock.accepted()).toBe(3);
    expect(mock.engine.ledger.summary()).toMatchObject({ delivered: 3, unique: 2, duplicates: 1 });
    expect(mock.engine.metrics.snapshot()).toMatchObject({ requests: { apns: 4 }, connectionsOpened: 1 });
  });

  it('refuses connections through interceptConnections', async () => {
    const mock = await miniMock({ faults: [{ kind: 'connection', action: 'refuse', match: { connection: [1] } }] });
    await expect(openClient(mock.url)).rejects.toMatchObject({ code: 'ECONNRESET' });
    // Connection ids count TCP connections: the second one is not targeted.
    const second = await openClient(mock.url);
    closers.push(() => second.close());
    expect(await second.request({ ':path': `/3/device/${token(1)}` }, payload)).toMatchObject({ status: 200 });
    expect(mock.engine.connectionId(second.session as never)).toBeUndefined(); // client sessions are not tracked
    expect(mock.engine.list()[0]?.injected).toBe(1);
    expect(mock.engine.metrics.snapshot().connectionsOpened).toBe(1);
  });
});
