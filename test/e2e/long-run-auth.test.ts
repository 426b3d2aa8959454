/**
 * A soak's authentication, hours long, on an injected clock: the real senders against the real
 * mocks over real sockets, with one clock both read, moved forward between sends instead of waited
 * for. APNs provider tokens live in the 20–60-minute window (protocols.md §1.9: older than an hour
 * is ExpiredProviderToken, a new one within 20 minutes on a connection is TooManyProviderTokenUpdates);
 * FCM access tokens expire after an hour and are refreshed 5 minutes before (§2.2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ApnsSender } from '../../sender/apns-sender.js';
import { ApnsTokenSigner } from '../../sender/auth/apns-token.js';
import { FcmSender } from '../../sender/fcm-sender.js';
import { Http2Pool } from '../../sender/http2/pool.js';
import type { Outcome } from '../../sender/outcome.js';
import type { Transport } from '../../sender/transport.js';
import { startMockApns } from '../../simulator/apns/server.js';
import { startMockFcm } from '../../simulator/fcm/index.js';

const MINUTE = 60_000;
const topic = 'com.example.soak';
const apnsToken = (i: number): string => i.toString(16).padStart(64, '0');
const fcmToken = (i: number): string => `device-${i}:APA91b${'x'.repeat(40)}`;

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

/** A clock tests move forward; two of them put one side ahead of the other. */
function manualClock(start: number): { now(): number; advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

/** The pool, recording every provider token it carries (as the iat it was signed with, ms). */
function recordingPool(origin: string, iats: number[]): Transport {
  const pool = new Http2Pool({ origin });
  return {
    origin: pool.origin,
    dispatch: (request, context) => {
      const jwt = String(request.headers['authorization'] ?? '').replace(/^bearer /, '');
      const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { iat: number };
      if (iats.at(-1) !== claims.iat * 1000) iats.push(claims.iat * 1000);
      return pool.dispatch(request, context);
    },
    stats: () => pool.stats(),
    close: () => pool.close(),
    destroy: () => pool.destroy(),
  };
}

function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.status === 'rejected' ? `rejected:${o.reason}` : o.status;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('APNs provider tokens over a two-hour soak', () => {
  it('re-signs at 50 and 100 minutes, inside the 20–60-minute window: every notification accepted, never Expired or TooManyUpdates', async () => {
    const start = Math.floor(Date.now() / 1000) * 1000;
    const clock = manualClock(start);
    const mock = await startMockApns({ clock });
    closers.push(() => mock.close());
    const iats: number[] = [];
    const sender = await ApnsSender.create({ url: mock.url, credentials: mock.credentials, clock, transport: recordingPool(mock.url, iats), policies: { retry: false } });
    closers.push(() => sender.destroy());
    const outcomes: Outcome[] = [];
    // One notification a minute for 125 minutes, and a burst of 20 concurrent ones every 10 minutes.
    for (let minute = 0; minute <= 125; minute++) {
      const burst = minute % 10 === 0 ? 20 : 1;
      outcomes.push(...(await Promise.all(Array.from({ length: burst }, (_, i) => sender.send({ token: apnsToken(i), topic, payload: { aps: { alert: `m${minute}` } } })))));
      clock.advance(MINUTE);
    }
    expect(tally(outcomes)).toEqual({ accepted: 126 + 13 * 19 });
    // Signed at 0, then re-signed once the token was 50 minutes old: 50, 100.
    expect(iats.map((iat) => (iat - start) / MINUTE)).toEqual([0, 50, 100]);
    expect(mock.stats()).toMatchObject({ rejected: 0, byReason: {} });
  });

  it('answers a token older than an hour ExpiredProviderToken, and the sender re-signs once and is accepted', async () => {
    const start = Math.floor(Date.now() / 1000) * 1000;
    const mockClock = manualClock(start);
    const senderClock = manualClock(start);
    const mock = await startMockApns({ clock: mockClock });
    closers.push(() => mock.close());
    const iats: number[] = [];
    const sender = await ApnsSender.create({ url: mock.url, credentials: mock.credentials, clock: senderClock, transport: recordingPool(mock.url, iats), policies: { retry: false } });
    closers.push(() => sender.destroy());
    expect(await sender.send({ token: apnsToken(1), topic, payload: { aps: {} } })).toMatchObject({ status: 'accepted' });
    // The sender's clock lags: its token is 25 minutes old to it (not due for 50), 61 to the mock.
    senderClock.advance(25 * MINUTE);
    mockClock.advance(61 * MINUTE);
    const outcome = await sender.send({ token: apnsToken(1), topic, payload: { aps: {} } });
    expect(outcome).toMatchObject({ status: 'accepted' });
    expect(mock.stats().byReason).toEqual({ ExpiredProviderToken: 1 });
    expect(iats.map((iat) => (iat - start) / MINUTE)).toEqual([0, 25]);
  });

  it('answers a new token on a connection within 20 minutes TooManyProviderTokenUpdates: a sender re-signing every 10 minutes is refused', async () => {
    const start = Math.floor(Date.now() / 1000) * 1000;
    const clock = manualClock(start);
    const mock = await startMockApns({ clock });
    closers.push(() => mock.close());
    // A misconfigured client: what ApnsTokenSigner's floor of 20 minutes exists to prevent.
    const eager = await ApnsTokenSigner.create({ ...mock.credentials, clock, refreshAfterMs: 10 * MINUTE, minRefreshIntervalMs: 5 * MINUTE });
    const pool = new Http2Pool({ origin: mock.url });
    closers.push(() => pool.destroy());
    const send = async (): Promise<string> => {
      const result = await pool.dispatch(
        { method: 'POST', path: `/3/device/${apnsToken(1)}`, headers: { authorization: await eager.authorization(), 'apns-topic': topic }, body: '{"aps":{}}' },
        { attempts: 0 },
      );
      return result.ok ? (result.status === 200 ? 'accepted' : String(JSON.parse(Buffer.from(result.body).toString()).reason)) : result.kind;
    };
    expect(await send()).toBe('accepted');
    clock.advance(10 * MINUTE);
    expect(await send()).toBe('TooManyProviderTokenUpdates');
    clock.advance(10 * MINUTE); // 20 minutes after the first token was adopted: a new one is fine
    expect(await send()).toBe('accepted');
  });
});

describe('FCM access tokens over a three-hour soak', () => {
  it('refreshes 5 minutes before each expiry while traffic runs: four exchanges in three hours, never a 401', async () => {
    const clock = manualClock(Date.now());
    const mock = await startMockFcm({ clock });
    closers.push(() => mock.close());
    const sender = await FcmSender.create({ serviceAccount: mock.serviceAccount, url: mock.url, clock, policies: { retry: false } });
    closers.push(() => sender.destroy());
    const outcomes: Outcome[] = [];
    const fetchedAt: number[] = [];
    for (let minute = 0; minute <= 180; minute++) {
      const burst = minute % 10 === 0 ? 20 : 1;
      const before = sender.tokens.fetched;
      outcomes.push(...(await Promise.all(Array.from({ length: burst }, (_, i) => sender.send({ token: fcmToken(i), data: { m: String(minute) } })))));
      if (sender.tokens.fetched > before) fetchedAt.push(minute);
      clock.advance(MINUTE);
    }
    expect(tally(outcomes)).toEqual({ accepted: 181 + 19 * 19 });
    // A token lives 3599 s; under 5 minutes left it is replaced, once, for every concurrent send.
    expect(fetchedAt).toEqual([0, 55, 110, 165]);
    expect(mock.stats()).toMatchObject({ tokenRequests: 4, tokensIssued: 4, rejected: 0 });
  });

  it('a token the mock stops honouring mid-run (401 UNAUTHENTICATED) is replaced once and the run goes on', async () => {
    const start = Date.now();
    const mockClock = manualClock(start);
    const senderClock = manualClock(start);
    const mock = await startMockFcm({ clock: mockClock });
    closers.push(() => mock.close());
    const sender = await FcmSender.create({ serviceAccount: mock.serviceAccount, url: mock.url, clock: senderClock, policies: { retry: false } });
    closers.push(() => sender.destroy());
    const outcomes: Outcome[] = [];
    for (let minute = 0; minute < 90; minute++) {
      // At minute 30 the mock's clock jumps 40 minutes ahead: the sender's token, 30 minutes old to
      // it, has expired there — as a revoked token would.
      if (minute === 30) mockClock.advance(40 * MINUTE);
      outcomes.push(await sender.send({ token: fcmToken(minute % 5), data: { m: String(minute) } }));
      mockClock.advance(MINUTE);
      senderClock.advance(MINUTE);
    }
    expect(tally(outcomes)).toEqual({ accepted: 90 });
    expect(mock.stats().byErrorCode).toEqual({ UNAUTHENTICATED: 1 });
    // The first token, its replacement after the 401, and the routine refresh 55 minutes after that.
    expect(sender.tokens.fetched).toBe(3);
  });
});
