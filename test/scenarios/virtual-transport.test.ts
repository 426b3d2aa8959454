import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../core/scheduler.js';
import { createSimulatedTransport, type SimulatedApnsOptions } from '../../scenarios/virtual-transport.js';
import { ApnsSender } from '../../sender/apns-sender.js';
import { FcmSender } from '../../sender/fcm-sender.js';
import { WebPushSender } from '../../sender/webpush-sender.js';
import { generateVapidKeys } from '../../simulator/webpush/keys.js';
import type { Outcome } from '../../sender/outcome.js';

const live = 'a'.repeat(64);
const dead = 'b'.repeat(64);
const payload = { aps: { alert: 'hi' } };

/** Runs the scheduler until every promise settled (the sender's first JWT is signed off the virtual clock). */
async function drive<T>(scheduler: VirtualScheduler, work: Promise<T>): Promise<T> {
  let settled = false;
  const done = work.finally(() => {
    settled = true;
  });
  for (let rounds = 0; !settled && rounds < 10_000; rounds++) {
    await scheduler.run();
    if (!settled) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return done;
}

async function apns(options: Omit<SimulatedApnsOptions, 'provider' | 'scheduler'> = {}, senderOptions: Record<string, unknown> = {}) {
  const scheduler = new VirtualScheduler({ epochMs: 1_800_000_000_000 });
  const transport = createSimulatedTransport({ provider: 'apns', scheduler, seed: 1, ...options });
  const sender = await ApnsSender.create({ url: transport.origin, credentials: transport.mock.credentials, transport, scheduler, ...senderOptions });
  return { scheduler, transport, sender };
}

function countBy(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome.status] = (counts[outcome.status] ?? 0) + 1;
  return counts;
}

describe('createSimulatedTransport (apns)', () => {
  it('answers with the mock APNs validation: accepted, 410 Unregistered, and the ledger counts deliveries', async () => {
    const { scheduler, transport, sender } = await apns({ unregistered: [dead], latency: { kind: 'fixed', ms: 5 } });
    const outcomes = await drive(scheduler, Promise.all(Array.from({ length: 100 }, (_, i) => sender.send({ token: i % 4 === 0 ? dead : live, topic: 'com.example.app', payload }))));
    expect(countBy(outcomes)).toEqual({ accepted: 75, rejected: 25 });
    expect(transport.mock.ledger.summary().delivered).toBe(75);
    expect(transport.mock.stats()).toMatchObject({ requests: 100, accepted: 75, rejected: 25, byReason: { Unregistered: 25 } });
    // One ECDSA verification for the sender's one token; the connection's current token is compared first, the cache behind it.
    expect(transport.mock.tokenStats().signatureVerifications).toBe(1);
  });

  it('applies the fault engine: an error fault answers 500 InternalServerError, which the sender retries', async () => {
    const faults = { seed: 3, faults: [{ kind: 'error', id: 'e', probability: 0.3, apns: 'InternalServerError' }] };
    const { scheduler, transport, sender } = await apns({ faults, latency: { kind: 'fixed', ms: 5 } }, { policies: { retry: { maxAttempts: 5, baseDelayMs: 10 }, circuitBreaker: false } });
    const outcomes = await drive(scheduler, Promise.all(Array.from({ length: 200 }, () => sender.send({ token: live, topic: 'com.example.app', payload }))));
    const counts = countBy(outcomes);
    const attempts = outcomes.reduce((sum, outcome) => sum + outcome.attempts, 0);
    const injected = transport.mock.engine?.list()[0]?.injected ?? 0;
    expect(injected).toBeGreaterThan(40);
    // Every attempt is either the fault's 500 or an acceptance; retries happened (the budget caps them).
    expect(attempts).toBe((counts.accepted ?? 0) + injected);
    expect(attempts).toBeGreaterThan(200);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected').every((outcome) => outcome.status === 'rejected' && outcome.reason === 'InternalServerError')).toBe(true);
    expect(transport.mock.ledger.summary()).toMatchObject({ delivered: counts.accepted, duplicates: 0 });
  });

  it('accept-then-fail records the delivery, answers 503, and the retry is a duplicate in the ledger', async () => {
    const faults = { seed: 1, faults: [{ kind: 'accept-then-fail', id: 'lost', probability: 0.2 }] };
    const { scheduler, transport, sender } = await apns({ faults }, { policies: { retry: { maxAttempts: 4, baseDelayMs: 10 }, circuitBreaker: false } });
    const outcomes = await drive(scheduler, Promise.all(Array.from({ length: 300 }, () => sender.send({ token: live, topic: 'com.example.app', payload }))));
    const attempts = outcomes.reduce((sum, outcome) => sum + outcome.attempts, 0);
    const { delivered, duplicates, unique } = transport.mock.ledger.summary();
    const injected = transport.mock.engine?.list()[0]?.injected ?? 0;
    expect(injected).toBeGreaterThan(30);
    // Every attempt was delivered (a live token): the accepted ones and the ones failed after acceptance.
    expect(delivered).toBe(attempts);
    expect(attempts).toBe((countBy(outcomes).accepted ?? 0) + injected);
    expect(unique).toBe(300);
    expect(duplicates).toBe(attempts - 300);
    expect(duplicates).toBeGreaterThan(0);
  });

  it('a reset fault fails the attempt as a stream reset (maybe processed); a REFUSED_STREAM one is replayed by the transport', async () => {
    const faults = { seed: 2, faults: [{ kind: 'reset', id: 'rst', code: 'INTERNAL_ERROR', probability: 1, match: { tokens: [dead] } }, { kind: 'reset', id: 'refused', probability: 1, limit: 1 }] };
    const { scheduler, transport } = await apns({ faults });
    const request = (token: string) => ({ method: 'POST' as const, path: `/3/device/${token}`, headers: { 'apns-topic': 'com.example.app' }, body: '{}' });
    const context = { attempts: 0 };
    const [reset, replayed] = await drive(scheduler, Promise.all([transport.dispatch(request(dead), { attempts: 0 }), transport.dispatch(request(live), context)]));
    expect(reset).toMatchObject({ ok: false, kind: 'reset', unprocessed: false });
    // The 403 is the mock's answer to a request without a provider token: it got through after the replay.
    expect(replayed).toMatchObject({ ok: true, status: 403 });
    expect(context.attempts).toBe(2);
  });

  it('a graceful GOAWAY answers this stream, and the next requests go to a new connection that authenticates again', async () => {
    const faults = { seed: 1, faults: [{ kind: 'goaway', id: 'g', probability: 1, limit: 1, reason: 'Shutdown' }] };
    const { scheduler, transport, sender } = await apns({ faults, latency: { kind: 'fixed', ms: 5 } });
    const first = await drive(scheduler, sender.send({ token: live, topic: 'com.example.app', payload }));
    expect(first.status).toBe('accepted');
    const rest = await drive(scheduler, Promise.all(Array.from({ length: 10 }, () => sender.send({ token: live, topic: 'com.example.app', payload }))));
    expect(countBy(rest)).toEqual({ accepted: 10 });
    // The connection that went away is closed, its replacement open.
    expect(transport.mock.stats().connections).toBe(1);
    expect(transport.mock.tokenStats().signatureVerifications).toBe(1);
    expect(transport.mock.tokenStats().cacheHits).toBe(1);
  });

  it('an abrupt GOAWAY fails the open streams as goaway (may have been processed)', async () => {
    const faults = { seed: 1, faults: [{ kind: 'goaway', id: 'g', probability: 1, limit: 1, code: 'INTERNAL_ERROR' }] };
    const { scheduler, transport } = await apns({ faults, latency: { kind: 'fixed', ms: 5 } });
    const result = await drive(scheduler, transport.dispatch({ method: 'POST', path: `/3/device/${live}`, headers: { 'apns-topic': 'com.example.app' }, body: '{}' }, { attempts: 0 }));
    expect(result).toMatchObject({ ok: false, kind: 'goaway', unprocessed: false });
  });

  it('a stall without holdMs times out after requestTimeoutMs of virtual time', async () => {
    const faults = { seed: 1, faults: [{ kind: 'stall', id: 's', probability: 1 }] };
    const { scheduler, transport } = await apns({ faults, limits: { requestTimeoutMs: 2_000 } });
    const result = await drive(scheduler, transport.dispatch({ method: 'POST', path: `/3/device/${live}`, headers: { 'apns-topic': 'com.example.app' }, body: '{}' }, { attempts: 0 }));
    expect(result).toMatchObject({ ok: false, kind: 'timeout', unprocessed: false });
    expect(scheduler.monotonic()).toBeGreaterThanOrEqual(2_000);
  });

  it('a token-auth connection carries one stream until the first valid provider token, then maxConcurrentStreams', async () => {
    const { scheduler, transport, sender } = await apns({ latency: { kind: 'fixed', ms: 10 }, maxConcurrentStreams: 50 });
    const work = Promise.all(Array.from({ length: 200 }, () => sender.send({ token: live, topic: 'com.example.app', payload })));
    const outcomes = await drive(scheduler, work);
    expect(countBy(outcomes)).toEqual({ accepted: 200 });
    // The first request alone until its token is verified (on arrival, t=0); then 50 at a time: 4 rounds of 10 ms.
    expect(scheduler.monotonic()).toBe(40);
    expect(transport.stats().capacity).toBe(50);
  });

  it('providerConcurrency queues requests at the provider, so service times add up', async () => {
    const { scheduler, sender } = await apns({ latency: { kind: 'fixed', ms: 10 }, initialStreams: 1000, limits: { providerConcurrency: 10 } });
    const outcomes = await drive(scheduler, Promise.all(Array.from({ length: 100 }, () => sender.send({ token: live, topic: 'com.example.app', payload }))));
    expect(countBy(outcomes)).toEqual({ accepted: 100 });
    expect(scheduler.monotonic()).toBe(100);
  });

  it('the network round trip adds to every answer', async () => {
    const { scheduler, sender } = await apns({ latency: { kind: 'fixed', ms: 10 }, network: { kind: 'fixed', ms: 4 } });
    const outcome = await drive(scheduler, sender.send({ token: live, topic: 'com.example.app', payload }));
    expect(outcome.status).toBe('accepted');
    // The connection's handshake (one round trip, 4 ms), then the request's round trip and the 10 ms service time.
    expect(scheduler.monotonic()).toBe(18);
  });

  it('queue-full, expired and shutdown are the pool\'s failure kinds', async () => {
    const { scheduler, transport } = await apns({ latency: { kind: 'fixed', ms: 10 }, limits: { maxQueue: 1 } });
    const request = { method: 'POST' as const, path: `/3/device/${live}`, headers: { 'apns-topic': 'com.example.app' }, body: '{}' };
    const first = transport.dispatch(request, { attempts: 0 }); // on the one stream
    const queued = transport.dispatch({ ...request, deadline: scheduler.now() + 5 }, { attempts: 0 });
    const full = await transport.dispatch(request, { attempts: 0 });
    expect(full).toMatchObject({ ok: false, kind: 'queue-full', unprocessed: true });
    expect(await drive(scheduler, queued)).toMatchObject({ ok: false, kind: 'expired', unprocessed: true });
    await drive(scheduler, first);
    const cut = transport.dispatch(request, { attempts: 0 });
    await transport.destroy();
    expect(await cut).toMatchObject({ ok: false, kind: 'shutdown' });
  });

  it('the same seeds give the same answers at the same virtual times', async () => {
    const once = async () => {
      const faults = { seed: 9, faults: [{ kind: 'error', id: 'e', probability: 0.2, apns: 'InternalServerError' }, { kind: 'latency', id: 'l', distribution: { kind: 'pareto', scaleMs: 5, shape: 2, maxMs: 200 } }] };
      const { scheduler, sender } = await apns({ faults, latency: { kind: 'lognormal', medianMs: 5, sigma: 0.5 }, network: { kind: 'uniform', minMs: 1, maxMs: 3 } }, { policies: { retry: { maxAttempts: 3, baseDelayMs: 10, random: () => 0.5 } } });
      const times: number[] = [];
      const outcomes = await drive(scheduler, Promise.all(Array.from({ length: 100 }, (_, i) => sender.send({ token: i % 3 === 0 ? dead : live, topic: 'com.example.app', payload, id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }).then((outcome) => {
        times.push(scheduler.monotonic());
        return `${outcome.status}/${outcome.attempts}`;
      }))));
      return { outcomes, times };
    };
    expect(await once()).toEqual(await once());
  });
});

describe('createSimulatedTransport (fcm)', () => {
  it('answers sends with the mock FCM decision: OAuth token from its endpoint, 200, 404 UNREGISTERED, quota 429, ledger', async () => {
    const scheduler = new VirtualScheduler({ epochMs: 1_800_000_000_000 });
    const transport = createSimulatedTransport({ provider: 'fcm', scheduler, unregistered: ['gone-token-0001'], latency: { kind: 'fixed', ms: 20 }, deviceQuotas: [{ limit: 3, windowMs: 60_000 }] });
    try {
      const sender = await FcmSender.create({ url: transport.origin, serviceAccount: await transport.mock.serviceAccount(), transport, scheduler, policies: { retry: false, circuitBreaker: false } });
      const tokens = ['live-token-0001', 'gone-token-0001', 'live-token-0002', 'live-token-0002', 'live-token-0002', 'live-token-0002'];
      const outcomes = await drive(scheduler, Promise.all(tokens.map((token) => sender.send({ token, data: { n: '1' } }))));
      expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.reason : outcome.status))).toEqual(['accepted', 'UNREGISTERED', 'accepted', 'accepted', 'accepted', 'QUOTA_EXCEEDED']);
      expect(scheduler.monotonic()).toBe(20);
      expect(transport.mock.ledger.summary().delivered).toBe(4);
      expect(transport.mock.stats()).toMatchObject({ requests: 6, accepted: 4, tokenRequests: 1 });
      await sender.close();
    } finally {
      await transport.close();
    }
  });

  it('applies the fault engine to FCM sends (an outage answers 503 UNAVAILABLE)', async () => {
    const scheduler = new VirtualScheduler({ epochMs: 1_800_000_000_000 });
    const faults = { seed: 1, phases: [{ name: 'up', durationMs: 1000 }, { name: 'down' }], faults: [{ kind: 'outage', id: 'down', phase: 'down', mode: 'unavailable' }] };
    const transport = createSimulatedTransport({ provider: 'fcm', scheduler, faults });
    try {
      const sender = await FcmSender.create({ url: transport.origin, serviceAccount: await transport.mock.serviceAccount(), transport, scheduler, policies: { retry: false, circuitBreaker: false } });
      const before = await drive(scheduler, sender.send({ token: 'live-token-0001', data: {} }));
      await drive(scheduler, scheduler.sleep(2000));
      const during = await drive(scheduler, sender.send({ token: 'live-token-0001', data: {} }));
      expect(before.status).toBe('accepted');
      expect(during).toMatchObject({ status: 'rejected', httpStatus: 503 });
      await sender.close();
    } finally {
      await transport.close();
    }
  });
});

describe('createSimulatedTransport (webpush)', () => {
  it('answers pushes with the mock Web Push decision: VAPID checked, aes128gcm framing checked, 201 recorded, expired subscription gone', async () => {
    const scheduler = new VirtualScheduler({ epochMs: 1_800_000_000_000 });
    const transport = createSimulatedTransport({ provider: 'webpush', scheduler, subscriptions: 3, decrypt: true, latency: { kind: 'fixed', ms: 10 } });
    const [a, b, c] = transport.mock.subscriptions.list();
    transport.mock.subscriptions.expire(c!.endpoint);
    const sender = await WebPushSender.create({ vapid: transport.mock.vapid, transport, scheduler, policies: { retry: false, circuitBreaker: false } });
    const outcomes = await drive(scheduler, Promise.all([a, b, c].map((subscription) => sender.send({ subscription: subscription!, payload: { hello: 'world' } }))));
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.httpStatus : outcome.status))).toEqual(['accepted', 'accepted', 410]);
    expect(transport.mock.subscriptions.messages(a!.endpoint)[0]?.payload?.toString()).toBe('{"hello":"world"}');
    expect(transport.mock.ledger.summary().delivered).toBe(2);
    expect(transport.mock.stats()).toMatchObject({ requests: 3, created: 2, rejected: 1, decryptFailures: 0 });
    expect(scheduler.monotonic()).toBe(10);
  });

  it('refuses a push signed with another VAPID key than the subscription was made with (403), verified without a promise', async () => {
    const scheduler = new VirtualScheduler({ epochMs: 1_800_000_000_000 });
    const transport = createSimulatedTransport({ provider: 'webpush', scheduler, subscriptions: 1 });
    const [subscription] = transport.mock.subscriptions.list();
    const sender = await WebPushSender.create({ vapid: generateVapidKeys(), transport, scheduler, policies: { retry: false, circuitBreaker: false } });
    const outcome = await drive(scheduler, sender.send({ subscription: subscription!, payload: 'x' }));
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 403 });
    expect(transport.mock.ledger.summary().delivered).toBe(0);
  });
});
