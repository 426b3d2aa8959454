import { describe, expect, it } from 'vitest';
import { PushSimError } from '../../../core/errors.js';
import { apnsAdapter, apnsOutcome, buildApnsRequest, checkApnsNotification } from '../../../sender/providers/apns.js';
import type { TransportResult } from '../../../sender/transport.js';

const token = 'a'.repeat(64);

function response(status: number, body = '', headers: Record<string, string> = {}): TransportResult {
  return { ok: true, status, headers: { ...headers }, body: Buffer.from(body) };
}

describe('buildApnsRequest', () => {
  it('sets the APNs headers, path and JSON body (protocols.md §1.2)', () => {
    const req = buildApnsRequest(
      { token, topic: 'com.example', payload: { aps: { alert: 'hi' } }, pushType: 'background', priority: 5, id: '123e4567-e89b-12d3-a456-426614174000', expiration: 1_900_000_000, collapseId: 'c1' },
    );
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/3/device/${token}`);
    expect(req.headers).toEqual({
      'apns-topic': 'com.example',
      'apns-push-type': 'background',
      'apns-priority': '5',
      'apns-id': '123e4567-e89b-12d3-a456-426614174000',
      'apns-expiration': '1900000000',
      'apns-collapse-id': 'c1',
      'content-type': 'application/json',
    });
    expect(req.body).toBe('{"aps":{"alert":"hi"}}');
    expect(req.deadline).toBe(1_900_000_000_000);
  });

  it('defaults push type to alert, leaves authorization to the auth interceptor, and has no deadline for expiration 0', () => {
    const req = buildApnsRequest({ token, topic: 't', payload: '{"aps":{}}', expiration: 0 });
    expect(req.headers['apns-push-type']).toBe('alert');
    expect(req.headers['authorization']).toBeUndefined();
    expect(req.deadline).toBeUndefined();
    expect(req.body).toBe('{"aps":{}}');
  });

  it('gives a notification without an id a fresh apns-id, which its retries reuse (the request is built once)', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const first = buildApnsRequest({ token, topic: 't', payload: {} }).headers['apns-id'];
    const second = buildApnsRequest({ token, topic: 't', payload: {} }).headers['apns-id'];
    expect(first).toMatch(uuid);
    expect(second).toMatch(uuid);
    expect(second).not.toBe(first);
  });

  it('refuses notifications without token or topic', () => {
    expect(() => checkApnsNotification({ token: '', topic: 't', payload: {} })).toThrow(/token/);
    expect(() => checkApnsNotification({ token, topic: '', payload: {} })).toThrow(/topic/);
  });
});

describe('apnsOutcome', () => {
  it('accepts 200 with the apns-id', () => {
    expect(apnsOutcome(token, response(200, '', { 'apns-id': 'id-1' }), 1)).toEqual({ status: 'accepted', provider: 'apns', token, attempts: 1, id: 'id-1' });
  });

  it('classifies a rejection from the shared reason table, with the 410 timestamp', () => {
    const outcome = apnsOutcome(token, response(410, '{"reason":"Unregistered","timestamp":1458114061260}'), 1);
    expect(outcome).toEqual({ status: 'rejected', provider: 'apns', token, attempts: 1, httpStatus: 410, reason: 'Unregistered', retryClass: 'permanent', timestamp: 1458114061260 });
    expect(apnsOutcome(token, response(403, '{"reason":"ExpiredProviderToken"}'), 1)).toMatchObject({ reason: 'ExpiredProviderToken', retryClass: 'auth' });
    expect(apnsOutcome(token, response(429, '{"reason":"TooManyRequests"}'), 1)).toMatchObject({ retryClass: 'retryable' });
  });

  it('falls back on the status for an unknown reason or a body that is not JSON', () => {
    expect(apnsOutcome(token, response(503, '<html>'), 1)).toMatchObject({ reason: 'HTTP_503', retryClass: 'retryable' });
    expect(apnsOutcome(token, response(400, '{"reason":"SomethingNew"}'), 1)).toMatchObject({ reason: 'SomethingNew', retryClass: 'config' });
  });

  it('maps transport failures to failed, expired or dropped', () => {
    const error = new PushSimError('PUSHSIM_ERR_STREAM_RESET', 'reset');
    expect(apnsOutcome(token, { ok: false, kind: 'reset', error, unprocessed: false }, 1)).toMatchObject({ status: 'failed', code: 'PUSHSIM_ERR_STREAM_RESET', attempts: 1 });
    expect(apnsOutcome(token, { ok: false, kind: 'expired', error, unprocessed: true }, 0)).toMatchObject({ status: 'expired', attempts: 0 });
    expect(apnsOutcome(token, { ok: false, kind: 'queue-full', error, unprocessed: true }, 0)).toMatchObject({ status: 'dropped', cause: 'queue-full', attempts: 0 });
  });
});

describe('apnsAdapter.classify', () => {
  it('is undefined for success and failures, and the table class for rejections', () => {
    expect(apnsAdapter.classify(response(200))).toBeUndefined();
    expect(apnsAdapter.classify(response(410, '{"reason":"Unregistered"}'))).toBe('permanent');
    expect(apnsAdapter.classify(response(503, '{"reason":"Shutdown"}'))).toBe('retryable');
    expect(apnsAdapter.classify({ ok: false, kind: 'reset', error: new PushSimError('PUSHSIM_ERR_SOCKET', 'x'), unprocessed: true })).toBeUndefined();
  });
});
