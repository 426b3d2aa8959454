/**
 * Web Push (RFC 8030 / 8291, protocols.md §3): builds the POST to a subscription's endpoint with the
 * payload encrypted for it (aes128gcm, webpush-encrypt.ts) and turns the push service's status into
 * an Outcome. The request's `path` is the endpoint's absolute URL, because every subscription may
 * live on another origin: carry it with the Http2Agent transport (sender/http2/agent.ts).
 * Web Push has no reason strings; a rejection is named after its status (core/reasons.ts).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { classifyRejection, webPushReasonFor, type RetryClass } from '../../core/reasons.js';
import { dropCauseOf } from '../outcome.js';
import type { Outcome } from '../outcome.js';
import type { TransportRequest, TransportResult } from '../transport.js';
import type { ProviderAdapter } from './provider.js';
import { encryptPayload, maxPlaintextBytes } from './webpush-encrypt.js';

export interface WebPushSubscription {
  readonly endpoint: string;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

export interface WebPushNotification {
  /** What the browser's `PushSubscription.toJSON()` gave you. */
  readonly subscription: WebPushSubscription;
  /** Text, bytes, or an object (sent as JSON); at most 3993 bytes. Omit for a push without payload. */
  readonly payload?: string | Uint8Array | object;
  /** Seconds the push service may keep it (RFC 8030 §5.2). @default 2419200 (4 weeks, as web-push) */
  readonly ttl?: number;
  readonly urgency?: 'very-low' | 'low' | 'normal' | 'high';
  /** Replaces a pending message with the same topic: ≤ 32 base64url characters. */
  readonly topic?: string;
}

const topicPattern = /^[A-Za-z0-9_-]{1,32}$/;
const urgencies = new Set(['very-low', 'low', 'normal', 'high']);

/**
 * Subscriptions whose endpoint and keys passed the check. A run sends to the same subscription
 * objects again and again, and decoding both keys cost more than the rest of the check together.
 */
const checkedSubscriptions = new WeakSet<WebPushSubscription>();

function checkSubscription(subscription: WebPushSubscription): void {
  if (checkedSubscriptions.has(subscription)) return;
  if (typeof subscription?.endpoint !== 'string' || !/^https?:\/\/[^/]+\/./.test(subscription.endpoint)) {
    throw new InvalidArgumentError('notification.subscription.endpoint must be the subscription\'s http(s) URL');
  }
  if (Buffer.from(String(subscription.keys?.p256dh), 'base64url').length !== 65) throw new InvalidArgumentError('subscription.keys.p256dh must be a 65-byte P-256 public key in base64url');
  if (Buffer.from(String(subscription.keys?.auth), 'base64url').length !== 16) throw new InvalidArgumentError('subscription.keys.auth must be a 16-byte secret in base64url');
  checkedSubscriptions.add(subscription);
}

/** The payload's size in bytes, without encoding text just to measure it. */
function plaintextBytes(payload: WebPushNotification['payload']): number {
  if (payload === undefined) return 0;
  if (typeof payload === 'string') return Buffer.byteLength(payload, 'utf8');
  if (payload instanceof Uint8Array) return payload.byteLength;
  return Buffer.byteLength(JSON.stringify(payload), 'utf8');
}

export function checkWebPushNotification(notification: WebPushNotification): void {
  checkSubscription(notification.subscription);
  if (notification.ttl !== undefined && (!Number.isInteger(notification.ttl) || notification.ttl < 0)) throw new InvalidArgumentError(`ttl must be a whole number of seconds ≥ 0, got ${notification.ttl}`);
  if (notification.urgency !== undefined && !urgencies.has(notification.urgency)) throw new InvalidArgumentError(`urgency must be very-low, low, normal or high, got ${String(notification.urgency)}`);
  if (notification.topic !== undefined && !topicPattern.test(notification.topic)) throw new InvalidArgumentError('topic must be 1-32 characters of the base64url alphabet (RFC 8030 §5.4)');
  const bytes = plaintextBytes(notification.payload);
  if (bytes > maxPlaintextBytes) throw new InvalidArgumentError(`payload is ${bytes} bytes; Web Push allows ${maxPlaintextBytes} after encryption overhead (protocols.md §3.3)`);
}

export function buildWebPushRequest(notification: WebPushNotification): TransportRequest {
  const headers: Record<string, string> = { ttl: String(notification.ttl ?? 2_419_200) };
  if (notification.urgency !== undefined) headers['urgency'] = notification.urgency;
  if (notification.topic !== undefined) headers['topic'] = notification.topic;
  const body = plaintext(notification.payload);
  if (body === undefined) return { method: 'POST', path: notification.subscription.endpoint, headers };
  headers['content-encoding'] = 'aes128gcm';
  headers['content-type'] = 'application/octet-stream';
  const { p256dh, auth } = notification.subscription.keys;
  return { method: 'POST', path: notification.subscription.endpoint, headers, body: encryptPayload(body, p256dh, auth) };
}

export function webPushClassify(result: TransportResult): RetryClass | undefined {
  if (!result.ok || (result.status >= 200 && result.status < 300)) return undefined;
  return classifyRejection('webpush', webPushReasonFor(result.status), result.status);
}

export function webPushOutcome(endpoint: string, result: TransportResult, attempts: number): Outcome {
  if (!result.ok) {
    if (result.kind === 'expired') return { status: 'expired', provider: 'webpush', token: endpoint, attempts };
    const cause = dropCauseOf(result);
    if (cause !== undefined) return { status: 'dropped', provider: 'webpush', token: endpoint, attempts, cause };
    return { status: 'failed', provider: 'webpush', token: endpoint, attempts, code: result.error.code, message: result.error.message };
  }
  if (result.status >= 200 && result.status < 300) {
    const location = result.headers['location'];
    return { status: 'accepted', provider: 'webpush', token: endpoint, attempts, id: typeof location === 'string' ? location : undefined };
  }
  const reason = webPushReasonFor(result.status);
  return {
    status: 'rejected',
    provider: 'webpush',
    token: endpoint,
    attempts,
    httpStatus: result.status,
    reason: reason ?? `HTTP_${result.status}`,
    retryClass: classifyRejection('webpush', reason, result.status),
  };
}

export const webPushAdapter: ProviderAdapter<WebPushNotification> = {
  provider: 'webpush',
  check: checkWebPushNotification,
  recipient: (n) => n.subscription.endpoint,
  request: buildWebPushRequest,
  classify: webPushClassify,
  outcome: (n, result, attempts) => webPushOutcome(n.subscription.endpoint, result, attempts),
};

function plaintext(payload: WebPushNotification['payload']): Buffer | undefined {
  if (payload === undefined) return undefined;
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return Buffer.from(JSON.stringify(payload), 'utf8');
}
