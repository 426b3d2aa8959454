import { describe, expect, it } from 'vitest';
import type { ApnsReason } from '../../../core/reasons.js';
import {
  apnsPushTypes,
  defaultDeviceTokenPattern,
  findDuplicateHeader,
  responseApnsId,
  validateApnsRequest,
  type ApnsValidationContext,
  type ApnsVerdict,
  type RequestHeaders,
} from '../../../simulator/apns/validate.js';
import { topicSuffixByPushType } from '../../../simulator/apns/push-types.js';
import { deviceToken, uuidV4Lower } from './helpers.js';

const token = deviceToken(1);
const goneToken = deviceToken(2);
const payload = Buffer.from('{"aps":{"alert":"hi"}}');
const apnsId = '123e4567-e89b-42d3-a456-426614174000';

const context: ApnsValidationContext = {
  deviceTokenPattern: defaultDeviceTokenPattern,
  isUnregistered: (t) => (t === goneToken ? 1_458_114_061_260 : undefined),
  authenticate: (authorization) => (authorization === 'bearer good' ? undefined : 'InvalidProviderToken'),
  maxPayloadBytes: 4096,
  maxVoipPayloadBytes: 5120,
};

const goodHeaders: RequestHeaders = { 'apns-topic': 'com.example.app', authorization: 'bearer good' };

function verdict(
  overrides: { method?: string; token?: string | null; headers?: RequestHeaders; body?: Buffer } = {},
  ctx: ApnsValidationContext = context,
): ApnsVerdict {
  const result = validateApnsRequest(
    overrides.method ?? 'POST',
    overrides.token === undefined ? token : overrides.token,
    { ...goodHeaders, ...overrides.headers },
    overrides.body ?? payload,
    ctx,
  );
  if (result instanceof Promise) throw new Error('expected a synchronous verdict');
  return result;
}

const reasonOf = (v: ApnsVerdict): ApnsReason | 'accepted' => (v.ok ? 'accepted' : v.reason);

describe('validateApnsRequest', () => {
  it('accepts a well-formed request and echoes its apns-id', () => {
    expect(verdict({ headers: { 'apns-id': apnsId } })).toEqual({ ok: true, apnsId });
  });

  it('generates a lower-case UUID apns-id when the request has none', () => {
    const result = verdict();
    expect(result.apnsId).toMatch(uuidV4Lower);
    expect(verdict().apnsId).not.toBe(result.apnsId);
  });

  it.each<[string, Parameters<typeof verdict>[0], ApnsReason]>([
    ['apns-id not a UUID', { headers: { 'apns-id': 'not-a-uuid' } }, 'BadMessageId'],
    ['method GET', { method: 'GET' }, 'MethodNotAllowed'],
    ['method PUT', { method: 'PUT' }, 'MethodNotAllowed'],
    ['no apns-topic', { headers: { 'apns-topic': undefined } }, 'MissingTopic'],
    ['empty apns-topic', { headers: { 'apns-topic': '' } }, 'MissingTopic'],
    ['collapse id of 65 bytes', { headers: { 'apns-collapse-id': 'c'.repeat(65) } }, 'BadCollapseId'],
    ['priority 7', { headers: { 'apns-priority': '7' } }, 'BadPriority'],
    ['priority "high"', { headers: { 'apns-priority': 'high' } }, 'BadPriority'],
    ['unknown push type', { headers: { 'apns-push-type': 'widget' } }, 'InvalidPushType'],
    ['expiration in the past as a date string', { headers: { 'apns-expiration': '2024-01-01' } }, 'BadExpirationDate'],
    ['negative expiration', { headers: { 'apns-expiration': '-1' } }, 'BadExpirationDate'],
    ['empty token (/3/device/)', { token: '' }, 'MissingDeviceToken'],
    ['token of 63 hex', { token: 'a'.repeat(63) }, 'BadDeviceToken'],
    ['token with a non-hex character', { token: 'g'.repeat(64) }, 'BadDeviceToken'],
    ['bad provider token', { headers: { authorization: 'bearer bad' } }, 'InvalidProviderToken'],
    ['empty body', { body: Buffer.alloc(0) }, 'PayloadEmpty'],
    ['4097-byte body', { body: Buffer.from(`{"a":"${'x'.repeat(4089)}"}`) }, 'PayloadTooLarge'],
    ['a JSON array', { body: Buffer.from('[1]') }, 'BadPayload'],
    ['JSON null', { body: Buffer.from('null') }, 'BadPayload'],
    ['not JSON', { body: Buffer.from('{"aps":') }, 'BadPayload'],
  ])('rejects %s', (_name, overrides, reason) => {
    expect(reasonOf(verdict(overrides))).toBe(reason);
  });

  it('answers 410 Unregistered with the token timestamp', () => {
    expect(verdict({ token: goneToken, headers: { 'apns-id': apnsId } })).toEqual({
      ok: false,
      reason: 'Unregistered',
      apnsId,
      timestamp: 1_458_114_061_260,
    });
  });

  it('accepts every documented push type and priority, a 64-byte collapse id and numeric expirations', () => {
    for (const pushType of apnsPushTypes) {
      const topic = `com.example.app${topicSuffixByPushType.get(pushType) ?? '.anything'}`;
      const priority = pushType === 'background' ? '5' : '10';
      expect(reasonOf(verdict({ headers: { 'apns-push-type': pushType, 'apns-topic': topic, 'apns-priority': priority } }))).toBe('accepted');
    }
    for (const priority of ['10', '5', '1']) expect(reasonOf(verdict({ headers: { 'apns-priority': priority } }))).toBe('accepted');
    expect(reasonOf(verdict({ headers: { 'apns-collapse-id': 'c'.repeat(64) } }))).toBe('accepted');
    expect(reasonOf(verdict({ headers: { 'apns-expiration': '0' } }))).toBe('accepted');
    expect(reasonOf(verdict({ headers: { 'apns-expiration': '1900000000' } }))).toBe('accepted');
    expect(reasonOf(verdict({ headers: { 'apns-id': apnsId.toUpperCase() } }))).toBe('accepted');
  });

  it('measures the collapse id in wire bytes (node:http2 gives one char per byte)', () => {
    // 22 three-byte UTF-8 characters = 66 bytes, as node:http2 hands them over (latin1-decoded).
    const wire = Buffer.from('€'.repeat(22), 'utf8').toString('latin1');
    expect(reasonOf(verdict({ headers: { 'apns-collapse-id': wire } }))).toBe('BadCollapseId');
  });

  it('allows 5120 bytes for voip pushes but 4096 for others (protocols.md §1.4)', () => {
    const body = Buffer.from(`{"a":"${'x'.repeat(5000)}"}`);
    const voip = { 'apns-push-type': 'voip', 'apns-topic': 'com.example.app.voip' };
    expect(reasonOf(verdict({ body, headers: voip }))).toBe('accepted');
    expect(reasonOf(verdict({ body, headers: { 'apns-push-type': 'alert' } }))).toBe('PayloadTooLarge');
    const over = Buffer.from(`{"a":"${'x'.repeat(5113)}"}`);
    expect(over.length).toBe(5121);
    expect(reasonOf(verdict({ body: over, headers: voip }))).toBe('PayloadTooLarge');
    const exactly = Buffer.from(`{"a":"${'x'.repeat(4088)}"}`);
    expect(exactly.length).toBe(4096);
    expect(reasonOf(verdict({ body: exactly }))).toBe('accepted');
  });

  it('reports the first problem in Pushy order when several are present', () => {
    const everythingWrong = {
      method: 'GET',
      token: 'zz',
      headers: { 'apns-id': 'nope', 'apns-topic': undefined, 'apns-priority': '3', authorization: undefined },
      body: Buffer.alloc(0),
    };
    expect(reasonOf(verdict(everythingWrong))).toBe('BadMessageId');
    expect(reasonOf(verdict({ ...everythingWrong, headers: { ...everythingWrong.headers, 'apns-id': undefined } }))).toBe('MethodNotAllowed');
    expect(reasonOf(verdict({ ...everythingWrong, method: 'POST', headers: { ...everythingWrong.headers, 'apns-id': undefined } }))).toBe(
      'MissingTopic',
    );
    // Token checks come before auth, auth before the payload.
    expect(reasonOf(verdict({ token: goneToken, headers: { authorization: 'bearer bad' } }))).toBe('Unregistered');
    expect(reasonOf(verdict({ headers: { authorization: 'bearer bad' }, body: Buffer.alloc(0) }))).toBe('InvalidProviderToken');
  });

  it('uses the device token pattern it is given (real token length is unconfirmed, protocols.md §7)', () => {
    const long = 'ab'.repeat(80);
    expect(reasonOf(verdict({ token: long }))).toBe('BadDeviceToken');
    expect(reasonOf(verdict({ token: long }, { ...context, deviceTokenPattern: /^[0-9a-f]{64,200}$/ }))).toBe('accepted');
  });

  it('skips auth when no authenticate function is given', () => {
    const { authenticate: _unused, ...noAuth } = context;
    expect(reasonOf(verdict({ headers: { authorization: undefined } }, noAuth))).toBe('accepted');
  });

  it('is async only when authenticate is, and then still checks the payload', async () => {
    const asyncContext: ApnsValidationContext = {
      ...context,
      authenticate: (authorization) => Promise.resolve(authorization === 'bearer good' ? undefined : 'ExpiredProviderToken'),
    };
    const run = (headers: RequestHeaders, body = payload): ReturnType<typeof validateApnsRequest> =>
      validateApnsRequest('POST', token, { ...goodHeaders, ...headers }, body, asyncContext);
    const pending = run({});
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toMatchObject({ ok: true });
    expect(await run({ authorization: 'bearer old' })).toMatchObject({ ok: false, reason: 'ExpiredProviderToken' });
    expect(await run({}, Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'PayloadEmpty' });
    // Header problems are still answered synchronously.
    expect(run({ 'apns-priority': '0' })).toMatchObject({ ok: false, reason: 'BadPriority' });
  });

  it('uses generateApnsId when given', () => {
    expect(verdict({}, { ...context, generateApnsId: () => 'fixed-id' }).apnsId).toBe('fixed-id');
  });
});

describe('responseApnsId', () => {
  it('echoes a valid request id and replaces an invalid or missing one', () => {
    expect(responseApnsId({ 'apns-id': apnsId })).toBe(apnsId);
    expect(responseApnsId({ 'apns-id': 'junk' })).toMatch(uuidV4Lower);
    expect(responseApnsId({}, () => 'new')).toBe('new');
  });
});

describe('validateApnsRequest: push-type rules, connection context, late checks', () => {
  it.each<[string, RequestHeaders, ApnsReason]>([
    ['a voip push to the bare bundle id', { 'apns-push-type': 'voip' }, 'BadTopic'],
    ['an alert push to a .voip topic', { 'apns-push-type': 'alert', 'apns-topic': 'com.example.app.voip' }, 'BadTopic'],
    ['a background push at priority 10', { 'apns-push-type': 'background', 'apns-priority': '10' }, 'BadPriority'],
    ['a background push at priority 1', { 'apns-push-type': 'background', 'apns-priority': '1' }, 'BadPriority'],
    ['a background push without priority', { 'apns-push-type': 'background' }, 'BadPriority'],
  ])('rejects %s (protocols.md §1.3)', (_name, headers, reason) => {
    expect(reasonOf(verdict({ headers }))).toBe(reason);
  });

  it('needs token auth for location and liveactivity pushes on a certificate connection', () => {
    const cert: ApnsValidationContext = { ...context, authKind: 'certificate' };
    const location = { 'apns-push-type': 'location', 'apns-topic': 'com.example.app.location-query' };
    expect(reasonOf(verdict({ headers: location }, cert))).toBe('MissingProviderToken');
    expect(reasonOf(verdict({ headers: location }))).toBe('accepted');
  });

  it('uses the certificate topic when the request has none, and a connection reason before anything else but apns-id', () => {
    expect(reasonOf(verdict({ headers: { 'apns-topic': undefined } }, { ...context, defaultTopic: 'com.example.app' }))).toBe('accepted');
    const bad: ApnsValidationContext = { ...context, connectionReason: 'BadCertificate' };
    expect(reasonOf(verdict({ method: 'GET', headers: { 'apns-priority': '7' } }, bad))).toBe('BadCertificate');
    expect(reasonOf(verdict({ headers: { 'apns-id': 'nope' } }, bad))).toBe('BadMessageId');
  });

  it('answers BadPath for a null token, after the header checks (Pushy order)', () => {
    expect(reasonOf(verdict({ token: null }))).toBe('BadPath');
    expect(reasonOf(verdict({ token: null, method: 'GET' }))).toBe('MethodNotAllowed');
    expect(reasonOf(verdict({ token: null, headers: { 'apns-topic': undefined } }))).toBe('MissingTopic');
  });

  it('applies topic rules after auth, and the final hook last, with its timestamp', () => {
    const rules: ApnsValidationContext = {
      ...context,
      topicRule: (topic) => (topic === 'com.example.blocked' ? 'Forbidden' : undefined),
      final: (push) => (push.token === deviceToken(9) ? { reason: 'Unregistered', timestamp: 5 } : undefined),
    };
    expect(reasonOf(verdict({ headers: { 'apns-topic': 'com.example.blocked' } }, rules))).toBe('Forbidden');
    expect(reasonOf(verdict({ headers: { 'apns-topic': 'com.example.blocked', authorization: 'bearer bad' } }, rules))).toBe('InvalidProviderToken');
    expect(verdict({ token: deviceToken(9), headers: { 'apns-id': apnsId } }, rules)).toEqual({ ok: false, reason: 'Unregistered', apnsId, timestamp: 5 });
    expect(reasonOf(verdict({ token: deviceToken(9), body: Buffer.alloc(0) }, rules))).toBe('PayloadEmpty');
  });
});

describe('findDuplicateHeader', () => {
  it('finds the first repeated name in a raw header list, ignoring split cookies', () => {
    expect(findDuplicateHeader([':method', 'POST', 'apns-topic', 'a', 'apns-id', 'x', 'apns-topic', 'b'])).toBe('apns-topic');
    expect(findDuplicateHeader([':method', 'POST', 'cookie', 'a=1', 'cookie', 'b=2'])).toBeUndefined();
    expect(findDuplicateHeader([])).toBeUndefined();
  });
});
