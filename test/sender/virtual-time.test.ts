/**
 * The sender's policies on a VirtualScheduler: retry backoff, Retry-After, deadlines and the
 * circuit breaker's open time all wait on the injected scheduler, so seconds of backoff and
 * outages pass instantly and the same run gives the same times every time.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../core/scheduler.js';
import { ApnsSender } from '../../sender/apns-sender.js';
import type { BreakerState } from '../../sender/interceptors/circuit-breaker.js';
import type { DispatchContext, Transport, TransportRequest, TransportResult } from '../../sender/transport.js';

const p8 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ok = (): TransportResult => ({ ok: true, status: 200, headers: { 'apns-id': 'x' }, body: Buffer.alloc(0) });
const unavailable = (headers: Record<string, string> = {}): TransportResult => ({ ok: true, status: 503, headers, body: Buffer.from('{"reason":"ServiceUnavailable"}') });

/** Answers after `latencyMs` of virtual time, with whatever `answer` says at that instant; logs when each request arrived. */
function virtualTransport(scheduler: VirtualScheduler, latencyMs: number, answer: (now: number) => TransportResult): Transport & { arrivals: number[] } {
  const arrivals: number[] = [];
  return {
    origin: 'http://virtual',
    arrivals,
    dispatch: (_request: TransportRequest, context: DispatchContext) => {
      context.attempts++;
      arrivals.push(scheduler.monotonic());
      return scheduler.sleep(latencyMs).then(() => answer(scheduler.monotonic()));
    },
    stats: () => ({ connected: 1, running: 0, queued: 0, capacity: 100 }),
    close: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
}

const notification = { token: 'ab', topic: 'com.example', payload: {} };

describe('sender policies on virtual time', () => {
  it('waits the Retry-After of a 503 on the scheduler, not on the wall clock', async () => {
    const scheduler = new VirtualScheduler({ epochMs: Date.UTC(2026, 0, 1) });
    const transport = virtualTransport(scheduler, 10, (now) => (now < 100 ? unavailable({ 'retry-after': '30' }) : ok()));
    const sender = await ApnsSender.create({ url: 'http://unused', credentials: { keyId: 'K', teamId: 'T', privateKey: p8 }, transport, scheduler, policies: { circuitBreaker: false } });
    const outcome = sender.send(notification);
    const wallStart = Date.now();
    await scheduler.run();
    expect(await outcome).toMatchObject({ status: 'accepted', attempts: 2 });
    // First attempt at 0, answered at 10; the retry waits 30 s of virtual time.
    expect(transport.arrivals).toEqual([0, 30_010]);
    expect(Date.now() - wallStart).toBeLessThan(60_000);
  });

  it('backs off exponentially with the injected jitter on virtual time, and gives up at maxAttempts', async () => {
    const scheduler = new VirtualScheduler();
    const transport = virtualTransport(scheduler, 5, () => unavailable());
    const sender = await ApnsSender.create({
      url: 'http://unused',
      credentials: { keyId: 'K', teamId: 'T', privateKey: p8 },
      transport,
      scheduler,
      policies: { retry: { maxAttempts: 4, baseDelayMs: 1000, random: () => 0.5 }, circuitBreaker: false },
    });
    const outcome = sender.send(notification);
    await scheduler.run();
    expect(await outcome).toMatchObject({ status: 'rejected', attempts: 4 });
    // Delays 500, 1000, 2000 (half of 1000·2^n), each after a 5 ms answer.
    expect(transport.arrivals).toEqual([0, 505, 1510, 3515]);
  });

  it('keeps the circuit open for openMs of virtual time, then probes', async () => {
    const scheduler = new VirtualScheduler();
    const transport = virtualTransport(scheduler, 1, (now) => (now < 50_000 ? unavailable() : ok()));
    const changes: [number, BreakerState][] = [];
    const sender = await ApnsSender.create({
      url: 'http://unused',
      credentials: { keyId: 'K', teamId: 'T', privateKey: p8 },
      transport,
      scheduler,
      policies: { retry: false, circuitBreaker: { consecutiveFailures: 3, openMs: 30_000 } },
      listener: { onBreakerStateChange: (_origin, _from, to) => changes.push([scheduler.monotonic(), to]) },
    });
    const outcomes: Promise<{ status: string; reason?: string }>[] = [];
    // One notification every 10 s of virtual time for a minute.
    for (let i = 0; i < 7; i++) scheduler.after(i * 10_000, () => outcomes.push(sender.send(notification)));
    await scheduler.run();
    const statuses = (await Promise.all(outcomes)).map((o) => o.status);
    expect(changes).toEqual([
      [20_001, 'open'],
      // Opened at 20,001: at 50,000 it is still open (29,999 ms), at 60,000 the probe goes.
      [60_000, 'half-open'],
      [60_001, 'closed'],
    ]);
    expect(statuses).toEqual(['rejected', 'rejected', 'rejected', 'failed', 'failed', 'failed', 'accepted']);
  });

  it('expires a notification whose deadline passes before the next retry', async () => {
    const scheduler = new VirtualScheduler({ epochMs: 1_000_000_000_000 });
    const transport = virtualTransport(scheduler, 10, () => unavailable({ 'retry-after': '60' }));
    const sender = await ApnsSender.create({ url: 'http://unused', credentials: { keyId: 'K', teamId: 'T', privateKey: p8 }, transport, scheduler, policies: { circuitBreaker: false } });
    // apns-expiration 30 s ahead of the virtual clock: the 60 s Retry-After would pass it.
    const outcome = sender.send({ ...notification, expiration: Math.floor(scheduler.now() / 1000) + 30 });
    await scheduler.run();
    expect(await outcome).toMatchObject({ status: 'expired' });
    expect(transport.arrivals).toEqual([0]);
  });
});
