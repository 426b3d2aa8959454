/**
 * What the proxy leaves alone (byte-for-byte), what it does the same way twice (determinism), and
 * how its ledger follows the timeline — plus FCM and Web Push answers in front of a raw h2 origin.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FaultEngine } from '../../../simulator/faults/engine.js';
import type { FaultsDocument } from '../../../simulator/faults/spec.js';
import { startFaultProxy } from '../../../simulator/proxy/proxy.js';
import { startH2Server } from '../../helpers/h2-server.js';
import type { ApnsStack, Observed } from './helpers.js';
import { manualClock, openClient, payload, startApnsStack, token } from './helpers.js';

let stack: ApnsStack | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  for (const close of closers.splice(0)) await close();
});

const comparable = (o: Observed): unknown => {
  const { date: _date, ...headers } = o.headers;
  return { status: o.status, headers: { ...headers }, body: o.body, dataChunks: o.dataChunks, rstCode: o.rstCode };
};

describe('pass-through', () => {
  it('answers unaffected streams exactly as the provider does: status, headers, body, framing', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'outage', match: { token: '^f+$' } }] });
    const viaProxy = await stack.client();
    const direct = await openClient(stack.mock.url, stack.mock.ca);
    closers.push(() => direct.close());
    const cases = [
      stack.headers(1, { 'apns-id': '0a0b0c0d-0000-4000-8000-000000000001' }),
      stack.headers(2, { 'apns-id': '0a0b0c0d-0000-4000-8000-000000000002', ':path': '/3/device/not-a-token' }),
      stack.headers(3, { 'apns-id': '0a0b0c0d-0000-4000-8000-000000000003', authorization: 'bearer nonsense' }),
      stack.headers(4, { 'apns-id': '0a0b0c0d-0000-4000-8000-000000000004', ':method': 'GET' }),
    ];
    for (const headers of cases) {
      const body = headers[':method'] === 'GET' ? undefined : payload;
      expect(comparable(await viaProxy.request(headers, body))).toEqual(comparable(await direct.request(headers, body)));
    }
    // The 200 is a single HEADERS frame with END_STREAM, as APNs sends it (protocols.md §1.5).
    expect((await viaProxy.request(stack.headers(5), payload)).dataChunks).toBe(0);
  });

  it('works without TLS towards the client (h2c) too', async () => {
    stack = await startApnsStack({}, false);
    expect(stack.proxy.url.startsWith('http://')).toBe(true);
    expect(stack.proxy.ca).toBeUndefined();
    const client = await stack.client();
    expect(await client.request(stack.headers(1), payload)).toMatchObject({ status: 200 });
  });
});

describe('upstream failures', () => {
  it('an unreachable upstream: the client gets REFUSED_STREAM (never processed, safe to retry)', async () => {
    const gone = await startH2Server(() => {});
    await gone.close();
    const proxy = await startFaultProxy({ upstream: gone.url, tls: false });
    closers.push(() => proxy.close());
    const client = await openClient(proxy.url);
    closers.push(() => client.close());
    expect(await client.request({ ':path': `/3/device/${token(1)}` }, payload)).toMatchObject({ status: undefined, rstCode: 7 });
  });

  it('an upstream reset is mirrored to the client', async () => {
    const resetting = await startH2Server((stream) => stream.close(0x8));
    closers.push(() => resetting.close());
    const proxy = await startFaultProxy({ upstream: resetting.url, tls: false });
    closers.push(() => proxy.close());
    const client = await openClient(proxy.url);
    closers.push(() => client.close());
    expect(await client.request({ ':path': `/3/device/${token(1)}` }, payload)).toMatchObject({ status: undefined, rstCode: 8 });
  });

  it('rejects a bad upstream at construction', async () => {
    await expect(startFaultProxy({ upstream: 'ftp://example' })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    await expect(startFaultProxy({ upstream: 'https://example.com/3/device' })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    await expect(startFaultProxy({ upstream: 'not a url' })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
  });
});

describe('determinism over real sockets', () => {
  const spec: FaultsDocument = {
    seed: 1234,
    faults: [
      { kind: 'error', apns: 'InternalServerError', probability: 0.25 },
      { kind: 'reset', probability: 0.1 },
    ],
  };
  const run = async (): Promise<string[]> => {
    const s = await startApnsStack(spec);
    closers.push(() => s.close());
    const client = await s.client();
    const seen: string[] = [];
    for (let n = 0; n < 60; n++) {
      const o = await client.request(s.headers(n), payload);
      seen.push(`${n}:${o.status ?? `rst${o.rstCode}`}`);
    }
    return seen;
  };

  it('injects the same faults on the same notifications in two runs with the same seed', async () => {
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first.some((s) => s.endsWith(':500'))).toBe(true);
    expect(first.some((s) => s.endsWith(':rst7'))).toBe(true);
    expect(first.some((s) => s.endsWith(':200'))).toBe(true);
  });
});

describe('timeline on fake time, through the proxy', () => {
  it('healthy → 503 for a phase → recovery, and the ledger attributes deliveries to phases', async () => {
    const clock = manualClock();
    const engine = new FaultEngine({
      clock,
      tickMs: 0,
      spec: { phases: [{ name: 'healthy', durationMs: 60_000 }, { name: 'down', durationMs: 30_000 }, { name: 'recovering' }], faults: [{ kind: 'outage', phase: 'down' }] },
    });
    stack = await startApnsStack(engine);
    const client = await stack.client();
    const burst = async (from: number): Promise<(number | undefined)[]> => {
      const statuses = [];
      for (let n = from; n < from + 3; n++) statuses.push((await client.request(stack!.headers(n), payload)).status);
      return statuses;
    };
    expect(await burst(0)).toEqual([200, 200, 200]);
    clock.advance(60_000);
    expect(await burst(10)).toEqual([503, 503, 503]);
    clock.advance(30_000);
    expect(await burst(20)).toEqual([200, 200, 200]);
    expect(stack.proxy.ledger?.summary()).toMatchObject({
      delivered: 6,
      duplicates: 0,
      byPhase: { healthy: { delivered: 3, duplicates: 0 }, recovering: { delivered: 3, duplicates: 0 } },
    });
    expect(stack.proxy.ledger?.summary().byPhase['down']).toBeUndefined();
  });
});

describe('FCM and Web Push answers (in front of a raw node:http2 origin)', () => {
  const origin = async (): Promise<string> => {
    const server = await startH2Server((stream, headers) => {
      if (String(headers[':path']).startsWith('/v1/')) {
        stream.respond({ ':status': 200, 'content-type': 'application/json; charset=UTF-8' });
        stream.end(JSON.stringify({ name: 'projects/demo/messages/0:1' }));
      } else stream.respond({ ':status': 201, location: 'https://push.example/m/1' }, { endStream: true });
    });
    closers.push(() => server.close());
    return server.url;
  };
  const fcm = (t: string) => ({ ':path': '/v1/projects/demo/messages:send', 'content-type': 'application/json', authorization: 'Bearer ya29.secret' , body: JSON.stringify({ message: { token: t, notification: { title: 'hi' } } }) });

  it('FCM: a google.rpc.Status body with the FcmError detail; 429 QUOTA_EXCEEDED with Retry-After; deliveries by message name', async () => {
    const proxy = await startFaultProxy({
      upstream: await origin(),
      tls: false,
      faults: { faults: [{ kind: 'error', fcm: 'UNREGISTERED', match: { token: '^dead' } }, { kind: 'throttle', per: 'project', ratePerSecond: 0, burst: 1, match: { provider: 'fcm' } }] },
    });
    closers.push(() => proxy.close());
    const client = await openClient(proxy.url);
    closers.push(() => client.close());
    const { body: deadBody, ...dead } = fcm('dead-token');
    const unregistered = await client.request(dead, deadBody);
    expect(unregistered.status).toBe(404);
    expect(unregistered.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(JSON.parse(unregistered.body)).toEqual({
      error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }] },
    });
    const { body: liveBody, ...live } = fcm('live-token');
    expect(await client.request(live, liveBody)).toMatchObject({ status: 200, body: '{"name":"projects/demo/messages/0:1"}' });
    const limited = await client.request(live, liveBody);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(JSON.parse(limited.body).error).toMatchObject({ status: 'RESOURCE_EXHAUSTED', details: [{ errorCode: 'QUOTA_EXCEEDED' }] });
    expect(proxy.ledger?.records()).toMatchObject([{ provider: 'fcm', token: 'live-token', deliveryId: 'projects/demo/messages/0:1' }]);
  });

  it('Web Push: the bare status with Retry-After on 429; 201 + Location passes through', async () => {
    const proxy = await startFaultProxy({ upstream: await origin(), tls: false, faults: { faults: [{ kind: 'throttle', per: 'device', ratePerSecond: 0.5, burst: 1, match: { provider: 'webpush' } }] } });
    closers.push(() => proxy.close());
    const client = await openClient(proxy.url);
    closers.push(() => client.close());
    const headers = { ':path': `/wpush/v2/${token(9)}`, ttl: '60', 'content-encoding': 'aes128gcm', urgency: 'high' };
    expect(await client.request(headers, 'x')).toMatchObject({ status: 201, headers: { location: 'https://push.example/m/1' } });
    const limited = await client.request(headers, 'x');
    expect(limited).toMatchObject({ status: 429, headers: { 'retry-after': '2' } });
  });
});
