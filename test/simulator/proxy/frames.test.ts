/**
 * Frame- and connection-level fault kinds over real sockets (client → fault proxy → APNs mock),
 * showing what the client observes: GOAWAY frames (code, last-stream-id, debug data), SETTINGS
 * changes, resets and connection failures.
 */
import { connect } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultEngine } from '../../../simulator/faults/engine.js';
import type { ApnsStack } from './helpers.js';
import { manualClock, openClient, payload, startApnsStack } from './helpers.js';

let stack: ApnsStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const until = async (condition: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
};

describe('goaway', () => {
  it('graceful on a request, with APNs JSON debug data: the stream is still answered', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'goaway', reason: 'Shutdown', match: { token: '2$' } }] });
    const client = await stack.client();
    expect(await client.request(stack.headers(1), payload)).toMatchObject({ status: 200 });
    expect(await client.request(stack.headers(2), payload)).toMatchObject({ status: 200 });
    await until(() => client.session.closed || client.session.destroyed, 'the session to close');
    // One GOAWAY, as APNs sends it: the last stream processed and the JSON reason, nothing after it.
    expect(client.goaways).toEqual([{ code: 0, lastStreamId: 3, debug: '{"reason":"Shutdown"}' }]);
  });

  it('refuse: last-stream-id below the stream, which is not processed', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'goaway', refuse: true, match: { token: '2$' } }] });
    const client = await stack.client();
    await client.request(stack.headers(1), payload);
    const refused = await client.request(stack.headers(2), payload);
    expect(refused.status).toBeUndefined();
    expect(refused.rstCode).toBe(7); // REFUSED_STREAM: safe to retry (RFC 9113 §8.7)
    await until(() => client.goaways.length > 0, 'GOAWAY');
    expect(client.goaways[0]).toMatchObject({ code: 0, lastStreamId: 1 });
    expect(stack.mock.stats().requests).toBe(1);
  });

  it('abrupt: a non-zero code tears the connection down', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'goaway', code: 'INTERNAL_ERROR' }] });
    const client = await stack.client();
    const cut = await client.request(stack.headers(1), payload);
    expect(cut.status).toBeUndefined();
    await until(() => client.goaways.length > 0 && client.session.destroyed, 'GOAWAY and teardown');
    expect(client.goaways[0]).toMatchObject({ code: 2, lastStreamId: 1 });
  });

  it('too many PINGs: GOAWAY ENHANCE_YOUR_CALM with debug data too_many_pings (FCM, protocols.md §2.7)', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'goaway', trigger: 'pings', maxPings: 2, windowMs: 60_000 }] });
    const client = await stack.client();
    for (let i = 0; i < 3; i++) client.session.ping(() => {});
    await until(() => client.goaways.length > 0, 'GOAWAY');
    expect(client.goaways[0]).toMatchObject({ code: 11, debug: 'too_many_pings' });
  });

  it('idle: GOAWAY after idleMs without an open stream', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'goaway', trigger: 'idle', idleMs: 80, reason: 'IdleTimeout' }] });
    const client = await stack.client();
    expect(await client.request(stack.headers(1), payload)).toMatchObject({ status: 200 });
    await until(() => client.session.closed || client.session.destroyed, 'the session to close');
    expect(client.goaways).toEqual([{ code: 0, lastStreamId: 1, debug: '{"reason":"IdleTimeout"}' }]);
  });

  it('max-age: GOAWAY once the connection is maxAgeMs old', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'goaway', trigger: 'max-age', maxAgeMs: 80 }] });
    const client = await stack.client();
    await until(() => client.goaways.length > 0, 'GOAWAY');
    expect(client.goaways[0]).toMatchObject({ code: 0, debug: '' });
  });
});

describe('streams', () => {
  it('drops SETTINGS_MAX_CONCURRENT_STREAMS to 1 on live connections during its window, then restores it', async () => {
    const clock = manualClock();
    const engine = new FaultEngine({
      clock,
      tickMs: 0,
      spec: { phases: [{ name: 'healthy', durationMs: 1_000 }, { name: 'squeezed', durationMs: 1_000 }, { name: 'after' + 'wards' }], faults: [{ kind: 'streams', maxConcurrentStreams: 1, phase: 'squeezed' }] },
    });
    stack = await startApnsStack(engine);
    const client = await stack.client();
    const limit = (): number | undefined => client.session.remoteSettings.maxConcurrentStreams;
    await until(() => limit() === 1000, 'the initial SETTINGS');
    clock.advance(1_000);
    engine.tick();
    await until(() => limit() === 1, 'SETTINGS with 1');
    // New connections during the window get the lowered limit too.
    const late = await stack.client();
    await until(() => late.session.remoteSettings.maxConcurrentStreams === 1, 'SETTINGS with 1 on a new connection');
    expect(await client.request(stack.headers(1), payload)).toMatchObject({ status: 200 });
    clock.advance(1_000);
    engine.tick();
    await until(() => limit() === 1000, 'SETTINGS restored');
  });
});

describe('connection', () => {
  it('refuse: new connections are reset before TLS', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'connection', action: 'refuse' }] });
    await expect(openClient(stack.proxy.url, stack.proxy.ca)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(stack.engine.list()[0]?.injected).toBe(1);
  });

  it('reset: the connection carrying a selected request gets a TCP reset', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'connection', action: 'reset', match: { token: '2$' } }] });
    const client = await stack.client();
    const errors: string[] = [];
    client.session.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
    expect(await client.request(stack.headers(1), payload)).toMatchObject({ status: 200 });
    const cut = await client.request(stack.headers(2), payload);
    expect(cut.status).toBeUndefined();
    await until(() => client.session.destroyed, 'the session to be destroyed');
    expect(errors).toContain('ECONNRESET');
  });

  it('slow-handshake: the TLS handshake waits delayMs, then the connection works', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'connection', action: 'slow-handshake', delayMs: 120 }] });
    const started = performance.now();
    const client = await stack.client();
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect(await client.request(stack.headers(1), payload)).toMatchObject({ status: 200 });
  });

  it('slow-handshake works for h2c too (the preface waits)', async () => {
    stack = await startApnsStack({ faults: [{ kind: 'connection', action: 'slow-handshake', delayMs: 50 }] }, false);
    const session = connect(stack.proxy.url);
    session.on('error', () => {});
    const settled = await new Promise<string>((resolve) => {
      session.once('remoteSettings', () => resolve('settings'));
      session.once('close', () => resolve('closed'));
    });
    expect(settled).toBe('settings');
    session.destroy();
  });
});
