/**
 * Conformance of what APNs ties to a connection (protocols.md §1.9, §1.11): the stream limit
 * before and after auth, one team per connection, token-update throttling, key relations, the
 * per-token request limit, GOAWAY with a JSON reason on close and on idle. Time runs on an
 * injected clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateApnsSigningKey } from '../../simulator/apns/credentials.js';
import type { MockApnsOptions } from '../../simulator/apns/options.js';
import { startMockApns, type MockApns } from '../../simulator/apns/server.js';
import { deviceToken, eventually, signProviderToken, uuidV4Lower } from '../simulator/apns/helpers.js';
import { open, remoteStreamLimit, type Connection } from './helpers.js';

const payload = '{"aps":{"alert":"hi"}}';
const topic = 'com.example.app';
const startMs = 1_800_000_000_000;
let mock: MockApns | undefined;
const connections: Connection[] = [];

afterEach(async () => {
  for (const connection of connections.splice(0)) connection.client.destroy();
  await mock?.close();
  mock = undefined;
});

async function start(options: MockApnsOptions): Promise<MockApns> {
  mock = await startMockApns(options);
  return mock;
}

function connect(target: MockApns): Connection {
  const connection = open(target.url, { ca: target.ca });
  connections.push(connection);
  return connection;
}

const push = (connection: Connection, jwt: string, token = deviceToken(1), extra = {}) =>
  connection.send({ path: `/3/device/${token}`, headers: { authorization: `bearer ${jwt}`, 'apns-topic': topic, ...extra }, body: payload });
const reasonOf = (response: { status: number; body: string }): string => (response.status === 200 ? 'accepted' : (JSON.parse(response.body) as { reason: string }).reason);

describe('stream limit (§1.9 "Streams before auth")', () => {
  it('advertises 1 stream until a valid provider token, then maxConcurrentStreams', async () => {
    const apns = await start({ maxConcurrentStreams: 50 });
    const connection = connect(apns);
    await remoteStreamLimit(connection.client, 1);
    expect(reasonOf(await push(connection, 'garbage'))).toBe('InvalidProviderToken');
    expect(connection.client.remoteSettings.maxConcurrentStreams).toBe(1);
    const jwt = await signProviderToken(apns.credentials);
    expect(reasonOf(await push(connection, jwt))).toBe('accepted');
    await remoteStreamLimit(connection.client, 50);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => push(connection, jwt, deviceToken(i))));
    expect(answers.map(reasonOf)).toEqual(Array(40).fill('accepted'));
  });
});

describe('one team per connection, key relations (§1.9)', () => {
  it('pins the first team: another trusted team on the same connection is InvalidProviderToken, fine on its own', async () => {
    const a = generateApnsSigningKey();
    const other = generateApnsSigningKey();
    const withTwoTeams = await start({
      keys: [
        { keyId: a.keyId, teamId: a.teamId, key: a.privateKey },
        { keyId: other.keyId, teamId: other.teamId, key: other.privateKey },
      ],
      tokenUpdateWindowMs: 0,
    });
    const connection = connect(withTwoTeams);
    expect(reasonOf(await push(connection, await signProviderToken(a)))).toBe('accepted');
    expect(reasonOf(await push(connection, await signProviderToken(other)))).toBe('InvalidProviderToken');
    expect(reasonOf(await push(connect(withTwoTeams), await signProviderToken(other)))).toBe('accepted');
  });

  it('answers UnrelatedKeyIdInToken when a topic-specific key follows another key on the connection', async () => {
    const team = generateApnsSigningKey();
    const scoped = generateApnsSigningKey({ teamId: team.teamId });
    const apns = await start({
      keys: [
        { keyId: team.keyId, teamId: team.teamId, key: team.privateKey },
        { keyId: scoped.keyId, teamId: scoped.teamId, key: scoped.privateKey, topics: [topic] },
      ],
      tokenUpdateWindowMs: 0,
    });
    const connection = connect(apns);
    expect(reasonOf(await push(connection, await signProviderToken(team)))).toBe('accepted');
    expect(reasonOf(await push(connection, await signProviderToken(scoped)))).toBe('UnrelatedKeyIdInToken');
    expect(reasonOf(await push(connect(apns), await signProviderToken(scoped)))).toBe('accepted');
  });
});

describe('token updates (§1.9: at most one new token per 20 minutes per connection)', () => {
  it('answers 429 TooManyProviderTokenUpdates to a new token within the window, accepts it after', async () => {
    let now = startMs;
    const apns = await start({ clock: { now: () => now } });
    const iat = startMs / 1000;
    const first = await signProviderToken(apns.credentials, { iat });
    const second = await signProviderToken(apns.credentials, { iat: iat + 1 });
    const connection = connect(apns);
    expect(reasonOf(await push(connection, first))).toBe('accepted');
    now += 19 * 60_000;
    const early = await push(connection, second);
    expect({ status: early.status, reason: reasonOf(early) }).toEqual({ status: 429, reason: 'TooManyProviderTokenUpdates' });
    expect(reasonOf(await push(connection, first))).toBe('accepted');
    now += 60_000;
    expect(reasonOf(await push(connection, second))).toBe('accepted');
    // Another connection has its own window.
    expect(reasonOf(await push(connect(apns), first))).toBe('accepted');
  });

  it('treats tokens with the same key and iat as one token (ES256 signatures differ each time they are made)', async () => {
    let now = startMs;
    const apns = await start({ clock: { now: () => now } });
    const iat = startMs / 1000;
    const [a, b] = await Promise.all([signProviderToken(apns.credentials, { iat }), signProviderToken(apns.credentials, { iat })]);
    expect(a).not.toBe(b);
    const connection = connect(apns);
    expect([reasonOf(await push(connection, a)), reasonOf(await push(connection, b)), reasonOf(await push(connection, a))]).toEqual(['accepted', 'accepted', 'accepted']);
    now += 60_000;
    expect(reasonOf(await push(connection, await signProviderToken(apns.credentials, { iat: iat + 60 })))).toBe('TooManyProviderTokenUpdates');
  });

  it('takes the window as a setting (tokenUpdateWindowMs) so tests can shrink it', async () => {
    let now = startMs;
    const apns = await start({ clock: { now: () => now }, tokenUpdateWindowMs: 1_000 });
    const connection = connect(apns);
    expect(reasonOf(await push(connection, await signProviderToken(apns.credentials, { iat: startMs / 1000 })))).toBe('accepted');
    expect(reasonOf(await push(connection, await signProviderToken(apns.credentials, { iat: startMs / 1000 + 1 })))).toBe('TooManyProviderTokenUpdates');
    now += 1_000;
    expect(reasonOf(await push(connection, await signProviderToken(apns.credentials, { iat: startMs / 1000 + 2 })))).toBe('accepted');
  });
});

describe('TooManyRequests (per device token, configurable window)', () => {
  it('answers 429 past `max` pushes to one token in the window, per token, and again after it', async () => {
    let now = startMs;
    const apns = await start({ clock: { now: () => now }, deviceRateLimit: { max: 2, windowMs: 10_000 } });
    const jwt = await signProviderToken(apns.credentials, { iat: startMs / 1000 });
    const connection = connect(apns);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(reasonOf(await push(connection, jwt, deviceToken(5))));
    expect(answers).toEqual(['accepted', 'accepted', 'TooManyRequests']);
    expect(reasonOf(await push(connection, jwt, deviceToken(6)))).toBe('accepted');
    now += 10_000;
    expect(reasonOf(await push(connection, jwt, deviceToken(5)))).toBe('accepted');
  });
});

describe('GOAWAY (§1.5, §1.11)', () => {
  it('on close: GOAWAY carrying {"reason":"Shutdown"}, and the stream in flight still gets its answer', async () => {
    let sampled!: () => void;
    const inFlight = new Promise<void>((resolve) => (sampled = resolve));
    const apns = await start({ latency: () => (sampled(), 100) });
    const connection = connect(apns);
    const jwt = await signProviderToken(apns.credentials);
    const pending = push(connection, jwt);
    await inFlight;
    const closed = apns.close();
    const response = await pending;
    expect(response.status).toBe(200);
    await closed;
    expect(connection.goaways[0]).toMatchObject({ code: 0, debug: '{"reason":"Shutdown"}' });
    expect(connection.goaways[0]?.lastStreamId).toBeGreaterThanOrEqual(1);
  });

  it('on idle: GOAWAY carrying {"reason":"IdleTimeout"} once no stream opened for idleTimeoutMs (injected clock)', async () => {
    let now = startMs;
    const apns = await start({ clock: { now: () => now }, idleTimeoutMs: 40 });
    const connection = connect(apns);
    expect(reasonOf(await push(connection, await signProviderToken(apns.credentials, { iat: startMs / 1000 })))).toBe('accepted');
    await eventually(() => apns.stats().connections === 1, 'the connection registered');
    now += 1_000;
    await eventually(() => connection.goaways.length > 0, 'a GOAWAY');
    expect(connection.goaways[0]).toMatchObject({ code: 0, debug: '{"reason":"IdleTimeout"}' });
  });
});

describe('environments and profiles', () => {
  it('sandbox: apns-unique-id on success only (§1.5)', async () => {
    const apns = await start({ sandbox: true });
    const connection = connect(apns);
    const jwt = await signProviderToken(apns.credentials);
    const ok = await push(connection, jwt);
    expect(ok.headers['apns-unique-id']).toMatch(uuidV4Lower);
    expect((await push(connection, jwt, 'bad')).headers['apns-unique-id']).toBeUndefined();
    expect(apns.environment).toBe('sandbox');
  });

  it('accept-all: every /3/device/ request is answered 200 without checks, all streams allowed at once', async () => {
    const apns = await start({ profile: 'accept-all', maxConcurrentStreams: 20 });
    const connection = connect(apns);
    await remoteStreamLimit(connection.client, 20);
    const answers = await Promise.all([
      connection.send({ path: '/3/device/not-a-token', headers: { 'apns-id': '11111111-2222-4333-8444-555555555555' } }),
      connection.send({ method: 'GET', path: `/3/device/${deviceToken(1)}` }),
    ]);
    expect(answers.map((r) => [r.status, r.endedWithHeaders])).toEqual([[200, true], [200, true]]);
    expect(answers[0]?.headers['apns-id']).toBe('11111111-2222-4333-8444-555555555555');
    expect(apns.stats()).toMatchObject({ requests: 2, accepted: 2, rejected: 0 });
  });
});
