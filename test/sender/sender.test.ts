import { describe, expect, it } from 'vitest';
import { ApnsSender } from '../../sender/apns-sender.js';
import { apnsTokenAuth } from '../../sender/interceptors/apns-token-auth.js';
import { ApnsTokenSigner } from '../../sender/auth/apns-token.js';
import type { DispatchContext, Transport, TransportRequest, TransportResult } from '../../sender/transport.js';
import { generateKeyPairSync } from 'node:crypto';
import { apnsAdapter } from '../../sender/providers/apns.js';

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
