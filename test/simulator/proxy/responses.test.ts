/**
 * Stream-level fault kinds over real sockets: client (node:http2) → fault proxy (TLS) → APNs mock
 * (TLS). Each test shows exactly what the client receives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ApnsStack } from './helpers.js';
import { payload, startApnsStack } from './helpers.js';

let stack: ApnsStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const apnsId = 'a1b2c3d4-0000-4000-8000-000000000001';

describe('error / outage / throttle answer like APNs (protocols.md §1.5)', () => {
  it('error: the given reason, its status, content-type application/json and the apns-id', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'error', apns: 'BadDeviceToken', match: { token: '1$' } }] });
    const client = await stack.client();
    const hit = await client.request(stack.headers(1, { 'apns-id': apnsId }), payload);
    expect(hit).toMatchObject({ status: 400, body: '{"reason":"BadDeviceToken"}', rstCode: 0 });
    expect(hit.headers).toMatchObject({ 'content-type': 'application/json', 'apns-id': apnsId });
    expect(hit.headers['retry-after']).toBeUndefined();
    expect(await client.request(stack.headers(2), payload)).toMatchObject({ status: 200 });
    // The injected request never reached the provider.
    expect(stack.mock.stats()).toMatchObject({ requests: 1, accepted: 1 });
  });

  it('outage: 503 ServiceUnavailable, 503 Shutdown, 500 InternalServerError', async () => {
    stack = await startApnsStack({
      faults: [
        { kind: 'outage', match: { token: '1$' } },
        { kind: 'outage', mode: 'shutdown', match: { token: '2$' } },
        { kind: 'outage', mode: 'internal', match: { token: '3$' }, retryAfterSeconds: 30 },
      ],
    });
    const client = await stack.client();
    expect(await client.request(stack.headers(1), payload)).toMatchObject({ status: 503, body: '{"reason":"ServiceUnavailable"}' });
    expect(await client.request(stack.headers(2), payload)).toMatchObject({ status: 503, body: '{"reason":"Shutdown"}' });
    const internal = await client.request(stack.headers(3), payload);
    expect(internal).toMatchObject({ status: 500, body: '{"reason":"InternalServerError"}' });
    expect(internal.headers['retry-after']).toBe('30');
  });

  it('throttle: a bucket per device answers 429 TooManyRequests once empty, other devices pass', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'throttle', per: 'device', ratePerSecond: 0, burst: 2 }] });
    const client = await stack.client();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await client.request(stack.headers(1), payload)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await client.request(stack.headers(1), payload);
    expect(limited).toMatchObject({ status: 429, body: '{"reason":"TooManyRequests"}' });
    expect(limited.headers['content-type']).toBe('application/json');
    expect(await client.request(stack.headers(2), payload)).toMatchObject({ status: 200 });
  });
});

describe('latency and stall', () => {
  it('latency: the answer passes through after the sampled delay', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'latency', distribution: { kind: 'fixed', ms: 60 } }] });
    const client = await stack.client();
    const started = performance.now();
    expect(await client.request(stack.headers(1), payload)).toMatchObject({ status: 200 });
    // A lower bound only: a timer never fires early (never a speed assertion).
    expect(performance.now() - started).toBeGreaterThanOrEqual(58);
    expect(stack.engine.list()[0]).toMatchObject({ kind: 'latency', injected: 1 });
  });

  it('stall without holdMs is a blackhole: nothing is forwarded or answered until the client gives up', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'stall', match: { token: '1$' } }] });
    const client = await stack.client();
    const held = await client.request(stack.headers(1), payload, 150);
    expect(held).toMatchObject({ status: undefined, rstCode: 8 }); // the client's own CANCEL
    expect(stack.mock.stats().requests).toBe(0);
    expect(await client.request(stack.headers(2), payload)).toMatchObject({ status: 200 });
  });

  it('stall with holdMs holds the request, then lets it through', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'stall', holdMs: 40 }] });
    const client = await stack.client();
    expect(await client.request(stack.headers(1), payload)).toMatchObject({ status: 200 });
    expect(stack.mock.stats()).toMatchObject({ requests: 1, accepted: 1 });
  });
});

describe('reset', () => {
  it('REFUSED_STREAM before processing: the provider never sees the request', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'reset', match: { token: '1$' } }] });
    const client = await stack.client();
    const refused = await client.request(stack.headers(1), payload);
    expect(refused).toMatchObject({ status: undefined, rstCode: 7, error: 'ERR_HTTP2_STREAM_ERROR' });
    expect(stack.mock.stats().requests).toBe(0);
  });

  it('another code, e.g. INTERNAL_ERROR', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'reset', code: 'INTERNAL_ERROR' }] });
    const client = await stack.client();
    expect(await client.request(stack.headers(1), payload)).toMatchObject({ status: undefined, rstCode: 2 });
  });
});

describe('accept-then-fail', () => {
  it('the provider accepts, the client gets 503, and its retry is a duplicate the ledger counts', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'accept-then-fail', firstNPerToken: 1 }] });
    const client = await stack.client();
    const headers = stack.headers(1, { 'apns-id': apnsId });
    const first = await client.request(headers, payload);
    expect(first).toMatchObject({ status: 503, body: '{"reason":"ServiceUnavailable"}' });
    expect(first.headers['apns-id']).toBe(apnsId);
    expect(stack.mock.stats()).toMatchObject({ accepted: 1 });
    expect(stack.proxy.ledger?.summary()).toMatchObject({ delivered: 1, duplicates: 0 });
    // The client retries what it was told failed.
    expect(await client.request(headers, payload)).toMatchObject({ status: 200 });
    expect(stack.mock.stats()).toMatchObject({ accepted: 2 });
    expect(stack.proxy.ledger?.summary()).toMatchObject({ delivered: 2, unique: 1, duplicates: 1, tokensWithDuplicates: 1, duplicatesByToken: { [`${'0'.repeat(63)}1`]: 1 } });
    expect(stack.proxy.ledger?.records().map((r) => [r.attempt, r.duplicateOf])).toEqual([[1, 0], [2, 1]]);
  });

  it('then: reset — the stream is reset after the provider accepted', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'accept-then-fail', then: 'reset' }] });
    const client = await stack.client();
    expect(await client.request(stack.headers(1), payload)).toMatchObject({ status: undefined, rstCode: 2 });
    expect(stack.proxy.ledger?.summary().delivered).toBe(1);
  });

  it('a rejection passes through: nothing was delivered', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'accept-then-fail' }] });
    const client = await stack.client();
    expect(await client.request(stack.headers(1, { ':path': '/3/device/nothex' }), payload)).toMatchObject({ status: 400, body: '{"reason":"BadDeviceToken"}' });
    expect(stack.proxy.ledger?.summary().delivered).toBe(0);
  });
});
