/**
 * FCM error bodies: a `google.rpc.Status` (protocols.md §2.4) with an `FcmError` detail carrying the
 * error code, plus `google.rpc.BadRequest` field violations for INVALID_ARGUMENT and
 * `google.rpc.QuotaFailure` for QUOTA_EXCEEDED. Status and canonical name come from core/reasons.ts.
 *
 * The FcmError detail only ever carries a value of FCM's own `ErrorCode` enum (§2.4). A bad or
 * expired OAuth token (401 UNAUTHENTICATED) and an IAM denial (403 PERMISSION_DENIED) are answered
 * by Google's front end, not by FCM, with the canonical status and no FcmError detail; firebase-admin
 * then maps `error.status` (messaging-errors-internal.ts getErrorCode: FcmError first, then status).
 */
import { fcmReasons, type FcmReason } from '../../core/reasons.js';
import type { FieldViolation } from './validate.js';

export interface FcmErrorBody {
  readonly error: {
    readonly code: number;
    readonly message: string;
    readonly status: string;
    /** Absent when there is nothing to detail (401 / 403 from Google's front end). */
    readonly details?: readonly object[];
  };
}

export interface FcmErrorExtras {
  readonly violations?: readonly FieldViolation[];
  readonly quota?: { readonly subject: string; readonly description: string };
}

const fcmErrorType = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

/** FCM's `ErrorCode` enum (firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode). */
export const fcmErrorCodes: ReadonlySet<FcmReason> = new Set<FcmReason>([
  'UNSPECIFIED_ERROR', 'INVALID_ARGUMENT', 'UNREGISTERED', 'SENDER_ID_MISMATCH', 'QUOTA_EXCEEDED', 'UNAVAILABLE', 'INTERNAL', 'THIRD_PARTY_AUTH_ERROR',
]);

export function fcmErrorBody(reason: FcmReason, message: string, extras: FcmErrorExtras = {}): FcmErrorBody {
  const info = fcmReasons[reason];
  const details: object[] = fcmErrorCodes.has(reason) ? [{ '@type': fcmErrorType, errorCode: reason }] : [];
  if (extras.violations !== undefined && extras.violations.length > 0) {
    details.push({ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: extras.violations });
  }
  if (extras.quota !== undefined) {
    details.push({ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [extras.quota] });
  }
  return { error: { code: info.status, message, status: info.rpcStatus, ...(details.length > 0 && { details }) } };
}

/** Default messages, after Google's wording where it is known. */
export const fcmMessages: Record<FcmReason, string> = {
  UNSPECIFIED_ERROR: 'Unknown error.',
  INVALID_ARGUMENT: 'Request contains an invalid argument.',
  UNREGISTERED: 'Requested entity was not found.',
  SENDER_ID_MISMATCH: 'SenderId mismatch',
  QUOTA_EXCEEDED: 'Quota exceeded.',
  UNAVAILABLE: 'The service is currently unavailable.',
  INTERNAL: 'Internal error encountered.',
  THIRD_PARTY_AUTH_ERROR: 'Auth error from APNS or Web Push Service',
  UNAUTHENTICATED: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  PERMISSION_DENIED: "Permission 'cloudmessaging.messages.create' denied on resource (or it may not exist).",
};
