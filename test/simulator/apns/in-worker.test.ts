/**
 * The mock in a worker thread. Tests run from .ts sources, so the worker is started through a
 * shim (fixtures/ts-worker.mjs) that installs a TypeScript loader and then runs the real worker.ts.
 */
import { connect } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { canStartMockApnsInWorker, startMockApnsInWorker, type MockApnsInWorker } from '../../../simulator/apns/in-worker.js';
import type { MockApnsWorkerOptions } from '../../../simulator/apns/worker-protocol.js';
import { deviceToken, openClient, request, signProviderToken, validHeaders } from './helpers.js';

const workerUrl = new URL('../fixtures/ts-worker.mjs', import.meta.url);
let mock: MockApnsInWorker | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

describe('startMockApnsInWorker', () => {
  it('runs the mock in a worker: requests are answered and stats cross back', async () => {
    mock = await startMockApnsInWorker({ unregistered: { [deviceToken(2)]: 5 } }, { workerUrl });
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = openClient(mock);
    try {
      const jwt = await signProviderToken(mock.credentials);
      const ok = await request(client, { path: `/3/device/${deviceToken(1)}`, headers: validHeaders(jwt), body: '{}' });
      const gone = await request(client, { path: `/3/device/${deviceToken(2)}`, headers: validHeaders(jwt), body: '{}' });
      expect(ok.status).toBe(200);
      expect(JSON.parse(gone.body)).toEqual({ reason: 'Unregistered', timestamp: 5 });
      expect(await mock.stats()).toEqual({ requests: 2, accepted: 1, rejected: 1, byReason: { Unregistered: 1 }, connections: 1 });
    } finally {
      client.close();
    }
  });

  it('serves TLS from the worker too', async () => {
    mock = await startMockApnsInWorker({ tls: true, seed: 3 }, { workerUrl });
    expect(mock.url).toMatch(/^https:\/\//);
    expect(mock.seed).toBe(3);
    const client = openClient(mock);
    try {
      const jwt = await signProviderToken(mock.credentials);
      expect((await request(client, { path: `/3/device/${deviceToken(1)}`, headers: validHeaders(jwt), body: '{}' })).status).toBe(200);
    } finally {
      client.close();
    }
  });

  it('hands back the client certificate and environment of an mtls sandbox mock', async () => {
    mock = await startMockApnsInWorker({ mtls: true, sandbox: true, bundleId: 'com.example.worker' }, { workerUrl });
    expect(mock.environment).toBe('sandbox');
    expect(mock.clientCertificate).toMatchObject({ bundleId: 'com.example.worker', cert: expect.stringMatching(/BEGIN CERTIFICATE/) });
    const client = connect(mock.url, { ca: mock.ca, cert: mock.clientCertificate?.cert, key: mock.clientCertificate?.key });
    client.on('error', () => {});
    try {
      expect((await request(client, { path: `/3/device/${deviceToken(1)}`, body: '{}' })).status).toBe(200);
    } finally {
      client.close();
    }
  });

  it("reports the worker thread's own event-loop delay and GC pauses, on the caller's seconds", async () => {
    mock = await startMockApnsInWorker({}, { workerUrl });
    // Second 0 of the caller's clock was 1.5 s ago: what the worker measures from now lands in second 1 and later.
    await mock.measurePauses(performance.timeOrigin + performance.now() - 1_500);
    const client = openClient(mock);
    try {
      const jwt = await signProviderToken(mock.credentials);
      for (let i = 0; i < 50; i++) await request(client, { path: `/3/device/${deviceToken(1)}`, headers: validHeaders(jwt), body: '{}' });
    } finally {
      client.close();
    }
    // Past the next second boundary, so the worker has read its histogram at least once.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const { summary, seconds } = await mock.pauses();
    expect(summary.eventLoopDelayMs.max).toBeGreaterThanOrEqual(summary.eventLoopDelayMs.p99);
    expect(summary.gc.count).toBeGreaterThanOrEqual(0);
    // Seconds 0 and 1 were before the worker started measuring, or partly: every second has a number.
    expect(seconds.delayMaxMs.length).toBeGreaterThanOrEqual(2);
    expect(seconds.delayMaxMs.every((v) => typeof v === 'number' && v >= 0)).toBe(true);
    expect(seconds.delayMaxMs[0]).toBe(0);
  });

  it('refuses an onPush handler, which cannot cross into a worker', async () => {
    const withHandler = { onPush: () => undefined } as unknown as MockApnsWorkerOptions;
    await expect(startMockApnsInWorker(withHandler, { workerUrl })).rejects.toThrow(/onPush.*cannot cross into a worker/);
  });

  it('ends the worker on close; stats afterwards reject', async () => {
    const running = await startMockApnsInWorker({}, { workerUrl });
    await running.close();
    await expect(running.stats()).rejects.toMatchObject({ code: 'PUSHSIM_ERR_CLOSED' });
    await expect(running.close()).resolves.toBeUndefined();
  });

  it('passes a bad option back as InvalidArgumentError', async () => {
    await expect(startMockApnsInWorker({ port: -5 }, { workerUrl })).rejects.toMatchObject({
      name: 'InvalidArgumentError',
      code: 'PUSHSIM_ERR_INVALID_ARGUMENT',
      message: expect.stringMatching(/^port must be an integer/),
    });
  });

  it('refuses options that cannot cross a thread boundary', async () => {
    const withClock = { clock: { now: () => 0 } } as unknown as MockApnsWorkerOptions;
    await expect(startMockApnsInWorker(withClock, { workerUrl })).rejects.toThrow(/cannot cross into a worker/);
    const withSampler = { latency: () => 1 } as unknown as MockApnsWorkerOptions;
    await expect(startMockApnsInWorker(withSampler, { workerUrl })).rejects.toThrow(/cannot cross into a worker/);
  });

  it('says clearly when the worker script does not exist (running from .ts sources), so callers can fall back', async () => {
    const missing = new URL('./no-such-worker.js', import.meta.url);
    expect(canStartMockApnsInWorker(missing)).toBe(false);
    expect(canStartMockApnsInWorker(workerUrl)).toBe(true);
    await expect(startMockApnsInWorker({}, { workerUrl: missing })).rejects.toThrow(/does not exist \(running from \.ts sources\?\).*use startMockApns in-process/);
  });
});
