/**
 * Conformance: every APNs reason of protocols.md §1.7 over real HTTP/2 sockets, table-driven. Each
 * case checks the status and reason from core/reasons.ts, the framing (§1.5: HEADERS without
 * END_STREAM, then DATA with `{"reason":…}`), `content-type: application/json` and `apns-id`
 * (echoed when the request's is valid). Certificate-auth reasons are in apns-certificates.test.ts,
 * connection-level ones (token updates, GOAWAY) in apns-connection.test.ts.
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apnsReasons, type ApnsReason } from '../../core/reasons.js';
import { generateApnsSigningKey, type ApnsSigningKey } from '../../simulator/apns/credentials.js';
import { startMockApns, type MockApns } from '../../simulator/apns/server.js';
import { deviceToken, signHs256Token, signProviderToken, uuidV4Lower } from '../simulator/apns/helpers.js';
import { open, type Connection, type FramedResponse } from './helpers.js';

const T = deviceToken;
const topic = 'com.example.app';
const apnsId = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const payload = '{"aps":{"alert":"hello"}}';
const goneAt = 1_458_114_061_260;

const main = generateApnsSigningKey();
const scoped = generateApnsSigningKey({ teamId: main.teamId });
const sandboxOnly = generateApnsSigningKey({ teamId: main.teamId });

// Signed up front: the table below is built when the module loads.
const jwt = await signProviderToken(main);
let mock: MockApns;
let shared: Connection;
const opened: Connection[] = [];

beforeAll(async () => {
  mock = await startMockApns({
    keys: [
      { keyId: main.keyId, teamId: main.teamId, key: main.privateKey },
      { keyId: scoped.keyId, teamId: scoped.teamId, key: scoped.privateKey, topics: ['com.example.scoped'] },
      { keyId: sandboxOnly.keyId, teamId: sandboxOnly.teamId, key: sandboxOnly.privateKey, environment: 'sandbox' },
    ],
    config: {
      devices: { [topic]: [T(100)], 'com.example.other': [T(101)] },
      unregistered: { [T(410)]: goneAt },
      expired: [T(411)],
      topics: { disallowed: ['com.example.disallowed'], forbidden: ['com.example.forbidden'] },
      script: { [T(500)]: 'InternalServerError', [T(503)]: 'ServiceUnavailable', [T(504)]: 'Shutdown', [T(505)]: 'IdleTimeout', [T(506)]: ['ServiceUnavailable', 'accept'] },
    },
    onPush: (push) => {
      if (push.topic === 'com.example.crash') throw new Error('handler bug');
      return push.token === T(777) ? 'Forbidden' : undefined;
    },
  });
  shared = open(mock.url);
  // Authenticate the shared connection first: until then it allows one stream (§1.9).
  expect((await shared.send({ path: `/3/device/${T(1)}`, headers: headers(), body: payload })).status).toBe(200);
});

afterAll(async () => {
  for (const connection of [shared, ...opened]) connection.close();
  await mock.close();
});

function headers(extra: OutgoingHttpHeaders = {}, token = jwt): OutgoingHttpHeaders {
  return { authorization: `bearer ${token}`, 'apns-topic': topic, 'apns-id': apnsId, ...extra };
}

/** A case: the request, the expected reason, and optionally a fresh connection. */
interface Case {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: OutgoingHttpHeaders | (() => Promise<OutgoingHttpHeaders>);
  readonly body?: string | null;
  readonly fresh?: boolean;
}

const sign = (key: ApnsSigningKey, claims: Parameters<typeof signProviderToken>[1] = {}) => async () => headers({}, await signProviderToken(key, claims));
const withAuth = (authorization: string | undefined): OutgoingHttpHeaders => {
  const { authorization: _drop, ...rest } = headers();
  return authorization === undefined ? rest : { ...rest, authorization };
};
const now = (): number => Math.floor(Date.now() / 1000);

const cases: [string, ApnsReason, Case][] = [
  ['a collapse id of 65 bytes', 'BadCollapseId', { headers: headers({ 'apns-collapse-id': 'c'.repeat(65) }) }],
  ['a collapse id of 22 three-byte characters (66 bytes)', 'BadCollapseId', { headers: headers({ 'apns-collapse-id': Buffer.from('€'.repeat(22)).toString('latin1') }) }],
  ['a token of 63 hex digits', 'BadDeviceToken', { path: `/3/device/${'a'.repeat(63)}` }],
  ['a token with a non-hex character', 'BadDeviceToken', { path: `/3/device/${'g'.repeat(64)}` }],
  ['a token that is a % escape', 'BadDeviceToken', { path: '/3/device/%zz' }],
  ['a 5000-character token', 'BadDeviceToken', { path: `/3/device/${'a'.repeat(5000)}` }],
  ['an expiration that is not a number', 'BadExpirationDate', { headers: headers({ 'apns-expiration': 'tomorrow' }) }],
  ['a negative expiration', 'BadExpirationDate', { headers: headers({ 'apns-expiration': '-1' }) }],
  ['a fractional expiration', 'BadExpirationDate', { headers: headers({ 'apns-expiration': '1.5' }) }],
  ['an apns-id that is not a UUID', 'BadMessageId', { headers: headers({ 'apns-id': 'not-a-uuid' }) }],
  ['an apns-id without dashes', 'BadMessageId', { headers: headers({ 'apns-id': apnsId.replaceAll('-', '') }) }],
  ['priority 3', 'BadPriority', { headers: headers({ 'apns-priority': '3' }) }],
  ['priority "high"', 'BadPriority', { headers: headers({ 'apns-priority': 'high' }) }],
  ['a background push at priority 10', 'BadPriority', { headers: headers({ 'apns-push-type': 'background', 'apns-priority': '10' }) }],
  ['a background push without priority (10 by default)', 'BadPriority', { headers: headers({ 'apns-push-type': 'background' }) }],
  ['a voip push to the bare bundle id', 'BadTopic', { headers: headers({ 'apns-push-type': 'voip' }) }],
  ['an alert push to a .voip topic', 'BadTopic', { headers: headers({ 'apns-push-type': 'alert', 'apns-topic': `${topic}.voip` }) }],
  ['a liveactivity push without the .push-type.liveactivity suffix', 'BadTopic', { headers: headers({ 'apns-push-type': 'liveactivity' }) }],
  ['a token registered for another topic', 'DeviceTokenNotForTopic', { path: `/3/device/${T(101)}` }],
  ['a token registered for another app, to a .voip topic', 'DeviceTokenNotForTopic', { path: `/3/device/${T(101)}`, headers: headers({ 'apns-topic': `${topic}.voip` }) }],
  ['apns-topic twice', 'DuplicateHeaders', { headers: headers({ 'apns-topic': [topic, topic] }) }],
  ['apns-id twice', 'DuplicateHeaders', { headers: headers({ 'apns-id': [apnsId, apnsId] }) }],
  ['apns-priority twice, same value', 'DuplicateHeaders', { headers: headers({ 'apns-priority': ['10', '10'] }) }],
  ['push type "fax"', 'InvalidPushType', { headers: headers({ 'apns-push-type': 'fax' }) }],
  ['push type "ALERT" (case matters)', 'InvalidPushType', { headers: headers({ 'apns-push-type': 'ALERT' }) }],
  ['no token in the path', 'MissingDeviceToken', { path: '/3/device/' }],
  ['no apns-topic', 'MissingTopic', { headers: () => Promise.resolve(Object.fromEntries(Object.entries(headers()).filter(([name]) => name !== 'apns-topic'))) }],
  ['an empty apns-topic', 'MissingTopic', { headers: headers({ 'apns-topic': '' }) }],
  ['an empty body', 'PayloadEmpty', { body: '' }],
  ['no body at all', 'PayloadEmpty', { body: null }],
  ['a disallowed topic', 'TopicDisallowed', { headers: headers({ 'apns-topic': 'com.example.disallowed' }) }],
  ['a disallowed app, to its .voip topic', 'TopicDisallowed', { headers: headers({ 'apns-topic': 'com.example.disallowed.voip', 'apns-push-type': 'voip' }) }],
  ['a provider token issued 2 hours ago', 'ExpiredProviderToken', { headers: sign(main, { iat: now() - 7200 }) }],
  ['a provider token issued 10 minutes in the future', 'ExpiredProviderToken', { headers: sign(main, { iat: now() + 600 }) }],
  ['a forbidden topic', 'Forbidden', { headers: headers({ 'apns-topic': 'com.example.forbidden' }) }],
  ['a push the handler (onPush) forbids', 'Forbidden', { path: `/3/device/${T(777)}` }],
  ['a key id the mock does not know', 'InvalidProviderToken', { headers: sign({ ...generateApnsSigningKey(), teamId: main.teamId }) }],
  ['a known kid signed by another key', 'InvalidProviderToken', { headers: sign({ ...generateApnsSigningKey(), keyId: main.keyId, teamId: main.teamId }) }],
  ['alg HS256 with the right kid and team', 'InvalidProviderToken', { headers: async () => headers({}, await signHs256Token(main)) }],
  ['alg none', 'InvalidProviderToken', { headers: headers({}, `${b64({ alg: 'none', kid: main.keyId })}.${b64({ iss: main.teamId, iat: now() })}.`) }],
  ['alg RS256 with a valid RSA signature', 'InvalidProviderToken', { headers: async () => headers({}, await rs256(main)) }],
  ['iss of another team', 'InvalidProviderToken', { headers: sign(main, { iss: 'OTHERTEAM1' }) }],
  ['random bytes as the JWT', 'InvalidProviderToken', { headers: headers({}, 'x'.repeat(40)) }],
  ['a topic-specific key used for another topic', 'InvalidProviderToken', { headers: sign(scoped), fresh: true }],
  ['no authorization header', 'MissingProviderToken', { headers: withAuth(undefined), fresh: true }],
  ['authorization "Basic …"', 'MissingProviderToken', { headers: withAuth('Basic dXNlcjpwYXNz') }],
  ['authorization "bearer " with no token', 'MissingProviderToken', { headers: withAuth('bearer ') }],
  ['a path outside /3/device/', 'BadPath', { path: '/3/devices/abc' }],
  ['the root path', 'BadPath', { path: '/' }],
  ['API version 4', 'BadPath', { path: `/4/device/${T(1)}` }],
  ['GET', 'MethodNotAllowed', { method: 'GET', body: null }],
  ['PUT', 'MethodNotAllowed', { method: 'PUT' }],
  ['DELETE on another path (method is checked before the path)', 'MethodNotAllowed', { method: 'DELETE', path: '/elsewhere', body: null }],
  ['an expired token', 'ExpiredToken', { path: `/3/device/${T(411)}` }],
  ['an unregistered token', 'Unregistered', { path: `/3/device/${T(410)}` }],
  ['a 4097-byte payload', 'PayloadTooLarge', { body: `{"a":"${'x'.repeat(4089)}"}` }],
  ['a 5121-byte voip payload', 'PayloadTooLarge', { headers: headers({ 'apns-push-type': 'voip', 'apns-topic': `${topic}.voip` }), body: `{"a":"${'x'.repeat(5113)}"}` }],
  ['a 2 MiB payload', 'PayloadTooLarge', { body: `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}` }],
  ['a handler that throws', 'InternalServerError', { headers: headers({ 'apns-topic': 'com.example.crash' }) }],
  ['a token scripted to fail with 500', 'InternalServerError', { path: `/3/device/${T(500)}` }],
  ['a token scripted ServiceUnavailable', 'ServiceUnavailable', { path: `/3/device/${T(503)}` }],
  ['a token scripted Shutdown', 'Shutdown', { path: `/3/device/${T(504)}` }],
  ['a token scripted IdleTimeout', 'IdleTimeout', { path: `/3/device/${T(505)}` }],
  ['an environment-scoped key used against the other environment', 'BadEnvironmentKeyIdInToken', { headers: sign(sandboxOnly), fresh: true }],
];

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function rs256(key: ApnsSigningKey): Promise<string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return new SignJWT({ iss: key.teamId, iat: now() }).setProtectedHeader({ alg: 'RS256', kid: key.keyId }).sign(privateKey);
}

async function send(c: Case): Promise<FramedResponse> {
  const connection = c.fresh === true ? open(mock.url) : shared;
  if (c.fresh === true) opened.push(connection);
  const requestHeaders = typeof c.headers === 'function' ? await c.headers() : (c.headers ?? headers());
  const body = c.body === null ? undefined : (c.body ?? payload);
  return connection.send({ method: c.method ?? 'POST', path: c.path ?? `/3/device/${T(1)}`, headers: requestHeaders, ...(body !== undefined && { body }) });
}

describe('every APNs reason, over a real HTTP/2 connection', () => {
  it.each(cases)('%s → %s', async (_name, reason, c) => {
    const response = await send(c);
    const expectedBody = reason === 'Unregistered' ? { reason, timestamp: goneAt } : { reason };
    expect({ status: response.status, body: JSON.parse(response.body) as unknown }).toEqual({ status: apnsReasons[reason].status, body: expectedBody });
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.endedWithHeaders).toBe(false);
    expect(response.dataChunks).toBeGreaterThanOrEqual(1);
    const sentId = (typeof c.headers === 'object' ? c.headers['apns-id'] : apnsId) ?? apnsId;
    const echoes = typeof sentId === 'string' && /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.test(sentId) && reason !== 'DuplicateHeaders';
    expect(response.headers['apns-id']).toEqual(echoes ? sentId : expect.stringMatching(uuidV4Lower));
    expect(response.headers['apns-unique-id']).toBeUndefined();
  });

  it('covers every reason of the table except the pushsim-only BadPayload, the broadcast-only ones and those tested elsewhere', () => {
    const covered = new Set(cases.map(([, reason]) => reason));
    const elsewhere = ['BadCertificate', 'BadCertificateEnvironment', 'TooManyProviderTokenUpdates', 'TooManyRequests', 'UnrelatedKeyIdInToken', 'BadPayload'];
    const missing = Object.keys(apnsReasons).filter((reason) => !covered.has(reason as ApnsReason) && !elsewhere.includes(reason));
    expect(missing).toEqual([]);
  });

  it('accepts a valid push in one HEADERS frame with END_STREAM: 200, apns-id echoed, no body', async () => {
    const response = await shared.send({ path: `/3/device/${T(100)}`, headers: headers(), body: payload });
    expect(response).toMatchObject({ status: 200, body: '', endedWithHeaders: true, dataChunks: 0 });
    expect(response.headers['apns-id']).toBe(apnsId);
    expect(response.headers['content-type']).toBeUndefined();
  });

  it('plays a scripted list one push at a time, then answers normally', async () => {
    const first = await shared.send({ path: `/3/device/${T(506)}`, headers: headers(), body: payload });
    const second = await shared.send({ path: `/3/device/${T(506)}`, headers: headers(), body: payload });
    const third = await shared.send({ path: `/3/device/${T(506)}`, headers: headers(), body: payload });
    expect([first.status, second.status, third.status]).toEqual([503, 200, 200]);
  });

  it('changes devices and rules while running', async () => {
    const push = (token: string, extra: OutgoingHttpHeaders = {}) => shared.send({ path: `/3/device/${token}`, headers: headers(extra), body: payload });
    mock.devices.expire(T(900));
    expect(JSON.parse((await push(T(900))).body)).toEqual({ reason: 'ExpiredToken' });
    mock.devices.reregister(T(900));
    expect((await push(T(900))).status).toBe(200);
    mock.rules.forbidTopic('com.example.later');
    expect((await push(T(901), { 'apns-topic': 'com.example.later' })).status).toBe(403);
    mock.rules.allowTopic('com.example.later');
    expect((await push(T(901), { 'apns-topic': 'com.example.later' })).status).toBe(200);
    mock.rules.script(T(902), 'TooManyRequests');
    expect(JSON.parse((await push(T(902))).body)).toEqual({ reason: 'TooManyRequests' });
  });
});
