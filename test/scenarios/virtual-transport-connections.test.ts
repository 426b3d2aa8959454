import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../core/scheduler.js';
import { createSimulatedTransport, type SimulatedApnsOptions } from '../../scenarios/virtual-transport.js';
import { ApnsSender } from '../../sender/apns-sender.js';
import type { TransportResult } from '../../sender/transport.js';

const live = 'a'.repeat(64);

async function setup(options: Omit<SimulatedApnsOptions, 'provider' | 'scheduler'>) {
  const scheduler = new VirtualScheduler({ epochMs: 1_800_000_000_000 });
  const transport = createSimulatedTransport({ provider: 'apns', scheduler, seed: 1, latency: { kind: 'fixed', ms: 10 }, ...options });
  // A signed provider token once, off the virtual clock, as the sender signs it.
  const sender = await ApnsSender.create({ url: transport.origin, credentials: transport.mock.credentials, transport, scheduler, policies: { retry: false, circuitBreaker: false } });
  const authorization = await signedHeader(sender, scheduler, transport);
  const request = { method: 'POST' as const, path: `/3/device/${live}`, headers: { authorization, 'apns-topic': 'com.example.app' }, body: '{"aps":{}}' };
  const send = (): Promise<TransportResult> => transport.dispatch(request, { attempts: 0 });
  /** A notification through the sender, its outcome once the clock reached `forMs` more. */
  const notify = async (forMs: number): Promise<string> => {
    const outcome = sender.send({ token: live, topic: 'com.example.app', payload: { aps: {} } });
    let done = false;
    void outcome.finally(() => (done = true));
    const until = scheduler.monotonic() + forMs;
    for (let i = 0; i < 1000 && !done; i++) {
      await scheduler.run(until);
      if (!done) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const settled = await outcome;
    return settled.status === 'rejected' ? `${settled.httpStatus}` : settled.status === 'failed' ? settled.code : settled.status;
  };
  return { scheduler, transport, send, notify };
}

/** The authorization header the sender puts on its requests (read from one request it sends). */
async function signedHeader(sender: ApnsSender, scheduler: VirtualScheduler, transport: { dispatch: unknown }): Promise<string> {
  const original = transport.dispatch as (request: { headers: Record<string, string> }, context?: unknown) => Promise<TransportResult>;
  let seen = '';
  (transport as { dispatch: unknown }).dispatch = (request: { headers: Record<string, string> }, context?: unknown) => {
    seen = request.headers['authorization'] ?? '';
    return original(request, context);
  };
  const done = sender.send({ token: live, topic: 'com.example.app', payload: { aps: {} } });
  for (let i = 0; i < 1000 && seen === ''; i++) {
    await scheduler.run(scheduler.monotonic() + 1);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await scheduler.run(scheduler.monotonic() + 100);
  await done;
  (transport as { dispatch: unknown }).dispatch = original;
  return seen;
}

/** Moves the virtual clock to `at` (monotonic ms), running what falls due. */
async function until(scheduler: VirtualScheduler, at: number): Promise<void> {
  await scheduler.run(at);
}

describe('simulated connections: session-level faults on virtual time', () => {
  it('connection refuse: the connect fails as `connect` (unprocessed) a round trip later, and requests fail fast while the pool backs off', async () => {
    const faults = { faults: [{ kind: 'connection', id: 'refuse', action: 'refuse', startMs: 0, durationMs: 5000 }, { kind: 'goaway', id: 'age', trigger: 'max-age', maxAgeMs: 50 }] };
    const { scheduler, transport, send } = await setup({ faults, network: { kind: 'fixed', ms: 2 } });
    // The sender's first request went on connection 1 before any of this; max-age sends it away.
    await until(scheduler, scheduler.monotonic() + 100);
    const first = send();
    await until(scheduler, scheduler.monotonic() + 10);
    expect(await first).toMatchObject({ ok: false, kind: 'connect', unprocessed: true, error: { code: 'PUSHSIM_ERR_CONNECT', message: expect.stringContaining('ECONNRESET') } });
    // Within the 1 s backoff: no attempt, an immediate failure.
    const fast = send();
    await until(scheduler, scheduler.monotonic());
    expect(await fast).toMatchObject({ ok: false, kind: 'connect', error: { message: expect.stringMatching(/next attempt in \d+ ms/) } });
    expect(transport.mock.engine?.list().find((fault) => fault.id === 'refuse')?.injected).toBeGreaterThanOrEqual(1);
    await transport.destroy();
  });

  it('slow-handshake longer than connectTimeoutMs fails the connect as the pool\'s timeout does; a shorter one delays the first answer', async () => {
    const slow = { faults: [{ kind: 'connection', id: 'slow', action: 'slow-handshake', delayMs: 300 }] };
    const timedOut = createSimulatedTransport({ provider: 'apns', scheduler: new VirtualScheduler(), faults: slow, limits: { connectTimeoutMs: 200 } });
    const failed = timedOut.dispatch({ method: 'POST', path: `/3/device/${live}`, headers: {}, body: '{}' }, { attempts: 0 });
    await (timedOut.mock.scheduler as VirtualScheduler).run(250);
    expect(await failed).toMatchObject({ ok: false, kind: 'connect', error: { message: expect.stringContaining('no HTTP/2 SETTINGS within 200 ms') } });
    await timedOut.destroy();

    const scheduler = new VirtualScheduler();
    const delayed = createSimulatedTransport({ provider: 'apns', scheduler, faults: slow, latency: { kind: 'fixed', ms: 10 } });
    const answered = delayed.dispatch({ method: 'POST', path: `/3/device/${live}`, headers: {}, body: '{}' }, { attempts: 0 });
    let at = -1;
    void answered.then(() => (at = scheduler.monotonic()));
    await scheduler.run(1000);
    // 300 ms of handshake, then the 10 ms answer (a 403: no provider token, which is beside the point here).
    expect(at).toBe(310);
    await delayed.destroy();
  });

  it('streams: the window opening and closing changes the connection\'s limit on the virtual clock, with no request to notice it', async () => {
    const faults = { faults: [{ kind: 'streams', id: 'narrow', startMs: 1000, durationMs: 1000, maxConcurrentStreams: 3 }] };
    const { scheduler, transport } = await setup({ faults, initialStreams: 1000, maxConcurrentStreams: 1000 });
    transport.mock.engine?.reset(scheduler.now());
    const start = scheduler.monotonic();
    await until(scheduler, start + 500);
    expect(transport.stats().capacity).toBe(1000);
    await until(scheduler, start + 1500);
    expect(transport.stats().capacity).toBe(3);
    await until(scheduler, start + 2500);
    expect(transport.stats().capacity).toBe(1000);
    await transport.destroy();
  });

  it('goaway on idle: connections numbered 1, 2, 3 as the mock counts them, a request fault matching connection 2 only', async () => {
    const faults = { faults: [{ kind: 'goaway', id: 'idle', trigger: 'idle', idleMs: 100 }, { kind: 'error', id: 'on2', match: { connection: 2 }, apns: 'InternalServerError' }] };
    const { scheduler, transport, notify } = await setup({ faults });
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      await until(scheduler, scheduler.monotonic() + 200); // idle: the connection goes away
      outcomes.push(await notify(50));
    }
    // Connection 1 carried the setup's request; 2, 3 and 4 one each after an idle GOAWAY: only 2 answers 500.
    expect(outcomes).toEqual(['500', 'accepted', 'accepted']);
    expect(transport.mock.engine?.list().map((fault) => [fault.id, fault.injected])).toEqual([['idle', 3], ['on2', 1]]);
    await transport.destroy();
  });

  it('connection reset when its window opens: the live connection\'s streams fail as a lost connection, the next request opens a new one', async () => {
    const faults = { faults: [{ kind: 'connection', id: 'rst', action: 'reset', startMs: 100, durationMs: 1 }] };
    const { scheduler, transport, notify } = await setup({ faults, latency: { kind: 'fixed', ms: 500 } });
    transport.mock.engine?.reset(scheduler.now());
    expect(await notify(200)).toBe('PUSHSIM_ERR_SOCKET');
    expect(await notify(600)).toBe('accepted');
    expect(transport.mock.engine?.list()[0]?.injected).toBe(1);
    await transport.destroy();
  });
});
