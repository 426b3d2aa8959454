/**
 * One GOAWAY on the wire (simulator/goaway.ts): the mocks end a connection with a single GOAWAY
 * frame naming the last stream they processed — APNs with its JSON reason (protocols.md §1.5,
 * §1.11) — let those streams finish, and close the connection without the second and third frames
 * node's session.close() and teardown would add. Counted by a relay that reads the raw frames.
 */
import { connect, type ClientHttp2Session } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockApns } from '../../simulator/apns/server.js';
import { startMockFcm } from '../../simulator/fcm/server.js';
import { startMockWebPush } from '../../simulator/webpush/server.js';
import { watchFrames, type FrameWatch } from '../helpers/h2-frames.js';
import { deviceToken, signProviderToken } from './apns/helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function relayTo(url: string): Promise<{ watch: FrameWatch; client: ClientHttp2Session }> {
  const watch = await watchFrames(Number(new URL(url).port));
  cleanups.push(() => watch.close());
  const client = connect(`http://127.0.0.1:${watch.port}`);
  client.on('error', () => {});
  cleanups.push(async () => client.destroy());
  return { watch, client };
}

/** Sends a request and resolves with its status (or the stream error's message). */
function send(client: ClientHttp2Session, headers: Record<string, string>, body: string): Promise<number | string> {
  return new Promise((resolve) => {
    const stream = client.request({ ':method': 'POST', ...headers });
    stream.on('response', (h) => resolve(Number(h[':status'])));
    stream.on('error', (error) => resolve(error.message));
    stream.resume();
    stream.end(body);
  });
}

async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('the mock APNs sends one GOAWAY', () => {
  it('on close(): {"reason":"Shutdown"} naming the last stream; the streams in flight are answered; then the connection ends', async () => {
    const apns = await startMockApns({ latency: { kind: 'fixed', ms: 200 }, initialStreams: 10 });
    cleanups.push(() => apns.close());
    const { watch, client } = await relayTo(apns.url);
    // One provider token for both: two signed a second apart differ (iat), and a new token on the same
    // connection so soon is 429 TooManyProviderTokenUpdates — the flake this test had on slow machines.
    const authorization = `bearer ${await signProviderToken(apns.credentials)}`;
    const headers = (n: number) => ({ ':path': `/3/device/${deviceToken(n)}`, 'apns-topic': 'com.example.app', authorization });
    const answers = [send(client, headers(1), '{"aps":{}}'), send(client, headers(2), '{"aps":{}}')];
    await eventually(() => apns.stats().requests === 2, 'both requests at the mock');
    await apns.close();
    expect(await Promise.all(answers)).toEqual([200, 200]);
    await watch.closed();
    expect(watch.goaways()).toEqual([[{ lastStreamId: 3, code: 0, debug: '{"reason":"Shutdown"}' }]]);
  });

  it('on the idle timeout: {"reason":"IdleTimeout"}, and nothing after it', async () => {
    // The idle clock starts with the connection: the token is signed before it, and the timeout leaves
    // a busy machine room to send the one request first (else GOAWAY would come with last stream 0).
    const apns = await startMockApns({ idleTimeoutMs: 500 });
    cleanups.push(() => apns.close());
    const authorization = `bearer ${await signProviderToken(apns.credentials)}`;
    const { watch, client } = await relayTo(apns.url);
    expect(await send(client, { ':path': `/3/device/${deviceToken(1)}`, 'apns-topic': 'com.example.app', authorization }, '{"aps":{}}')).toBe(200);
    await watch.closed();
    expect(watch.goaways()).toEqual([[{ lastStreamId: 1, code: 0, debug: '{"reason":"IdleTimeout"}' }]]);
  });

  it('for the graceful goaway fault and for the abrupt one: one frame each', async () => {
    const apns = await startMockApns({
      faults: {
        faults: [
          { kind: 'goaway', reason: 'Shutdown', match: { token: '1$' } },
          { kind: 'goaway', code: 'INTERNAL_ERROR', match: { token: '2$' } },
        ],
      },
    });
    cleanups.push(() => apns.close());
    const auth = { 'apns-topic': 'com.example.app', authorization: `bearer ${await signProviderToken(apns.credentials)}` };
    const graceful = await relayTo(apns.url);
    expect(await send(graceful.client, { ':path': `/3/device/${deviceToken(1)}`, ...auth }, '{"aps":{}}')).toBe(200);
    const abrupt = await relayTo(apns.url);
    expect(await send(abrupt.client, { ':path': `/3/device/${deviceToken(2)}`, ...auth }, '{"aps":{}}')).toMatch(/./);
    await Promise.all([graceful.watch.closed(), abrupt.watch.closed()]);
    expect(graceful.watch.goaways()).toEqual([[{ lastStreamId: 1, code: 0, debug: '{"reason":"Shutdown"}' }]]);
    expect(abrupt.watch.goaways()).toEqual([[{ lastStreamId: 1, code: 2, debug: '' }]]);
  });
});

describe('the mock FCM and Web Push services send one GOAWAY', () => {
  it('FCM: on close() and on the idle timeout', async () => {
    // Timeouts a busy machine's first request fits in (a GOAWAY before it would name last stream 0).
    const fcm = await startMockFcm({ idleTimeoutMs: 500 });
    cleanups.push(() => fcm.close());
    const idle = await relayTo(fcm.url);
    expect(await send(idle.client, { ':path': '/token' }, 'grant_type=x')).toBe(400);
    await idle.watch.closed();
    expect(idle.watch.goaways()).toEqual([[{ lastStreamId: 1, code: 0, debug: '' }]]);

    const closing = await relayTo(fcm.url);
    expect(await send(closing.client, { ':path': '/token' }, 'grant_type=x')).toBe(400);
    await fcm.close();
    await closing.watch.closed();
    expect(closing.watch.goaways()).toEqual([[{ lastStreamId: 1, code: 0, debug: '' }]]);
  });

  it('FCM: at the maximum connection age', async () => {
    const fcm = await startMockFcm({ maxConnectionAgeMs: 500 });
    cleanups.push(() => fcm.close());
    const { watch, client } = await relayTo(fcm.url);
    expect(await send(client, { ':path': '/token' }, 'grant_type=x')).toBe(400);
    await watch.closed();
    expect(watch.goaways()).toEqual([[{ lastStreamId: 1, code: 0, debug: '' }]]);
  });

  it('Web Push: on close()', async () => {
    const push = await startMockWebPush();
    cleanups.push(() => push.close());
    const { watch, client } = await relayTo(push.url);
    expect(await send(client, { ':path': '/push/nobody', ttl: '60' }, '')).toBe(410);
    await push.close();
    await watch.closed();
    expect(watch.goaways()).toEqual([[{ lastStreamId: 1, code: 0, debug: '' }]]);
  });
});
