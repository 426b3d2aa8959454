/**
 * Connection behaviour of the mocks (protocols.md §2.7): HTTP/2 and HTTP/1.1 on one port (cleartext
 * sniffing and TLS ALPN), GOAWAY after idle time and after connection age, graceful close.
 */
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockFcm, type MockFcm } from '../../../simulator/fcm/index.js';
import { startMockWebPush } from '../../../simulator/webpush/index.js';
import { accessToken, eventually, fcmToken, h1, h2, openH2, sendRequest } from './helpers.js';

let mock: MockFcm | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

describe('one port, two protocols', () => {
  it('cleartext: h2c prior knowledge and HTTP/1.1 both reach the same routes', async () => {
    mock = await startMockFcm();
    const bearer = await accessToken(mock.url, mock.serviceAccount); // HTTP/1.1 (fetch)
    const session = openH2(mock.url);
    const viaH2 = await h2(session, sendRequest('pushsim-test', bearer, { message: { token: fcmToken(1) } }));
    const viaH1 = await h1(mock.url, sendRequest('pushsim-test', bearer, { message: { token: fcmToken(1) } }));
    expect([viaH2.status, viaH1.status]).toEqual([200, 200]);
    expect(mock.stats()).toMatchObject({ http2Requests: 1, http1Requests: 1 });
    session.close();
  });

  it('cleartext: a request arriving one byte at a time is still sniffed correctly', async () => {
    const push = await startMockWebPush();
    try {
      const { port } = new URL(push.url);
      const { createConnection } = await import('node:net');
      const socket = createConnection(Number(port), '127.0.0.1');
      const text = 'POST /push/unknown HTTP/1.1\r\nHost: x\r\nTTL: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
      let reply = '';
      socket.on('data', (d: Buffer) => (reply += d.toString()));
      for (const ch of text) {
        socket.write(ch);
        await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => socket.on('close', r));
      expect(reply).toMatch(/^HTTP\/1\.1 410 /);
    } finally {
      await push.close();
    }
  });

  it('TLS: ALPN offers h2 and http/1.1 and serves both', async () => {
    mock = await startMockFcm({ tls: true });
    const { port } = new URL(mock.url);
    const alpn = (protocols: string[]): Promise<string | false> =>
      new Promise((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: Number(port), ca: mock!.ca, ALPNProtocols: protocols, servername: 'localhost' }, () => {
          resolve(socket.alpnProtocol ?? false);
          socket.end();
        });
        socket.on('error', reject);
      });
    expect(await alpn(['h2', 'http/1.1'])).toBe('h2');
    expect(await alpn(['http/1.1'])).toBe('http/1.1');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpsRequest(`${mock!.url}/v1/projects/pushsim-test/messages:send`, { method: 'POST', ca: mock!.ca, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(401);
  });
});

describe('HTTP/2 connection lifetime', () => {
  it('sends GOAWAY after the idle timeout', async () => {
    mock = await startMockFcm({ idleTimeoutMs: 100 });
    const session = openH2(mock.url);
    let goaway = false;
    session.on('goaway', () => (goaway = true));
    await h2(session, { path: '/token', body: '' });
    await eventually(() => goaway, 'GOAWAY after idle');
    await eventually(() => session.closed || session.destroyed, 'session closed');
  });

  it('sends GOAWAY once a busy connection reaches its maximum age, and answers the streams it had', async () => {
    mock = await startMockFcm({ maxConnectionAgeMs: 150, idleTimeoutMs: 0 });
    const bearer = await accessToken(mock.url, mock.serviceAccount);
    const session = openH2(mock.url);
    let goaway = false;
    session.on('goaway', () => (goaway = true));
    let answered = 0;
    while (!goaway) {
      // A request racing the GOAWAY may be refused (REFUSED_STREAM: unprocessed, safe to retry).
      const response = await h2(session, sendRequest('pushsim-test', bearer, { validate_only: true, message: { token: fcmToken(1) } })).catch(() => undefined);
      if (response?.status === 200) answered++;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(answered).toBeGreaterThan(0);
    await eventually(() => session.closed || session.destroyed, 'session closed after GOAWAY');
  });

  it('close() ends open HTTP/2 and HTTP/1.1 connections', async () => {
    const m = await startMockFcm();
    const session = openH2(m.url);
    await h2(session, { path: '/token', body: '' });
    await h1(m.url, { path: '/token', body: '' });
    expect(m.stats().connections).toBeGreaterThan(0);
    await m.close();
    await eventually(() => session.closed || session.destroyed, 'client saw the close');
  });
});
