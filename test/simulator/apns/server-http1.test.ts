/** APNs is HTTP/2 only (protocols.md §1.1): HTTP/1.1 must never reach the APNs route. */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockApns, type MockApns } from '../../../simulator/apns/server.js';
import { deviceToken } from './helpers.js';

let mock: MockApns | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

type Outcome = { error: string } | { status: number | undefined; headers: IncomingMessage['headers']; body: string };

function settle(req: ReturnType<typeof httpRequest>): Promise<Outcome> {
  return new Promise((resolve) => {
    req.on('response', (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end('{"aps":{}}');
  });
}

const options = (mock: MockApns) => {
  const { hostname, port } = new URL(mock.url);
  return { hostname, port, method: 'POST', path: `/3/device/${deviceToken(1)}`, agent: false, headers: { 'apns-topic': 'com.example.app' } } as const;
};

describe('HTTP/1.1 clients', () => {
  it('are cut off by the h2c server: the request errors and never counts', async () => {
    mock = await startMockApns();
    const outcome = await settle(httpRequest(options(mock)));
    expect(outcome).toEqual({ error: expect.any(String) });
    expect(mock.stats()).toMatchObject({ requests: 0, accepted: 0, rejected: 0 });
  });

  it('are refused by the TLS server without ALPN h2: a plain-text 403, not an APNs answer', async () => {
    mock = await startMockApns({ tls: true });
    const outcome = await settle(httpsRequest({ ...options(mock), ca: mock.ca }));
    expect(outcome).toMatchObject({ status: 403 });
    expect('headers' in outcome && outcome.headers['apns-id']).toBeUndefined();
    expect('body' in outcome && outcome.body).toBe('APNs speaks HTTP/2 only (ALPN h2); this connection negotiated no h2.\n');
    expect(mock.stats()).toMatchObject({ requests: 0, accepted: 0, rejected: 0 });
  });

  it('fail the TLS handshake when they offer only http/1.1 in ALPN', async () => {
    mock = await startMockApns({ tls: true });
    // Passed through to tls.connect; @types/node's RequestOptions does not list it.
    const offerHttp1Only = { ALPNProtocols: ['http/1.1'] } as object;
    const outcome = await settle(httpsRequest({ ...options(mock), ca: mock.ca, ...offerHttp1Only }));
    expect(outcome).toEqual({ error: 'EPROTO' });
    expect(mock.stats().requests).toBe(0);
  });
});
