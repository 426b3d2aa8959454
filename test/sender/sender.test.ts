import { describe, expect, it } from 'vitest';
import { ApnsSender } from '../../sender/apns-sender.js';
import { apnsTokenAuth } from '../../sender/interceptors/apns-token-auth.js';
import { ApnsTokenSigner } from '../../sender/auth/apns-token.js';
import type { DispatchContext, Transport, TransportRequest, TransportResult } from '../../sender/transport.js';
import { generateKeyPairSync } from 'node:crypto';
import { sensitiveHeaders as http2SensitiveHeaders } from 'node:http2';
import { apnsAdapter } from '../../sender/providers/apns.js';
import { reasonKey } from '../../sender/outcome.js';
import { resilienceInterceptors } from '../../sender/policies.js';
import { compose } from '../../sender/transport.js';
import { startH2Server } from '../helpers/h2-server.js';

/** A transport for unit tests: answers from a script and records what it was given. */
function scriptedTransport(answers: ((req: TransportRequest) => TransportResult)[]): Transport & { seen: TransportRequest[] } {
  const seen: TransportRequest[] = [];
  return {
    origin: 'http://test',
    seen,
    dispatch: (req: TransportRequest, ctx: DispatchContext) => {
      seen.push(req);
      ctx.attempts++;
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)] as (r: TransportRequest) => TransportResult;
      return Promise.resolve(answer(req));
    },
    stats: () => ({ connected: 1, running: 0, queued: 0, capacity: 1 }),
    close: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
}

const ok = (): TransportResult => ({ ok: true, status: 200, headers: { 'apns-id': 'x' }, body: Buffer.alloc(0) });
const p8 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('Sender (ApnsSender over a scripted transport)', () => {
  it('adds the provider token through the auth interceptor, counts attempts and reports the outcome to the listener', async () => {
    const transport = scriptedTransport([ok]);
    const seen: string[] = [];
    const sender = await ApnsSender.create({
      url: 'http://unused',
      credentials: { keyId: 'K', teamId: 'T', privateKey: p8 },
      transport,
      listener: { onSent: () => seen.push('sent'), onAttempt: (ms) => seen.push(ms >= 0 ? 'attempt' : 'bad'), onOutcome: (o) => seen.push(o.status) },
    });
    const outcome = await sender.send({ token: 'ab', topic: 'com.example', payload: {} });
    expect(outcome).toMatchObject({ status: 'accepted', attempts: 1, id: 'x' });
    expect(transport.seen[0]?.headers['authorization']).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(seen).toEqual(['sent', 'attempt', 'accepted']);
  });

  it('runs extra interceptors outside authentication, in the order given', async () => {
    const order: string[] = [];
    const tag = (name: string) => (next: (r: TransportRequest, c: DispatchContext) => Promise<TransportResult>) => (r: TransportRequest, c: DispatchContext) => {
      order.push(`${name}:${r.headers['authorization'] === undefined ? 'no-auth' : 'auth'}`);
      return next(r, c);
    };
    const transport = scriptedTransport([ok]);
    const sender = await ApnsSender.create({ url: 'http://unused', credentials: { keyId: 'K', teamId: 'T', privateKey: p8 }, transport, interceptors: [tag('outer'), tag('inner')] });
    await sender.send({ token: 'ab', topic: 'com.example', payload: {} });
    expect(order).toEqual(['outer:no-auth', 'inner:no-auth']);
  });

  it('apnsTokenAuth keeps the rest of the request unchanged', async () => {
    const signer = await ApnsTokenSigner.create({ keyId: 'K', teamId: 'T', privateKey: p8 });
    const got: TransportRequest[] = [];
    const dispatch = apnsTokenAuth(signer)((r) => {
      got.push(r);
      return Promise.resolve(ok());
    });
    const request: TransportRequest = { method: 'POST', path: '/3/device/ab', headers: { 'apns-topic': 't' }, body: '{}' };
    await dispatch(request, { attempts: 0 });
    expect(got[0]).toMatchObject({ method: 'POST', path: '/3/device/ab', body: '{}', headers: { 'apns-topic': 't' } });
    expect(request.headers).toEqual({ 'apns-topic': 't' });
  });

  it('needs credentials, a client certificate or a transport', async () => {
    await expect(ApnsSender.create({ url: 'http://127.0.0.1:1' })).rejects.toThrow(/APNs needs credentials/);
  });
});

describe('apnsTokenAuth refresh on ExpiredProviderToken', () => {
  const expired: TransportResult = { ok: true, status: 403, headers: {}, body: Buffer.from('{"reason":"ExpiredProviderToken"}') };

  it('re-signs and resends once when the token is old enough to refresh', async () => {
    let now = 1_700_000_000_000;
    const clock = { now: () => now };
    const signer = await ApnsTokenSigner.create({ keyId: 'K', teamId: 'T', privateKey: p8, clock });
    const tokens: (string | undefined)[] = [];
    const answers = [expired, ok()];
    const dispatch = apnsTokenAuth(signer, { classify: apnsAdapter.classify })((r) => {
      tokens.push(r.headers['authorization']);
      return Promise.resolve(answers[tokens.length - 1] as TransportResult);
    });
    await dispatch({ method: 'POST', path: '/', headers: {} }, { attempts: 0 });
    now += 21 * 60_000;
    tokens.length = 0;
    const result = await dispatch({ method: 'POST', path: '/', headers: {} }, { attempts: 0 });
    expect(result.ok && result.status).toBe(200);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it('lets the rejection stand within 20 minutes of the last signature', async () => {
    const signer = await ApnsTokenSigner.create({ keyId: 'K', teamId: 'T', privateKey: p8, clock: { now: () => 1_700_000_000_000 } });
    let calls = 0;
    const dispatch = apnsTokenAuth(signer, { classify: apnsAdapter.classify })(() => {
      calls++;
      return Promise.resolve(expired);
    });
    expect(await dispatch({ method: 'POST', path: '/', headers: {} }, { attempts: 0 })).toBe(expired);
    expect(calls).toBe(1);
  });
});

describe("Sender: pushsim's own shutdown through the real pool and the default policies", () => {
  it('cuts what is on the wire and what waits as pushsim:shutdown, without a retry or a breaker transition', async () => {
    // Answers nothing: every stream stays open until the sender is destroyed.
    const server = await startH2Server(() => {}, { maxConcurrentStreams: 2 });
    const events: string[] = [];
    const sender = await ApnsSender.create({
      url: server.url,
      credentials: { keyId: 'K', teamId: 'T', privateKey: p8 },
      listener: { onRetry: () => events.push('retry'), onBreakerStateChange: (_o, from, to) => events.push(`${from}->${to}`) },
      policies: { circuitBreaker: { consecutiveFailures: 1 } },
    });
    try {
      const sending = Array.from({ length: 5 }, () => sender.send({ token: 'ab', topic: 'com.example', payload: {} }));
      await waitUntil(() => server.requests === 2);
      await sender.destroy();
      const outcomes = await Promise.all(sending);
      expect(outcomes.map((o) => (o.status === 'dropped' ? o.cause : o.status))).toEqual(['shutdown', 'shutdown', 'shutdown-queued', 'shutdown-queued', 'shutdown-queued']);
      expect(outcomes.map((o) => reasonKey(o))).toEqual([...Array(2).fill('pushsim:shutdown'), ...Array(3).fill('pushsim:shutdown-queued')]);
      expect(outcomes.map((o) => o.attempts)).toEqual([1, 1, 0, 0, 0]);
      expect(events).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('ApnsSender over the real pool: what goes on the wire', () => {
  it('sends apns-id never-indexed in HPACK, the JWT and the payload as given, one apns-id per notification', async () => {
    const seen: { id: unknown; neverIndexed: unknown; authorization: unknown; body: string }[] = [];
    const server = await startH2Server((stream, headers, body) => {
      seen.push({ id: headers['apns-id'], neverIndexed: (headers as Record<symbol, unknown>)[http2SensitiveHeaders], authorization: headers['authorization'], body: body.toString() });
      stream.respond({ ':status': 200, 'apns-id': String(headers['apns-id']) });
      stream.end();
    });
    const sender = await ApnsSender.create({ url: server.url, credentials: { keyId: 'K', teamId: 'T', privateKey: p8 } });
    try {
      const outcomes = await Promise.all([0, 1].map(() => sender.send({ token: 'ab', topic: 'com.example', payload: { aps: { alert: 'ü' } } })));
      expect(outcomes.map((o) => o.status)).toEqual(['accepted', 'accepted']);
      // (nghttp2 sends `authorization` never-indexed on its own.)
      for (const s of seen) expect(s.neverIndexed).toEqual(expect.arrayContaining(['apns-id']));
      expect(new Set(seen.map((s) => s.id)).size).toBe(2);
      expect(outcomes.map((o) => (o.status === 'accepted' ? o.id : undefined))).toEqual(seen.map((s) => s.id));
      expect(seen.map((s) => s.body)).toEqual(Array(2).fill('{"aps":{"alert":"ü"}}'));
      expect(seen[0]?.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    } finally {
      await sender.destroy();
      await server.close();
    }
  });
});

describe('resilience policies over a transport of many origins', () => {
  it('keep a circuit breaker per origin and name it in the transitions, never "*"', async () => {
    const unavailable: TransportResult = { ok: true, status: 503, headers: {}, body: Buffer.alloc(0) };
    const transitions: string[] = [];
    const interceptors = resilienceInterceptors(() => 'retryable', { retry: false, circuitBreaker: { consecutiveFailures: 2, minRequests: 1000 } }, { onBreakerStateChange: (origin, from, to) => transitions.push(`${origin} ${from}->${to}`) }, '*');
    const dispatch = compose((request) => Promise.resolve(request.path.startsWith('https://down.example') ? unavailable : ok()), ...interceptors);
    const send = (path: string) => dispatch({ method: 'POST', path, headers: {} }, { attempts: 0 });
    for (let i = 0; i < 2; i++) await send('https://down.example/push/1');
    expect(await send('https://down.example/push/2')).toMatchObject({ ok: false, kind: 'circuit-open' });
    expect(await send('https://up.example:8443/push/3')).toMatchObject({ ok: true, status: 200 });
    expect(transitions).toEqual(['https://down.example closed->open']);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
