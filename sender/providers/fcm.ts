/**
 * FCM HTTP v1 (protocols.md §2): builds `POST /v1/projects/{project}/messages:send` for a message and
 * turns the answer into an Outcome. The rejection reason is the FcmError `errorCode` of the error
 * body, else its canonical `status` (firebase-admin reads them in that order, §2.4), classified
 * through core/reasons.ts.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { classifyRejection, type RetryClass } from '../../core/reasons.js';
import { dropCauseOf } from '../outcome.js';
import type { Outcome } from '../outcome.js';
import type { TransportRequest, TransportResult } from '../transport.js';
import type { ProviderAdapter } from './provider.js';

/** An FCM v1 `Message` in wire form (snake_case), plus the request-level `validateOnly`. Exactly one target. */
export interface FcmNotification {
  readonly token?: string;
  readonly topic?: string;
  readonly condition?: string;
  /** String values only (§2.3). */
  readonly data?: Readonly<Record<string, string>>;
  readonly notification?: { readonly title?: string; readonly body?: string; readonly image?: string };
  /** e.g. `{ ttl: '3600s', priority: 'high', collapse_key: 'k' }`. */
  readonly android?: Readonly<Record<string, unknown>>;
  readonly apns?: Readonly<Record<string, unknown>>;
  readonly webpush?: Readonly<Record<string, unknown>>;
  readonly fcm_options?: Readonly<Record<string, unknown>>;
  /** Dry run: FCM validates the message and delivers nothing (§2.1). */
  readonly validateOnly?: boolean;
}

export function buildFcmRequest(projectId: string, notification: FcmNotification): TransportRequest {
  const { validateOnly, ...message } = notification;
  const body = JSON.stringify(validateOnly === true ? { validate_only: true, message } : { message });
  return {
    method: 'POST',
    path: `/v1/projects/${encodeURIComponent(projectId)}/messages:send`,
    headers: { 'content-type': 'application/json' },
    body,
  };
}

export function checkFcmNotification(notification: FcmNotification): void {
  const targets = (['token', 'topic', 'condition'] as const).filter((t) => notification[t] !== undefined);
  if (targets.length !== 1) throw new InvalidArgumentError(`an FCM message needs exactly one of token, topic or condition; got ${targets.length === 0 ? 'none' : targets.join(', ')}`);
  const target = notification[targets[0] as 'token'];
  if (typeof target !== 'string' || target === '') throw new InvalidArgumentError(`notification.${String(targets[0])} must be a non-empty string`);
  for (const [key, value] of Object.entries(notification.data ?? {})) {
    if (typeof value !== 'string') throw new InvalidArgumentError(`notification.data.${key} must be a string: FCM data values are strings only (protocols.md §2.3)`);
  }
}

export function fcmRecipient(notification: FcmNotification): string {
  if (notification.token !== undefined) return notification.token;
  if (notification.topic !== undefined) return `/topics/${notification.topic}`;
  return notification.condition ?? '';
}

/** The reason named by an FCM error body, if any. */
export function fcmErrorReason(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  try {
    const { error } = JSON.parse(body.toString('utf8')) as { error?: { status?: unknown; details?: unknown } };
    if (typeof error !== 'object' || error === null) return undefined;
    if (Array.isArray(error.details)) {
      for (const detail of error.details as { '@type'?: unknown; errorCode?: unknown }[]) {
        if (typeof detail?.['@type'] === 'string' && detail['@type'].endsWith('google.firebase.fcm.v1.FcmError') && typeof detail.errorCode === 'string') return detail.errorCode;
      }
    }
    return typeof error.status === 'string' ? error.status : undefined;
  } catch {
    return undefined;
  }
}

export function fcmClassify(result: TransportResult): RetryClass | undefined {
  if (!result.ok || result.status === 200) return undefined;
  return classifyRejection('fcm', fcmErrorReason(result.body), result.status);
}

export function fcmOutcome(token: string, result: TransportResult, attempts: number): Outcome {
  if (!result.ok) {
    if (result.kind === 'expired') return { status: 'expired', provider: 'fcm', token, attempts };
    const cause = dropCauseOf(result);
    if (cause !== undefined) return { status: 'dropped', provider: 'fcm', token, attempts, cause };
    return { status: 'failed', provider: 'fcm', token, attempts, code: result.error.code, message: result.error.message };
  }
  if (result.status === 200) return { status: 'accepted', provider: 'fcm', token, attempts, id: messageName(result.body) };
  const reason = fcmErrorReason(result.body);
  return {
    status: 'rejected',
    provider: 'fcm',
    token,
    attempts,
    httpStatus: result.status,
    reason: reason ?? `HTTP_${result.status}`,
    retryClass: classifyRejection('fcm', reason, result.status),
  };
}

/** The FCM adapter for the generic Sender, bound to the project messages are sent for. */
export function fcmAdapter(projectId: string): ProviderAdapter<FcmNotification> {
  return {
    provider: 'fcm',
    check: checkFcmNotification,
    recipient: fcmRecipient,
    request: (n) => buildFcmRequest(projectId, n),
    classify: fcmClassify,
    outcome: (n, result, attempts) => fcmOutcome(fcmRecipient(n), result, attempts),
  };
}

function messageName(body: Buffer): string | undefined {
  try {
    const { name } = JSON.parse(body.toString('utf8')) as { name?: unknown };
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}
