/**
 * The proxy holds a request body while faults decide on it, and only up to maxBodyBytes: a larger
 * one is answered 413 at once — by declared content-length or once the bytes pass the limit — is
 * never forwarded, and the proxy goes on serving.
 */
import { connect } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../../../simulator/proxy/proxy.js';
import type { FaultProxy } from '../../../simulator/proxy/proxy.js';
import { answerAfter, startH2Server } from '../../helpers/h2-server.js';
import type { TestH2Server } from '../../helpers/h2-server.js';

let origin: TestH2Server | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
});

/** Streams `total` bytes in 16 KiB chunks (respecting backpressure); resolves with the answer. */
function post(url: string, total: number, headers: Record<string, string> = {}): Promise<{ status: number | undefined; body: string; sent: number }> {
  const session = connect(url);
  session.on('error', () => {});
  return new Promise((resolve) => {
    const stream = session.request({ ':method': 'POST', ':path': '/push/abc', ...headers });
    let status: number | undefined;
    let body = '';
    let sent = 0;
    const chunk = Buffer.alloc(Math.min(16 * 1024, total), 120);
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (d: Buffer) => (body += d.toString()));
    stream.on('error', () => {});
    stream.on('close', () => {
      session.close();
      resolve({ status, body, sent });
    });
    const pump = (): void => {
      while (sent < total && !stream.destroyed && !stream.closed) {
        sent += chunk.length;
        if (sent >= total) return void stream.end(chunk);
        if (!stream.write(chunk)) return void stream.once('drain', pump);
      }
    };
    pump();
  });
}

describe('fault proxy request bodies', () => {
  it('answers 413 to a body past maxBodyBytes, without forwarding it or reading it all, and keeps serving', async () => {
    origin = await startH2Server(answerAfter(0));
    proxy = await startFaultProxy({ upstream: origin.url, tls: false, maxBodyBytes: 64 * 1024 });
    const huge = await post(proxy.url, 32 * 1024 * 1024);
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body)).toMatchObject({ reason: 'PayloadTooLarge', error: expect.stringContaining('65536 bytes') });
    // Refused and reset early: the client did not get to send its 32 MiB.
    expect(huge.sent).toBeLessThan(32 * 1024 * 1024);
    expect(origin.requests).toBe(0);
    expect((await post(proxy.url, 32 * 1024)).status).toBe(200);
    expect(origin.requests).toBe(1);
  });

  it('answers 413 at once when content-length already says the body is too large', async () => {
    origin = await startH2Server(answerAfter(0));
    proxy = await startFaultProxy({ upstream: origin.url, tls: false, maxBodyBytes: 1024 });
    const declared = await post(proxy.url, 2048, { 'content-length': '2048' });
    expect(declared.status).toBe(413);
    expect(origin.requests).toBe(0);
  });
});
