/**
 * End to end: the real FcmSender against the real mock FCM (OAuth endpoint + messages:send) over
 * real sockets, with one injected clock shared by both so token expiry is driven, not waited for.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FcmSender } from '../../sender/fcm-sender.js';
import type { Interceptor } from '../../sender/transport.js';
import { startMockFcm, type MockFcm } from '../../simulator/fcm/index.js';

const token = (i: number): string => `device-${i}:APA91b${'x'.repeat(40)}`;

let mock: MockFcm | undefined;
let sender: FcmSender | undefined;
afterEach(async () => {
  await sender?.destroy();
  await mock?.close();
  sender = undefined;
  mock = undefined;
});

/** A clock both sides read; tests move it forward. */
function manualClock(start = Date.now()): { now(): number; advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

/** Records the response headers the sender saw, to check what reached it (Retry-After). */
function recordHeaders(seen: Record<string, unknown>[]): Interceptor {
  return (next) => async (request, context) => {
    const result = await next(request, context);
    if (result.ok) seen.push({ status: result.status, 'retry-after': result.headers['retry-after'] });
    return result;
  };
}

describe.each([{ tls: false }, { tls: true }])('FcmSender → mock FCM (tls: $tls)', ({ tls }) => {
  it('fetches one access token for a batch, reuses it, and prunes an unregistered token', async () => {
    mock = await startMockFcm({ tls, unregistered: [token(3)] });
    sender = await FcmSender.create({ serviceAccount: mock.serviceAccount, url: mock.url, ...(mock.ca && { tls: { ca: mock.ca } }) });
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => sender!.send({ token: token(i % 10), data: { n: String(i) } })));
    expect(outcomes.filter((o) => o.status === 'accepted')).toHaveLength(180);
    const dead = outcomes.filter((o) => o.status === 'rejected');
    expect(dead).toHaveLength(20);
    expect(dead[0]).toMatchObject({ provider: 'fcm', token: token(3), httpStatus: 404, reason: 'UNREGISTERED', retryClass: 'permanent' });
    const accepted = outcomes.find((o) => o.status === 'accepted');
    expect(accepted?.status === 'accepted' && accepted.id).toMatch(/^projects\/pushsim-test\/messages\/0:\d+%[0-9a-f]{16}$/);
    expect(sender.tokens.fetched).toBe(1);
    expect(mock.stats()).toMatchObject({ requests: 200, accepted: 180, rejected: 20, tokenRequests: 1, tokensIssued: 1, http2Requests: 200 });
  });
});

describe('FcmSender → mock FCM: access-token lifetime on an injected clock', () => {
  it('refreshes once when fewer than 5 minutes remain, and never while the token is fresh', async () => {
    const clock = manualClock();
    mock = await startMockFcm({ clock });
    sender = await FcmSender.create({ serviceAccount: mock.serviceAccount, url: mock.url, clock });
    await sender.send({ token: token(1) });
    clock.advance(54 * 60_000); // 5 min 59 s left: still fresh
    await sender.send({ token: token(1) });
    expect(sender.tokens.fetched).toBe(1);
    clock.advance(2 * 60_000); // 3 min 59 s left: refresh, once, for all concurrent sends
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => sender!.send({ token: token(2) })));
    expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
    expect(sender.tokens.fetched).toBe(2);
    expect(mock.stats()).toMatchObject({ tokenRequests: 2, tokensIssued: 2, rejected: 0 });
  });

  it('a token the mock no longer knows (401 UNAUTHENTICATED) is replaced and the message sent again', async () => {
    const clock = manualClock();
    mock = await startMockFcm({ clock });
    // The sender's clock stands still while the mock's runs past the token's 3599 s: the sender
    // still believes in its token, the mock no longer does (like a revoked token).
    const senderClock = manualClock(clock.now());
    sender = await FcmSender.create({ serviceAccount: mock.serviceAccount, url: mock.url, clock: senderClock });
    await sender.send({ token: token(1) });
    clock.advance(3_599_000);
    const outcome = await sender.send({ token: token(1) });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'accepted', attempts: 2 });
    expect(mock.stats().byErrorCode).toEqual({ UNAUTHENTICATED: 1 });
    expect(sender.tokens.fetched).toBe(2);
  });
});

describe('FcmSender → mock FCM: quotas and faults', () => {
  it('a device over its quota gets 429 QUOTA_EXCEEDED with Retry-After, classified retryable', async () => {
    const clock = manualClock();
    mock = await startMockFcm({ clock, deviceQuotas: [{ limit: 2, windowMs: 60_000 }] });
    const seen: Record<string, unknown>[] = [];
    const bare = { retry: false, circuitBreaker: false } as const;
    sender = await FcmSender.create({ serviceAccount: mock.serviceAccount, url: mock.url, clock, interceptors: [recordHeaders(seen)], policies: bare });
    await sender.send({ token: token(1) });
    clock.advance(15_000);
    await sender.send({ token: token(1) });
    const third = await sender.send({ token: token(1) });
    expect(third).toMatchObject({ status: 'rejected', httpStatus: 429, reason: 'QUOTA_EXCEEDED', retryClass: 'retryable' });
    expect(seen.at(-1)).toEqual({ status: 429, 'retry-after': '45' });
    clock.advance(45_000);
    expect(await sender.send({ token: token(1) })).toMatchObject({ status: 'accepted' });
  });

  it('scripted UNAVAILABLE answers 503 with Retry-After; without retries it is a retryable rejection', async () => {
    mock = await startMockFcm({ retryAfterSeconds: 7 });
    const seen: Record<string, unknown>[] = [];
    sender = await FcmSender.create({ serviceAccount: mock.serviceAccount, url: mock.url, interceptors: [recordHeaders(seen)], policies: { retry: false, circuitBreaker: false } });
    mock.faults.script(token(5), ['UNAVAILABLE']);
    expect(await sender.send({ token: token(5) })).toMatchObject({ status: 'rejected', httpStatus: 503, reason: 'UNAVAILABLE', retryClass: 'retryable' });
    expect(seen[0]).toEqual({ status: 503, 'retry-after': '7' });
    expect(await sender.send({ token: token(5) })).toMatchObject({ status: 'accepted' });
  });

  it('with the default retry policy, a 503 is retried after its Retry-After and then accepted', async () => {
    mock = await startMockFcm({ retryAfterSeconds: 7 });
    const delays: number[] = [];
    const sleep = (ms: number): Promise<void> => {
      delays.push(ms);
      return Promise.resolve();
    };
    sender = await FcmSender.create({ serviceAccount: mock.serviceAccount, url: mock.url, policies: { retry: { sleep }, circuitBreaker: false } });
    mock.faults.script(token(6), ['UNAVAILABLE']);
    expect(await sender.send({ token: token(6) })).toMatchObject({ status: 'accepted', attempts: 2 });
    expect(delays).toEqual([7_000]);
  });

  it('refuses the real FCM host unless production is allowed on purpose', async () => {
    mock = await startMockFcm();
    await expect(FcmSender.create({ serviceAccount: mock.serviceAccount, url: 'https://fcm.googleapis.com' })).rejects.toThrow(/allowProduction: true/);
  });

  it('a service account the mock does not trust fails as a credential error, without sending', async () => {
    mock = await startMockFcm();
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    sender = await FcmSender.create({ serviceAccount: { ...mock.serviceAccount, private_key: stranger }, url: mock.url });
    const outcome = await sender.send({ token: token(1) });
    expect(outcome).toMatchObject({ status: 'failed', code: 'PUSHSIM_ERR_CREDENTIAL', attempts: 0 });
    expect(outcome.status === 'failed' && outcome.message).toMatch(/invalid_grant: Invalid JWT Signature/);
    expect(outcome.status === 'failed' && outcome.message).not.toContain('PRIVATE KEY');
    expect(mock.stats().requests).toBe(0);
  });
});
