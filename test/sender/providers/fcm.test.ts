import { describe, expect, it } from 'vitest';
import { classifyRejection, fcmReasons } from '../../../core/reasons.js';
import { buildFcmRequest, checkFcmNotification, fcmErrorReason, fcmOutcome, fcmRecipient } from '../../../sender/providers/fcm.js';
import type { TransportResult } from '../../../sender/transport.js';

const response = (status: number, body: unknown): TransportResult => ({ ok: true, status, headers: {}, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) });

describe('FCM adapter', () => {
  it('builds POST /v1/projects/{p}/messages:send with the message, and validate_only for a dry run', () => {
    const request = buildFcmRequest('my-project', { token: 't1', data: { a: 'b' }, validateOnly: true });
    expect(request).toMatchObject({ method: 'POST', path: '/v1/projects/my-project/messages:send', headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(String(request.body))).toEqual({ validate_only: true, message: { token: 't1', data: { a: 'b' } } });
    expect(JSON.parse(String(buildFcmRequest('p', { topic: 'news' }).body))).toEqual({ message: { topic: 'news' } });
  });

  it.each([
    [{}, /exactly one of token, topic or condition; got none/],
    [{ token: 'a', topic: 'b' }, /got token, topic/],
    [{ token: '' }, /notification.token must be a non-empty string/],
    [{ token: 'a', data: { n: 1 } }, /data.n must be a string/],
  ])('refuses %j before sending', (notification, message) => {
    expect(() => checkFcmNotification(notification as never)).toThrow(message);
  });

  it('names the recipient by token, /topics/<topic> or condition', () => {
    expect([fcmRecipient({ token: 't' }), fcmRecipient({ topic: 'x' }), fcmRecipient({ condition: "'a' in topics" })]).toEqual(['t', '/topics/x', "'a' in topics"]);
  });

  it('reads the FcmError errorCode first, then the canonical status (as firebase-admin does)', () => {
    const withDetail = { error: { code: 403, status: 'PERMISSION_DENIED', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'SENDER_ID_MISMATCH' }] } };
    expect(fcmErrorReason(Buffer.from(JSON.stringify(withDetail)))).toBe('SENDER_ID_MISMATCH');
    expect(fcmErrorReason(Buffer.from(JSON.stringify({ error: { code: 401, status: 'UNAUTHENTICATED' } })))).toBe('UNAUTHENTICATED');
    expect(fcmErrorReason(Buffer.from('<html>bad gateway</html>'))).toBeUndefined();
  });

  it('turns answers into outcomes; a body without reason falls back on the status class', () => {
    expect(fcmOutcome('t', response(200, { name: 'projects/p/messages/1' }), 1)).toEqual({ status: 'accepted', provider: 'fcm', token: 't', attempts: 1, id: 'projects/p/messages/1' });
    expect(fcmOutcome('t', response(502, '<html/>'), 1)).toMatchObject({ status: 'rejected', reason: 'HTTP_502', retryClass: 'retryable' });
    expect(fcmOutcome('t', response(400, ''), 1)).toMatchObject({ status: 'rejected', reason: 'HTTP_400', retryClass: 'config' });
  });

  it('the reason table lists every FcmError code with a status, canonical status and retry class', () => {
    expect(Object.keys(fcmReasons)).toEqual(expect.arrayContaining(['UNSPECIFIED_ERROR', 'INVALID_ARGUMENT', 'UNREGISTERED', 'SENDER_ID_MISMATCH', 'QUOTA_EXCEEDED', 'UNAVAILABLE', 'INTERNAL', 'THIRD_PARTY_AUTH_ERROR']));
    expect(classifyRejection('fcm', 'UNREGISTERED', 404)).toBe('permanent');
    expect(classifyRejection('fcm', 'QUOTA_EXCEEDED', 429)).toBe('retryable');
    expect(classifyRejection('fcm', 'UNAUTHENTICATED', 401)).toBe('auth');
    expect(classifyRejection('fcm', 'INVALID_ARGUMENT', 400)).toBe('config');
  });
});
