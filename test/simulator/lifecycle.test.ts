/**
 * close() of every server pushsim starts — the three mocks, the fault proxy, the control API —
 * settles in every state: idle, twice in a row, with a client mid-request that never finishes its
 * body, after the client went away abruptly, and after the client sent GOAWAY first.
 */
import { connect } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { describe, expect, it } from 'vitest';
import { startMockApns } from '../../simulator/apns/server.js';
import { startControlServer } from '../../simulator/control/server.js';
import { FaultEngine } from '../../simulator/faults/engine.js';
import { startMockFcm } from '../../simulator/fcm/server.js';
import { startFaultProxy } from '../../simulator/proxy/proxy.js';
import { startMockWebPush } from '../../simulator/webpush/server.js';
import { answerAfter, startH2Server } from '../helpers/h2-server.js';

interface Server {
  readonly url: string;
  readonly ca?: string | undefined;
  close(): Promise<void>;
}

const servers: [string, () => Promise<Server & { cleanup?: () => Promise<void> }>][] = [
  ['mock APNs', () => startMockApns({})],
  ['mock APNs over TLS', () => startMockApns({ tls: true })],
  ['mock FCM', () => startMockFcm({})],
  ['mock Web Push', () => startMockWebPush({})],
  [
    'fault proxy',
    async () => {
      const origin = await startH2Server(answerAfter(0));
      const proxy = await startFaultProxy({ upstream: origin.url, tls: false });
      return { url: proxy.url, close: () => proxy.close(), cleanup: () => origin.close() };
    },
  ],
];

/** Settles within `ms`? Generous: this checks "ever", not speed (the mocks give streams 5 s). */
async function settles(promise: Promise<unknown>, ms = 20_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([promise.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  return result;
}

function client(server: Server): Promise<ClientHttp2Session> {
  const session = connect(server.url, server.ca === undefined ? {} : { ca: server.ca });
  session.on('error', () => {});
  return new Promise((resolve, reject) => {
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

describe.each(servers)('%s close()', (_name, start) => {
  it('settles when idle, and twice in a row', async () => {
    const server = await start();
    expect(await settles(Promise.all([server.close(), server.close()]))).toBe(true);
    expect(await settles(server.close())).toBe(true);
    await server.cleanup?.();
  });

  it('settles with a client mid-request that never finishes its body', async () => {
    const server = await start();
    const session = await client(server);
    const stream = session.request({ ':method': 'POST', ':path': '/3/device/' + 'ab'.repeat(32), 'content-type': 'application/json' });
    stream.on('error', () => {});
    stream.write('{"aps":'); // and never ends
    await new Promise((r) => setTimeout(r, 50));
    expect(await settles(server.close(), 30_000)).toBe(true);
    session.destroy();
    await server.cleanup?.();
  }, 40_000);

  it('settles after the client went away abruptly, and after the client sent GOAWAY first', async () => {
    const server = await start();
    const gone = await client(server);
    gone.destroy();
    const polite = await client(server);
    polite.goaway();
    await new Promise((r) => setTimeout(r, 50));
    expect(await settles(server.close())).toBe(true);
    polite.destroy();
    await server.cleanup?.();
  });
});

describe('control API close()', () => {
  it('settles idle, twice, and with a client holding a keep-alive connection', async () => {
    const engine = new FaultEngine({ tickMs: 0 });
    const control = await startControlServer({ engine });
    expect((await fetch(`${control.url}/faults`)).status).toBe(200);
    expect(await settles(Promise.all([control.close(), control.close()]))).toBe(true);
    engine.close();
  });
});
