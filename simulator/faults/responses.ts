/**
 * Provider-faithful error answers for injected faults, with statuses from the one reason table
 * (core/reasons.ts), so the faults and the sender cannot drift:
 *  - APNs: `:status`, `content-type: application/json`, `apns-id`, body `{"reason":"…"}` (protocols.md §1.5).
 *    Apple documents no Retry-After (§1.6), so none unless asked for.
 *  - FCM: a `google.rpc.Status` body with an FcmError detail (§2.4); Retry-After on 429/503 (§2.5).
 *  - Web Push: the bare status (§3.4); Retry-After on 429 (RFC 8030 SHOULD) and 503.
 */
import { randomUUID } from 'node:crypto';
import { apnsReasons, fcmReasons, isApnsReason, isFcmReason, webPushReasonFor, webPushReasons } from '../../core/reasons.js';
import type { FcmReason } from '../../core/reasons.js';
import { fcmErrorBody, fcmMessages } from '../fcm/errors.js';
import type { FaultProvider, FaultResponse } from './types.js';

/** Web Push statuses a push service answers with (RFC 8030, protocols.md §3.4). */
export const webPushStatuses: readonly number[] = Object.values(webPushReasons).map((info) => info.status);

/** An error per provider; a fault holds one for each provider it applies to. */
export interface ProviderErrors {
  readonly apns?: string;
  readonly fcm?: string;
  readonly webpush?: number;
}

/** Problems with `{ apns, fcm, webpush }` error choices; `required` when at least one must be given. */
export function validateProviderErrors(spec: Readonly<Record<string, unknown>>, at: string, required: boolean): string[] {
  const problems: string[] = [];
  const { apns, fcm, webpush } = spec;
  if (apns !== undefined && (typeof apns !== 'string' || !isApnsReason(apns))) {
    problems.push(`${at}.apns must be an APNs reason from core/reasons.ts (e.g. 'BadDeviceToken', 'ServiceUnavailable'), got ${JSON.stringify(apns)}`);
  }
  if (fcm !== undefined && (typeof fcm !== 'string' || !isFcmReason(fcm))) {
    problems.push(`${at}.fcm must be an FcmError code from core/reasons.ts (${Object.keys(fcmReasons).join(', ')}), got ${JSON.stringify(fcm)}`);
  }
  if (webpush !== undefined && (typeof webpush !== 'number' || !webPushStatuses.includes(webpush))) {
    problems.push(`${at}.webpush must be a Web Push status (${webPushStatuses.join(', ')}), got ${JSON.stringify(webpush)}`);
  }
  if (required && apns === undefined && fcm === undefined && webpush === undefined) {
    problems.push(`${at} needs at least one of apns (reason), fcm (errorCode) or webpush (status)`);
  }
  return problems;
}

/**
 * The answer for `provider`, or undefined when the fault has no error for that provider (so the
 * fault does not apply to it). `retryAfterSeconds` undefined = no Retry-After header.
 */
export function providerError(
  provider: FaultProvider,
  errors: ProviderErrors,
  retryAfterSeconds: number | undefined,
  apnsId?: string,
): FaultResponse | undefined {
  const retry = retryAfterSeconds === undefined ? undefined : String(Math.max(0, Math.ceil(retryAfterSeconds)));
  switch (provider) {
    case 'apns':
      return errors.apns === undefined ? undefined : apnsError(errors.apns, retry, apnsId);
    case 'fcm':
      return errors.fcm === undefined ? undefined : fcmError(errors.fcm as FcmReason, retry);
    case 'webpush':
      return errors.webpush === undefined ? undefined : webPushError(errors.webpush, retry);
  }
}

/**
 * A recorded answer (simulator/profile.ts) as the provider gave it: the table's builders when the
 * reason is one of core/reasons.ts with that status, else the same shape with the recorded status
 * (a reason the provider added after this table, a Web Push status without a name).
 */
export function recordedError(provider: FaultProvider, status: number, reason: string | undefined, retryAfterSeconds: number | undefined, apnsId?: string): FaultResponse {
  const retry = retryAfterSeconds === undefined ? undefined : String(retryAfterSeconds);
  switch (provider) {
    case 'apns':
      return apnsError(reason ?? `HTTP_${status}`, retry, apnsId, status);
    case 'fcm': {
      if (reason !== undefined && isFcmReason(reason) && fcmReasons[reason].status === status) return fcmError(reason, retry);
      // An unknown code keeps its status; the body is the google.rpc.Status of the first code with it.
      const known = (Object.keys(fcmReasons) as FcmReason[]).find((code) => fcmReasons[code].status === status) ?? 'INTERNAL';
      return { ...fcmError(known, retry), status, reason: reason ?? known };
    }
    case 'webpush':
      return webPushError(status, retry);
  }
}

function apnsError(reason: string, retryAfter: string | undefined, apnsId: string | undefined, recordedStatus?: number): FaultResponse {
  const status = recordedStatus ?? (isApnsReason(reason) ? apnsReasons[reason].status : 500);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'apns-id': apnsId ?? randomUUID() };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  return { status, headers, body: JSON.stringify({ reason }), reason };
}

function fcmError(code: FcmReason, retryAfter: string | undefined): FaultResponse {
  // The same google.rpc.Status body, wording included, as the mock FCM's own rejections.
  const body = JSON.stringify(fcmErrorBody(code, fcmMessages[code]));
  // Google's front ends answer JSON errors with this exact content type.
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=UTF-8' };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  return { status: fcmReasons[code].status, headers, body, reason: code };
}

function webPushError(status: number, retryAfter: string | undefined): FaultResponse {
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  return { status, headers, body: `push service error ${status}\n`, reason: webPushReasonFor(status) ?? `HTTP_${status}` };
}

/** Retry-After defaults where the provider sends one (APNs never documents one: §1.6). */
export function defaultRetryAfter(provider: FaultProvider, status: number): boolean {
  return provider !== 'apns' && (status === 429 || status === 503);
}
