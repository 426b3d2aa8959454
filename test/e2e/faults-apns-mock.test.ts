/**
 * Every fault kind injected by the mock APNs itself (no proxy), over real sockets: a node:http2
 * client against `startMockApns({ faults })`, one row per kind, checking exactly what the client
 * observes — status, body, headers, RST_STREAM codes, GOAWAY frames, SETTINGS, connection errors —
 * and what the mock's own ledger and stats say was delivered.
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockApns } from '../../simulator/apns/server.js';
import type { MockApns } from '../../simulator/apns/server.js';
import type { MockApnsOptions } from '../../simulator/apns/options.js';
import type { FaultsDocument } from '../../simulator/faults/spec.js';
import { signProviderToken } from '../simulator/apns/helpers.js';
import { manualClock, openClient, payload, token } from '../simulator/proxy/helpers.js';
import type { TestClient } from '../simulator/proxy/helpers.js';

interface Harness {
  readonly mock: MockApns;
  headers(n: number, extra?: OutgoingHttpHeaders): OutgoingHttpHeaders;
  client(): Promise<TestClient>;
}

const running: { mock: MockApns; clients: TestClient[] }[] = [];
afterEach(async () => {
  for (const { mock, clients } of running.splice(0)) {
    await Promise.all(clients.map((c) => c.close()));
    await mock.close();
  }
});

async function startMock(faults: FaultsDocument, options: MockApnsOptions = {}): Promise<Harness> {
  const mock = await startMockApns({ faults, ...options });
  const clients: TestClient[] = [];
  running.push({ mock, clients });
  const authorization = `bearer ${await signProviderToken(mock.credentials)}`;
  return {
    mock,
    headers: (n, extra = {}) => ({ ':path': `/3/device/${token(n)}`, 'apns-topic': 'com.example.app', 'apns-push-type': 'alert', authorization, ...extra }),
    client: async () => {
      const client = await openClient(mock.url, mock.ca);
      clients.push(client);
      return client;
    },
  };
}

const until = async (condition: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 300 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
};

const apnsId = 'a1b2c3d4-0000-4000-8000-000000000001';
const ms = (since: number): number => performance.now() - since;

interface Row {
  readonly name: string;
  readonly faults: FaultsDocument['faults'];
  readonly options?: MockApnsOptions;
  check(h: Harness): Promise<void>;
}

/** The throttle row refills its bucket on this clock (the mock's, and so the engine's). */
const clock = manualClock(Date.now());

const streamRows: Row[] = [
  {
    name: 'latency: answered after the sampled delay',
    faults: [{ kind: 'latency', distribution: { kind: 'fixed', ms: 60 } }],
    async check(h) {
      const client = await h.client();
      const started = performance.now();
      expect(await client.request(h.headers(1), payload)).toMatchObject({ status: 200, rstCode: 0 });
      // A lower bound only: a timer never fires early (no speed is asserted).
      expect(ms(started)).toBeGreaterThanOrEqual(58);
      expect(h.mock.faults?.list()[0]).toMatchObject({ kind: 'latency', injected: 1 });
      expect(h.mock.ledger.summary().delivered).toBe(1);
    },
  },
  {
    name: 'error: the reason, its status, application/json and the apns-id; never reaches validation',
    faults: [{ kind: 'error', apns: 'BadDeviceToken', match: { token: '1$' } }],
    async check(h) {
      const client = await h.client();
      const hit = await client.request(h.headers(1, { 'apns-id': apnsId }), payload);
      expect(hit).toMatchObject({ status: 400, body: '{"reason":"BadDeviceToken"}', rstCode: 0 });
      expect(hit.headers).toMatchObject({ 'content-type': 'application/json', 'apns-id': apnsId });
      expect(hit.headers['retry-after']).toBeUndefined();
      expect(await client.request(h.headers(2), payload)).toMatchObject({ status: 200 });
      // Fault answers are not the mock's own rejections; /metrics tells them apart.
      expect(h.mock.stats()).toMatchObject({ requests: 2, accepted: 1, rejected: 0 });
      expect(h.mock.ledger.summary()).toMatchObject({ delivered: 1 });
      expect(h.mock.faults?.metrics.snapshot().responses).toEqual(
        expect.arrayContaining([
          { provider: 'apns', status: 400, reason: 'BadDeviceToken', injected: true, count: 1 },
          { provider: 'apns', status: 200, reason: 'accepted', injected: false, count: 1 },
        ]),
      );
    },
  },
  {
    name: 'throttle: a bucket per device → 429 TooManyRequests with Retry-After, refilled on the mock clock',
    faults: [{ kind: 'throttle', per: 'device', ratePerSecond: 1, burst: 2, retryAfterSeconds: 7 }],
    options: { clock },
    async check(h) {
      const client = await h.client();
      const statuses: (number | undefined)[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await client.request(h.headers(1), payload)).status);
      expect(statuses).toEqual([200, 200, 429]);
      const limited = await client.request(h.headers(1, { 'apns-id': apnsId }), payload);
      expect(limited).toMatchObject({ status: 429, body: '{"reason":"TooManyRequests"}' });
      expect(limited.headers).toMatchObject({ 'content-type': 'application/json', 'retry-after': '7', 'apns-id': apnsId });
      expect(await client.request(h.headers(2), payload)).toMatchObject({ status: 200 });
      clock.advance(1_000);
      expect(await client.request(h.headers(1), payload)).toMatchObject({ status: 200 });
    },
  },
  {
    name: 'outage: 503 ServiceUnavailable, 503 Shutdown, 500 InternalServerError (+ Retry-After when asked)',
    faults: [
      { kind: 'outage', match: { token: '1$' } },
      { kind: 'outage', mode: 'shutdown', match: { token: '2$' } },
      { kind: 'outage', mode: 'internal', match: { token: '3$' }, retryAfterSeconds: 30 },
    ],
    async check(h) {
      const client = await h.client();
      const unavailable = await client.request(h.headers(1), payload);
      expect(unavailable).toMatchObject({ status: 503, body: '{"reason":"ServiceUnavailable"}' });
      expect(unavailable.headers['retry-after']).toBeUndefined();
      expect(await client.request(h.headers(2), payload)).toMatchObject({ status: 503, body: '{"reason":"Shutdown"}' });
      const internal = await client.request(h.headers(3), payload);
      expect(internal).toMatchObject({ status: 500, body: '{"reason":"InternalServerError"}' });
      expect(internal.headers['retry-after']).toBe('30');
      expect(h.mock.ledger.summary().delivered).toBe(0);
    },
  },
  {
    name: 'reset: REFUSED_STREAM before processing — nothing delivered, safe to retry',
    faults: [{ kind: 'reset', match: { token: '1$' } }],
    async check(h) {
      const client = await h.client();
      expect(await client.request(h.headers(1), payload)).toMatchObject({ status: undefined, rstCode: 7, error: 'ERR_HTTP2_STREAM_ERROR' });
      expect(h.mock.stats()).toMatchObject({ accepted: 0, rejected: 0 });
      expect(await client.request(h.headers(2), payload)).toMatchObject({ status: 200 });
      expect(h.mock.ledger.summary().delivered).toBe(1);
    },
  },
  {
    name: 'reset: another code, INTERNAL_ERROR',
    faults: [{ kind: 'reset', code: 'INTERNAL_ERROR' }],
    async check(h) {
      const client = await h.client();
      expect(await client.request(h.headers(1), payload)).toMatchObject({ status: undefined, rstCode: 2 });
    },
  },
  {
    name: 'stall without holdMs: a blackhole until the client gives up',
    faults: [{ kind: 'stall', match: { token: '1$' } }],
    async check(h) {
      const client = await h.client();
      expect(await client.request(h.headers(1), payload, 150)).toMatchObject({ status: undefined, rstCode: 8 }); // the client's own CANCEL
      expect(h.mock.stats().accepted).toBe(0);
      expect(await client.request(h.headers(2), payload)).toMatchObject({ status: 200 });
    },
  },
  {
    name: 'stall with holdMs: held, then processed as usual',
    faults: [{ kind: 'stall', holdMs: 40 }],
    async check(h) {
      const client = await h.client();
      expect(await client.request(h.headers(1), payload)).toMatchObject({ status: 200 });
      expect(h.mock.ledger.summary().delivered).toBe(1);
    },
  },
  {
    name: 'accept-then-fail: accepted (ledger), answered 503; the client retry is a duplicate',
    faults: [{ kind: 'accept-then-fail', firstNPerToken: 1 }],
    async check(h) {
      const client = await h.client();
      const headers = h.headers(1, { 'apns-id': apnsId });
      const first = await client.request(headers, payload);
      expect(first).toMatchObject({ status: 503, body: '{"reason":"ServiceUnavailable"}' });
      expect(first.headers).toMatchObject({ 'apns-id': apnsId, 'content-type': 'application/json' });
      expect(h.mock.stats()).toMatchObject({ accepted: 1 });
      expect(h.mock.ledger.summary()).toMatchObject({ delivered: 1, duplicates: 0 });
      expect(await client.request(headers, payload)).toMatchObject({ status: 200, headers: { 'apns-id': apnsId } });
      expect(h.mock.ledger.summary()).toMatchObject({ delivered: 2, unique: 1, duplicates: 1, tokensWithDuplicates: 1, duplicatesByToken: { [token(1)]: 1 } });
      expect(h.mock.ledger).toBe(h.mock.faults?.ledger);
    },
  },
  {
    name: 'accept-then-fail, then: reset — delivered, and the client sees RST_STREAM INTERNAL_ERROR',
    faults: [{ kind: 'accept-then-fail', then: 'reset' }],
    async check(h) {
      const client = await h.client();
      expect(await client.request(h.headers(1), payload)).toMatchObject({ status: undefined, rstCode: 2 });
      expect(h.mock.ledger.summary().delivered).toBe(1);
    },
  },
  {
    name: 'accept-then-fail: a rejection passes through, nothing delivered',
    faults: [{ kind: 'accept-then-fail' }],
    async check(h) {
      const client = await h.client();
      expect(await client.request(h.headers(1, { ':path': '/3/device/nothex' }), payload)).toMatchObject({ status: 400, body: '{"reason":"BadDeviceToken"}' });
      expect(h.mock.ledger.summary().delivered).toBe(0);
    },
  },
];

describe('stream-level faults injected by the mock APNs', () => {
  it.each(streamRows)('$name', async (row) => {
    await row.check(await startMock({ seed: 1, faults: row.faults }, row.options));
  });
});

const frameRows: Row[] = [
  {
    name: 'goaway, graceful with a JSON reason: this stream is still answered, one GOAWAY naming it',
    faults: [{ kind: 'goaway', reason: 'Shutdown', match: { token: '2$' } }],
    async check(h) {
      const client = await h.client();
      expect(await client.request(h.headers(1), payload)).toMatchObject({ status: 200 });
      expect(await client.request(h.headers(2), payload)).toMatchObject({ status: 200 });
      await until(() => client.session.closed || client.session.destroyed, 'the session to close');
      expect(client.goaways).toEqual([{ code: 0, lastStreamId: 3, debug: '{"reason":"Shutdown"}' }]);
      expect(h.mock.ledger.summary().delivered).toBe(2);
    },
  },
  {
    name: 'goaway, abrupt (INTERNAL_ERROR): the connection is torn down, the stream is not processed',
    faults: [{ kind: 'goaway', code: 'INTERNAL_ERROR', match: { token: '2$' } }],
    async check(h) {
      const client = await h.client();
      expect(await client.request(h.headers(1), payload)).toMatchObject({ status: 200 });
      expect((await client.request(h.headers(2), payload)).status).toBeUndefined();
      await until(() => client.session.destroyed, 'teardown');
      expect(client.goaways[0]).toMatchObject({ code: 2, lastStreamId: 3 });
      expect(h.mock.ledger.summary().delivered).toBe(1);
    },
  },
  {
    name: 'goaway, refuse: last-stream-id below the stream, which gets REFUSED_STREAM',
    faults: [{ kind: 'goaway', refuse: true, match: { token: '2$' } }],
    async check(h) {
      const client = await h.client();
      await client.request(h.headers(1), payload);
      expect(await client.request(h.headers(2), payload)).toMatchObject({ status: undefined, rstCode: 7 });
      await until(() => client.goaways.length > 0, 'GOAWAY');
      expect(client.goaways[0]).toMatchObject({ code: 0, lastStreamId: 1 });
      expect(h.mock.stats().accepted).toBe(1);
    },
  },
  {
    name: 'goaway, idle trigger: GOAWAY {"reason":"IdleTimeout"} after idleMs without a stream',
    faults: [{ kind: 'goaway', trigger: 'idle', idleMs: 80, reason: 'IdleTimeout' }],
    async check(h) {
      const client = await h.client();
      expect(await client.request(h.headers(1), payload)).toMatchObject({ status: 200 });
      await until(() => client.goaways.length > 0, 'GOAWAY');
      expect(client.goaways[0]).toMatchObject({ code: 0, debug: '{"reason":"IdleTimeout"}' });
    },
  },
  {
    name: 'connection refuse: the first TCP connection is reset, the next one is served',
    faults: [{ kind: 'connection', action: 'refuse', match: { connection: [1] } }],
    options: { tls: true },
    async check(h) {
      await expect(openClient(h.mock.url, h.mock.ca)).rejects.toMatchObject({ code: 'ECONNRESET' });
      const client = await h.client();
      expect(await client.request(h.headers(1), payload)).toMatchObject({ status: 200 });
      expect(h.mock.faults?.list()[0]?.injected).toBe(1);
    },
  },
  {
    name: 'connection reset: the connection carrying a selected request gets a TCP RST',
    faults: [{ kind: 'connection', action: 'reset', match: { token: '2$' } }],
    async check(h) {
      const client = await h.client();
      const errors: string[] = [];
      client.session.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
      expect(await client.request(h.headers(1), payload)).toMatchObject({ status: 200 });
      expect((await client.request(h.headers(2), payload)).status).toBeUndefined();
      await until(() => client.session.destroyed, 'the session to be destroyed');
      expect(errors).toContain('ECONNRESET');
      expect(h.mock.ledger.summary().delivered).toBe(1);
    },
  },
  {
    name: 'connection slow-handshake: the TLS handshake waits delayMs, then the connection works',
    faults: [{ kind: 'connection', action: 'slow-handshake', delayMs: 120 }],
    options: { tls: true },
    async check(h) {
      const started = performance.now();
      const client = await h.client();
      expect(ms(started)).toBeGreaterThanOrEqual(115);
      expect(await client.request(h.headers(1), payload)).toMatchObject({ status: 200 });
    },
  },
];

describe('frame- and connection-level faults injected by the mock APNs', () => {
  it.each(frameRows)('$name', async (row) => {
    await row.check(await startMock({ seed: 1, faults: row.faults }, row.options));
  });

  it('streams: SETTINGS_MAX_CONCURRENT_STREAMS down to 1 during its phase — also for a connection authenticated meanwhile — and back', async () => {
    const fake = manualClock(Date.now());
    const h = await startMock(
      { phases: [{ name: 'healthy', durationMs: 1_000 }, { name: 'squeezed', durationMs: 1_000 }, { name: 'restored' }], faults: [{ kind: 'streams', maxConcurrentStreams: 1, phase: 'squeezed' }] },
      { clock: fake },
    );
    const engine = h.mock.faults;
    if (engine === undefined) throw new Error('no engine');
    const client = await h.client();
    const limit = (c: TestClient): number | undefined => c.session.remoteSettings.maxConcurrentStreams;
    expect(await client.request(h.headers(1), payload)).toMatchObject({ status: 200 });
    await until(() => limit(client) === 1000, 'the raised limit after the first valid token');
    fake.advance(1_000);
    engine.tick();
    await until(() => limit(client) === 1, 'SETTINGS with 1');
    // A token-auth connection starts at 1 (§1.9); its first valid token must not lift the fault's hold.
    const late = await h.client();
    expect(await late.request(h.headers(2), payload)).toMatchObject({ status: 200 });
    expect(limit(late)).toBe(1);
    fake.advance(1_000);
    engine.tick();
    await until(() => limit(client) === 1000 && limit(late) === 1000, 'SETTINGS restored on both connections');
  });
});
