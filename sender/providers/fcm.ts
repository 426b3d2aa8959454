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
import { parseLastBody, type ProviderAdapter } from './provider.js';

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
  return fcmRequest(fcmPath(projectId), notification);
}

/** `POST` path for a project's messages. */
function fcmPath(projectId: string): string {
  return `/v1/projects/${encodeURIComponent(projectId)}/messages:send`;
}

/** Shared by every request: nothing downstream changes a request's headers (authentication copies them). */
const jsonHeaders: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });

function fcmRequest(path: string, notification: FcmNotification): TransportRequest {
  let body: string;
  if (notification.validateOnly === undefined) {
    body = JSON.stringify({ message: notification });
  } else {
    const { validateOnly, ...message } = notification;
    body = JSON.stringify(validateOnly === true ? { validate_only: true, message } : { message });
  }
  return { method: 'POST', path, headers: jsonHeaders, body, deadline: undefined };
}

const targetFields = ['token', 'topic', 'condition'] as const;

export function checkFcmNotification(notification: FcmNotification): void {
  // Counted without building arrays: this runs once per notification.
  const count = (notification.token !== undefined ? 1 : 0) + (notification.topic !== undefined ? 1 : 0) + (notification.condition !== undefined ? 1 : 0);
  if (count !== 1) {
    const targets = targetFields.filter((t) => notification[t] !== undefined);
    throw new InvalidArgumentError(`an FCM message needs exactly one of token, topic or condition; got ${targets.length === 0 ? 'none' : targets.join(', ')}`);
  }
  const field = notification.token !== undefined ? 'token' : notification.topic !== undefined ? 'topic' : 'condition';
  const target = notification[field];
  if (typeof target !== 'string' || target === '') throw new InvalidArgumentError(`notification.${field} must be a non-empty string`);
  const { data } = notification;
  if (data === undefined) return;
  for (const key in data) {
    if (typeof data[key] !== 'string') throw new InvalidArgumentError(`notification.data.${key} must be a string: FCM data values are strings only (protocols.md §2.3)`);
  }
}

export function fcmRecipient(notification: FcmNotification): string {
  if (notification.token !== undefined) return notification.token;
  if (notification.topic !== undefined) return `/topics/${notification.topic}`;
  return notification.condition ?? '';
}

/** The reason named by an FCM error body, if any. */
export const fcmErrorReason = parseLastBody((body: Buffer): string | undefined => {
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
});

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
  const path = fcmPath(projectId);
  return {
    provider: 'fcm',
    check: checkFcmNotification,
    recipient: fcmRecipient,
    request: (n) => fcmRequest(path, n),
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
