/**
 * APNs HTTP/2 provider API: builds the request for a notification and turns the answer into an
 * Outcome. Facts: shared/reference/protocols.md §1.2 (headers), §1.5 (response framing),
 * §1.7 (reasons, via core/reasons.ts).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { classifyRejection } from '../../core/reasons.js';
import { dropCauseOf } from '../outcome.js';
import type { Outcome } from '../outcome.js';
import { parseLastBody, type ProviderAdapter } from './provider.js';
import { randomUuid } from './uuid.js';
import type { TransportRequest, TransportResult } from '../transport.js';

export const apnsPushTypes = ['alert', 'background', 'location', 'voip', 'complication', 'fileprovider', 'mdm', 'liveactivity', 'pushtotalk'] as const;
export type ApnsPushType = (typeof apnsPushTypes)[number];

export interface ApnsNotification {
  /** Hex device token. */
  readonly token: string;
  /** Bundle id (with the push type's suffix where one is needed, §1.3). */
  readonly topic: string;
  /** The JSON payload (`{ aps: {…} }`), as an object or already serialized. */
  readonly payload: object | string;
  /** @default 'alert' (what apns2 sends when unset) */
  readonly pushType?: ApnsPushType;
  /** 10 send now, 5 power-aware, 1 lowest. Omitted: APNs applies 10. */
  readonly priority?: 10 | 5 | 1;
  /**
   * Canonical lower-case UUID. @default a new random one: the request is built once, so every
   * retry of the notification carries the same apns-id, and a delivery ledger (ours, or logs on
   * the provider side) can tell a duplicate from a new notification.
   */
  readonly id?: string;
  /** UNIX seconds after which APNs stops trying; 0 = deliver once, no storage. Also our send deadline. */
  readonly expiration?: number;
  /** ≤ 64 bytes. */
  readonly collapseId?: string;
}

/** Header names the APNs sender's pool sends never-indexed (see buildApnsRequest). */
export const apnsNeverIndexed: readonly string[] = Object.freeze(['apns-id']);

/**
 * Builds the request. Authentication is added later: by the apnsTokenAuth interceptor, or by the TLS client certificate.
 *
 * HPACK: apns-id is the one header whose value is new on every request. The APNs sender's pool
 * sends it never-indexed (RFC 7541 §6.2.3, `apnsNeverIndexed` above, Http2PoolOptions.neverIndexed):
 * with node:http2's default (a literal with incremental indexing, §6.2.1) nghttp2 inserts every
 * value into the dynamic table and evicts another for it, work the encoder pays on each request
 * for an entry that is never referenced again. On the wire both are the same size within 5 bytes
 * (the name goes as a literal); the encoder's CPU per request is lower never-indexed (measured with raw node:http2 loops side by side against nghttpd).
 */
export function buildApnsRequest(notification: ApnsNotification): TransportRequest {
  const headers: Record<string, string> = {
    'apns-topic': notification.topic,
    'apns-push-type': notification.pushType ?? 'alert',
    'content-type': 'application/json',
    'apns-id': notification.id ?? randomUuid(),
  };
  if (notification.priority !== undefined) headers['apns-priority'] = String(notification.priority);
  if (notification.expiration !== undefined) headers['apns-expiration'] = String(notification.expiration);
  if (notification.collapseId !== undefined) headers['apns-collapse-id'] = notification.collapseId;
  const { payload, expiration } = notification;
  return {
    method: 'POST',
    path: `/3/device/${notification.token}`,
    headers,
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
    // One shape for every request (no conditional spread): property reads down the chain stay monomorphic.
    deadline: expiration !== undefined && expiration > 0 ? expiration * 1000 : undefined,
  };
}

/** Checks what the sender itself can know is wrong, before spending a request on it. */
export function checkApnsNotification(notification: ApnsNotification): void {
  if (typeof notification.token !== 'string' || notification.token.length === 0) {
    throw new InvalidArgumentError('notification.token must be a non-empty device token');
  }
  if (typeof notification.topic !== 'string' || notification.topic.length === 0) {
    throw new InvalidArgumentError('notification.topic must be the bundle id (apns-topic)');
  }
}

/** Maps the last transport result to the notification's outcome, after `attempts` requests went on the wire. */
export function apnsOutcome(token: string, result: TransportResult, attempts: number): Outcome {
  if (!result.ok) {
    if (result.kind === 'expired') return { status: 'expired', provider: 'apns', token, attempts };
    const cause = dropCauseOf(result);
    if (cause !== undefined) return { status: 'dropped', provider: 'apns', token, attempts, cause };
    return { status: 'failed', provider: 'apns', token, attempts, code: result.error.code, message: result.error.message };
  }
  const apnsId = result.headers['apns-id'];
  const id = typeof apnsId === 'string' ? apnsId : undefined;
  if (result.status === 200) return { status: 'accepted', provider: 'apns', token, attempts, id };
  const { reason, timestamp } = parseErrorBody(result.body);
  const reasonName = reason ?? `HTTP_${result.status}`;
  return {
    status: 'rejected',
    provider: 'apns',
    token,
    attempts,
    httpStatus: result.status,
    reason: reasonName,
    retryClass: classifyRejection('apns', reason, result.status),
    ...(timestamp !== undefined && { timestamp }),
  };
}

/** The APNs adapter for the generic Sender. */
export const apnsAdapter: ProviderAdapter<ApnsNotification> = {
  provider: 'apns',
  check: checkApnsNotification,
  recipient: (n) => n.token,
  request: buildApnsRequest,
  classify(result) {
    if (!result.ok || result.status === 200) return undefined;
    return classifyRejection('apns', parseErrorBody(result.body).reason, result.status);
  },
  outcome: (n, result, attempts) => apnsOutcome(n.token, result, attempts),
};

/** `{"reason":"…","timestamp":ms}`; tolerant of an empty or non-JSON body (a proxy in between may send one). */
const parseErrorBody = parseLastBody((body: Buffer): { readonly reason?: string; readonly timestamp?: number } => {
  if (body.length === 0) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { reason?: unknown; timestamp?: unknown };
    return {
      ...(typeof parsed.reason === 'string' && { reason: parsed.reason }),
      ...(typeof parsed.timestamp === 'number' && { timestamp: parsed.timestamp }),
    };
  } catch {
    return {};
  }
});
