/**
 * The mock over real sockets (h2c and TLS): every reason it emits, with APNs framing
 * (protocols.md §1.5): status, `content-type: application/json`, `apns-id`, `{"reason":…}`.
 */
import type { ClientHttp2Session, OutgoingHttpHeaders } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApnsReason } from '../../../core/reasons.js';
import { apnsReasons } from '../../../core/reasons.js';
import { generateApnsSigningKey } from '../../../simulator/apns/credentials.js';
import { startMockApns, type MockApns } from '../../../simulator/apns/server.js';
import { deviceToken, openClient, request, signHs256Token, signProviderToken, uuidV4Lower, validHeaders, type H2Request } from './helpers.js';

const goneToken = deviceToken(0x410);
const goneAt = 1_458_114_061_260;
const apnsId = '9f2c3e1a-5b7d-4c8e-a1f0-123456789abc';
const payload = '{"aps":{"alert":"hello"}}';

describe.each([
  { tls: false, transport: 'h2c' },
  { tls: true, transport: 'TLS' },
])('mock APNs over $transport', ({ tls }) => {
  let mock: MockApns;
  let client: ClientHttp2Session;
  let jwt: string;
  const send = (req: Omit<H2Request, 'headers'> & { headers?: OutgoingHttpHeaders }, auth = true) =>
    request(client, { body: payload, ...req, headers: auth ? validHeaders(jwt, req.headers) : { 'apns-topic': 'com.example.app', ...req.headers } });

  beforeAll(async () => {
    mock = await startMockApns({ tls, unregistered: { [goneToken]: goneAt } });
    jwt = await signProviderToken(mock.credentials);
    client = openClient(mock);
  });
  afterAll(async () => {
    client.close();
    await mock.close();
  });

  it(`serves ${tls ? 'https' : 'http'} on 127.0.0.1 and exposes a CA only with TLS`, () => {
    expect(mock.url).toMatch(tls ? /^https:\/\/127\.0\.0\.1:\d+$/ : /^http:\/\/127\.0\.0\.1:\d+$/);
    if (tls) expect(mock.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    else expect(mock.ca).toBeUndefined();
  });

  it('accepts a valid push: 200, the request apns-id echoed, no body, no content-type', async () => {
    const response = await send({ path: `/3/device/${deviceToken(1)}`, headers: { 'apns-id': apnsId } });
    expect(response.status).toBe(200);
    expect(response.headers['apns-id']).toBe(apnsId);
    expect(response.body).toBe('');
    expect(response.headers['content-type']).toBeUndefined();
    expect(response.headers['apns-unique-id']).toBeUndefined();
  });

  it('generates a lower-case UUID apns-id when the request has none', async () => {
    const response = await send({ path: `/3/device/${deviceToken(1)}` });
    expect(response.status).toBe(200);
    expect(response.headers['apns-id']).toMatch(uuidV4Lower);
  });

  it('accepts a body sent without content-type or content-length, and one with a content-type fastify cannot parse', async () => {
    expect((await send({ path: `/3/device/${deviceToken(1)}` })).status).toBe(200);
    expect((await send({ path: `/3/device/${deviceToken(1)}`, headers: { 'content-type': 'garbage' } })).status).toBe(200);
    expect((await send({ path: `/3/device/${deviceToken(1)}`, headers: { 'content-type': 'application/json; charset=utf-8' } })).status).toBe(200);
  });

  it('answers 410 Unregistered with the numeric timestamp', async () => {
    const response = await send({ path: `/3/device/${goneToken}`, headers: { 'apns-id': apnsId } });
    expect(response.status).toBe(410);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['apns-id']).toBe(apnsId);
    expect(JSON.parse(response.body)).toEqual({ reason: 'Unregistered', timestamp: goneAt });
  });

  const token = deviceToken(7);
  const cases: [string, () => Promise<H2Request & { auth?: boolean }>, ApnsReason][] = [
    ['a malformed apns-id', async () => ({ path: `/3/device/${token}`, headers: { 'apns-id': '1234' } }), 'BadMessageId'],
    ['GET', async () => ({ method: 'GET', path: `/3/device/${token}`, body: undefined }), 'MethodNotAllowed'],
    ['DELETE', async () => ({ method: 'DELETE', path: `/3/device/${token}`, body: undefined }), 'MethodNotAllowed'],
    ['a method fastify does not know', async () => ({ method: 'FOO', path: `/3/device/${token}` }), 'MethodNotAllowed'],
    ['no apns-topic', async () => ({ path: `/3/device/${token}`, headers: { 'apns-topic': '' } }), 'MissingTopic'],
    ['a 65-byte collapse id', async () => ({ path: `/3/device/${token}`, headers: { 'apns-collapse-id': 'x'.repeat(65) } }), 'BadCollapseId'],
    ['priority 3', async () => ({ path: `/3/device/${token}`, headers: { 'apns-priority': '3' } }), 'BadPriority'],
    ['an unknown push type', async () => ({ path: `/3/device/${token}`, headers: { 'apns-push-type': 'fax' } }), 'InvalidPushType'],
    ['a non-numeric expiration', async () => ({ path: `/3/device/${token}`, headers: { 'apns-expiration': 'tomorrow' } }), 'BadExpirationDate'],
    ['no token in the path', async () => ({ path: '/3/device/' }), 'MissingDeviceToken'],
    ['a token that is not 64 hex', async () => ({ path: '/3/device/1234' }), 'BadDeviceToken'],
    ['a token longer than the router allows', async () => ({ path: `/3/device/${'a'.repeat(5000)}` }), 'BadDeviceToken'],
    ['no authorization', async () => ({ path: `/3/device/${token}`, auth: false }), 'MissingProviderToken'],
    ['a JWT from an unknown key', async () => ({ path: `/3/device/${token}`, headers: { authorization: `bearer ${await signProviderToken(generateApnsSigningKey())}` } }), 'InvalidProviderToken'],
    ['a JWT with alg HS256', async () => ({ path: `/3/device/${token}`, headers: { authorization: `bearer ${await signHs256Token(mock.credentials)}` } }), 'InvalidProviderToken'],
    ['a JWT issued 2 hours ago', async () => ({ path: `/3/device/${token}`, headers: { authorization: `bearer ${await signProviderToken(mock.credentials, { iat: Math.floor(Date.now() / 1000) - 7200 })}` } }), 'ExpiredProviderToken'],
    ['an empty body', async () => ({ path: `/3/device/${token}`, body: '' }), 'PayloadEmpty'],
    ['no body at all', async () => ({ path: `/3/device/${token}`, body: undefined }), 'PayloadEmpty'],
    ['a 4097-byte body', async () => ({ path: `/3/device/${token}`, body: `{"a":"${'x'.repeat(4089)}"}` }), 'PayloadTooLarge'],
    ['a 5121-byte voip body', async () => ({ path: `/3/device/${token}`, headers: { 'apns-push-type': 'voip', 'apns-topic': 'com.example.app.voip' }, body: `{"a":"${'x'.repeat(5113)}"}` }), 'PayloadTooLarge'],
    ['a 2 MiB body with a content-type (over fastify bodyLimit)', async () => ({ path: `/3/device/${token}`, headers: { 'content-type': 'application/json' }, body: `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}` }), 'PayloadTooLarge'],
    ['a 2 MiB body without content-type', async () => ({ path: `/3/device/${token}`, body: `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}` }), 'PayloadTooLarge'],
    ['a body that is not a JSON object', async () => ({ path: `/3/device/${token}`, body: '["aps"]' }), 'BadPayload'],
    ['another path', async () => ({ path: '/3/devices/abc' }), 'BadPath'],
    ['the root path', async () => ({ path: '/' }), 'BadPath'],
    ['a malformed URL escape outside /3/device/', async () => ({ path: '/%zz' }), 'BadPath'],
    ['a malformed URL escape as the token (Pushy: the token is checked as it stands)', async () => ({ path: '/3/device/%zz' }), 'BadDeviceToken'],
  ];

  it.each(cases)('rejects %s in APNs framing', async (_name, build, reason) => {
    const { auth, ...req } = await build();
    const response = await send({ body: payload, ...req, headers: { 'apns-id': reason === 'BadMessageId' ? '1234' : apnsId, ...req.headers } }, auth ?? true);
    expect({ status: response.status, body: JSON.parse(response.body) as unknown }).toEqual({ status: apnsReasons[reason].status, body: { reason } });
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['apns-id']).toEqual(reason === 'BadMessageId' ? expect.stringMatching(uuidV4Lower) : apnsId);
  });

  it('accepts a 5120-byte voip push', async () => {
    const body = `{"a":"${'x'.repeat(5112)}"}`;
    expect(body.length).toBe(5120);
    expect((await send({ path: `/3/device/${token}`, headers: { 'apns-push-type': 'voip', 'apns-topic': 'com.example.app.voip' }, body })).status).toBe(200);
  });

  it('keeps the connection usable after rejections and counts every request', async () => {
    const before = mock.stats();
    await send({ path: '/nope' });
    const ok = await send({ path: `/3/device/${token}` });
    expect(ok.status).toBe(200);
    const after = mock.stats();
    expect(after.requests - before.requests).toBe(2);
    expect(after.accepted - before.accepted).toBe(1);
    expect((after.byReason.BadPath ?? 0) - (before.byReason.BadPath ?? 0)).toBe(1);
    expect(after.requests).toBe(after.accepted + after.rejected);
    expect(after.connections).toBe(1);
  });
});
