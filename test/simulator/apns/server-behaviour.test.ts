/** The mock's behaviour beyond single verdicts: latency, clock, stats, connections, settings, close. */
import { createPublicKey } from 'node:crypto';
import { connect, type ClientHttp2Session } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { generateApnsSigningKey } from '../../../simulator/apns/credentials.js';
import type { MockApnsOptions } from '../../../simulator/apns/options.js';
import { startMockApns, type MockApns } from '../../../simulator/apns/server.js';
import { deviceToken, eventually, openClient, request, signProviderToken, uuidV4Lower, validHeaders } from './helpers.js';

const payload = '{"aps":{}}';
let mock: MockApns | undefined;
const clients: ClientHttp2Session[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await mock?.close();
  mock = undefined;
});

async function start(options: MockApnsOptions = {}): Promise<{ mock: MockApns; client: ClientHttp2Session; jwt: string }> {
  mock = await startMockApns(options);
  const client = openClient(mock);
  clients.push(client);
  return { mock, client, jwt: await signProviderToken(mock.credentials) };
}

const push = (client: ClientHttp2Session, jwt: string, token = deviceToken(1), headers = {}) =>
  request(client, { path: `/3/device/${token}`, headers: validHeaders(jwt, headers), body: payload });

describe('latency injection', () => {
  it('holds each answer for the sampled delay: a later request with no delay overtakes a delayed one', async () => {
    let firstSampled!: () => void;
    const sampledFirst = new Promise<void>((resolve) => (firstSampled = resolve));
    const delays = [400, 0];
    const { client, jwt } = await start({
      latency: () => {
        const delay = delays.shift() ?? 0;
        if (delay > 0) firstSampled();
        return delay;
      },
    });
    const order: string[] = [];
    const slow = push(client, jwt, deviceToken(1), { 'apns-id': '00000000-0000-4000-8000-000000000001' }).then((r) => order.push(`slow ${r.status}`));
    await sampledFirst;
    await push(client, jwt, deviceToken(2)).then((r) => order.push(`fast ${r.status}`));
    await slow;
    expect(order).toEqual(['fast 200', 'slow 200']);
  });

  it('applies a LatencySpec from the seeded sampler, to rejections as well', async () => {
    const { client, jwt, mock } = await start({ latency: { kind: 'fixed', ms: 60 } });
    const started = performance.now();
    // One stream until the provider token is validated (§1.9), then both at once.
    expect((await push(client, jwt)).status).toBe(200);
    const [accepted, rejected] = await Promise.all([push(client, jwt), request(client, { path: '/elsewhere', headers: { 'apns-topic': 'com.example.app' } })]);
    expect(accepted.status).toBe(200);
    expect(rejected.status).toBe(404);
    // A lower bound only: timers never fire early, so this cannot flake on a slow machine.
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(Number.isInteger(mock.seed)).toBe(true);
  });

  it('never answers before the fixed latency, measured from the request, for many requests at once', async () => {
    const { client, jwt } = await start({ latency: { kind: 'fixed', ms: 4 } });
    expect((await push(client, jwt)).status).toBe(200);
    // Batches of concurrent streams: the mock handles several in one loop iteration, the case
    // where a plain setTimeout fired early (its loop clock stale by the work done before it).
    const early: number[] = [];
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const sent = performance.now();
          const answer = await push(client, jwt, deviceToken(i + 2));
          expect(answer.status).toBe(200);
          const waited = performance.now() - sent;
          if (waited < 4) early.push(waited);
        }),
      );
    }
    expect(early).toEqual([]);
  });

  it('reports the seed it was given', async () => {
    const { mock } = await start({ seed: 1234, latency: { kind: 'uniform', minMs: 0, maxMs: 1 } });
    expect(mock.seed).toBe(1234);
  });
});

describe('clock', () => {
  it('rejects a token older than an hour by the injected clock, also once cached', async () => {
    let now = Date.now();
    const { client, jwt } = await start({ clock: { now: () => now } });
    expect((await push(client, jwt)).status).toBe(200);
    now += 61 * 60_000;
    const stale = await push(client, jwt);
    expect({ status: stale.status, body: JSON.parse(stale.body) as unknown }).toEqual({ status: 403, body: { reason: 'ExpiredProviderToken' } });
  });

  it('turns an unexpected exception into 500 InternalServerError and keeps serving', async () => {
    let broken = false;
    const clock = {
      now: (): number => {
        if (broken) throw new Error('clock failure');
        return Date.now();
      },
    };
    const { client, jwt } = await start({ clock });
    expect((await push(client, jwt)).status).toBe(200);
    broken = true;
    const failed = await push(client, jwt);
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body)).toEqual({ reason: 'InternalServerError' });
    expect(failed.headers['content-type']).toBe('application/json');
    expect(failed.headers['apns-id']).toMatch(uuidV4Lower);
    broken = false;
    expect((await push(client, jwt)).status).toBe(200);
  });
});

describe('devices', () => {
  it('unregisters and re-registers tokens while running, stamping with the clock by default', async () => {
    const { client, mock } = await start({ clock: { now: () => 1_700_000_000_000 }, unregistered: [deviceToken(9)] });
    const jwt = await signProviderToken(mock.credentials, { iat: 1_700_000_000 });
    const gone = await push(client, jwt, deviceToken(9));
    expect(JSON.parse(gone.body)).toEqual({ reason: 'Unregistered', timestamp: 1_700_000_000_000 });
    mock.devices.reregister(deviceToken(9));
    expect((await push(client, jwt, deviceToken(9))).status).toBe(200);
    mock.devices.unregister(deviceToken(3), 42);
    const later = await push(client, jwt, deviceToken(3));
    expect({ status: later.status, body: JSON.parse(later.body) as unknown }).toEqual({ status: 410, body: { reason: 'Unregistered', timestamp: 42 } });
  });
});

describe('sandbox', () => {
  it('adds apns-unique-id to successful responses only', async () => {
    const { client, jwt } = await start({ sandbox: true });
    const ok = await push(client, jwt);
    expect(ok.headers['apns-unique-id']).toMatch(uuidV4Lower);
    expect(ok.headers['apns-unique-id']).not.toBe(ok.headers['apns-id']);
    const rejected = await push(client, jwt, 'bad');
    expect(rejected.headers['apns-unique-id']).toBeUndefined();
  });
});

describe('keys', () => {
  it('signs with the first .p8 given, and trusts public-key-only entries plus a generated key', async () => {
    const p8 = generateApnsSigningKey();
    const publicOnly = generateApnsSigningKey();
    const publicPem = createPublicKey(publicOnly.privateKey).export({ type: 'spki', format: 'pem' }).toString();

    const withP8 = await startMockApns({ keys: [{ keyId: publicOnly.keyId, teamId: publicOnly.teamId, key: publicPem }, { ...p8, key: p8.privateKey }] });
    expect(withP8.credentials).toEqual(p8);
    await withP8.close();

    const { client, mock } = await start({ keys: [{ keyId: publicOnly.keyId, teamId: publicOnly.teamId, key: publicPem }] });
    expect(mock.credentials.keyId).not.toBe(publicOnly.keyId);
    expect((await push(client, await signProviderToken(publicOnly))).status).toBe(200);
    // Another team: a connection of its own (one team per connection, §1.9).
    const second = openClient(mock);
    clients.push(second);
    expect((await push(second, await signProviderToken(mock.credentials))).status).toBe(200);
  });
});

describe('connections and settings', () => {
  it.each([false, true])('advertises 1 stream until the first valid provider token, then maxConcurrentStreams (tls: %s)', async (tls) => {
    const { client, jwt } = await start({ tls, maxConcurrentStreams: 37 });
    await new Promise((resolve) => (client.remoteSettings.maxConcurrentStreams === 1 ? resolve(undefined) : client.once('remoteSettings', resolve)));
    expect(client.remoteSettings.maxConcurrentStreams).toBe(1);
    // A rejected token does not raise the limit.
    expect((await push(client, 'not.a.jwt')).status).toBe(403);
    expect(client.remoteSettings.maxConcurrentStreams).toBe(1);
    expect((await push(client, jwt)).status).toBe(200);
    const settings = await new Promise<{ maxConcurrentStreams?: number }>((resolve) => {
      if (client.remoteSettings.maxConcurrentStreams === 37) resolve(client.remoteSettings);
      else client.once('remoteSettings', resolve);
    });
    expect(settings.maxConcurrentStreams).toBe(37);
  });

  it('defaults to 1000 concurrent streams after auth; initialStreams sets the limit before it', async () => {
    const { client, jwt } = await start();
    await push(client, jwt);
    await eventually(() => client.remoteSettings.maxConcurrentStreams === 1000, 'SETTINGS with 1000 streams');
    const { client: other } = await start({ initialStreams: 50, maxConcurrentStreams: 60 });
    // The SETTINGS frame may arrive before a listener could be attached: poll the received value.
    await eventually(() => other.remoteSettings.maxConcurrentStreams === 50, 'SETTINGS with 50 streams');
  });

  it('counts open connections', async () => {
    const { client, jwt, mock } = await start();
    await push(client, jwt);
    const second = openClient(mock);
    clients.push(second);
    await push(second, jwt);
    expect(mock.stats().connections).toBe(2);
    second.close();
    await eventually(() => mock.stats().connections === 1, 'one connection left');
  });

  it('serves many concurrent streams on one connection once the token is validated', async () => {
    const { client, jwt, mock } = await start();
    expect((await push(client, jwt)).status).toBe(200);
    await eventually(() => client.remoteSettings.maxConcurrentStreams === 1000, 'the raised stream limit');
    const responses = await Promise.all(Array.from({ length: 300 }, (_, i) => push(client, jwt, deviceToken(i))));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(mock.stats()).toMatchObject({ requests: 301, accepted: 301, rejected: 0 });
  });
});

describe('close', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    let sampled!: () => void;
    const inFlight = new Promise<void>((resolve) => (sampled = resolve));
    const { client, jwt, mock } = await start({
      latency: () => {
        sampled();
        return 150;
      },
    });
    const pending = push(client, jwt);
    await inFlight;
    const closed = mock.close();
    expect((await pending).status).toBe(200);
    await closed;
    const refused = await new Promise<string>((resolve) => {
      const late = connect(mock.url);
      late.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      late.on('connect', () => {
        late.destroy();
        resolve('connected');
      });
    });
    expect(refused).toBe('ECONNREFUSED');
    await expect(mock.close()).resolves.toBeUndefined();
  });
});
