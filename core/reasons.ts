/**
 * The one table of provider rejection reasons, shared by the simulator (which emits them) and the
 * sender (which classifies them), so the two cannot drift (after Pushy's RejectionReason enum).
 *
 * Retry classes:
 *  - `permanent`  the token/subscription is dead: drop it, never retry (Apple: "never retry" list).
 *  - `config`     our request or credentials are wrong: retrying unchanged cannot help; stop and report.
 *  - `auth`       the provider token expired: re-sign, then retry once.
 *  - `retryable`  transient: retry with backoff, honouring Retry-After.
 *
 * APNs facts: shared/reference/protocols.md §1.6–1.8 (sources: sideshow/apns2 response.go,
 * Pushy RejectionReason.java, Apple "Handling notification responses from APNs").
 * FCM facts: §2.4–2.5 (FcmError codes, canonical google.rpc statuses, retry guidance).
 * Web Push facts: §3.4 (RFC 8030 statuses; the protocol has no reason strings, so the names here
 * are pushsim's, one per status).
 */
export type RetryClass = 'permanent' | 'config' | 'auth' | 'retryable';

export interface ReasonInfo {
  readonly status: number;
  readonly retry: RetryClass;
  readonly meaning: string;
}

export const apnsReasons = {
  BadCollapseId: { status: 400, retry: 'config', meaning: 'apns-collapse-id is longer than 64 bytes' },
  BadDeviceToken: { status: 400, retry: 'permanent', meaning: 'device token is malformed or from the other environment' },
  BadExpirationDate: { status: 400, retry: 'config', meaning: 'apns-expiration is not a valid UNIX time in seconds' },
  BadMessageId: { status: 400, retry: 'config', meaning: 'apns-id is not a canonical UUID' },
  BadPriority: { status: 400, retry: 'config', meaning: 'apns-priority is not 10, 5 or 1 (or not allowed for the push type)' },
  BadTopic: { status: 400, retry: 'config', meaning: 'apns-topic is invalid' },
  DeviceTokenNotForTopic: { status: 400, retry: 'permanent', meaning: 'device token belongs to another topic' },
  DuplicateHeaders: { status: 400, retry: 'config', meaning: 'a header was repeated' },
  IdleTimeout: { status: 400, retry: 'retryable', meaning: 'idle timeout' },
  InvalidPushType: { status: 400, retry: 'config', meaning: 'apns-push-type is not a known push type' },
  MissingDeviceToken: { status: 400, retry: 'config', meaning: 'no device token in :path' },
  MissingTopic: { status: 400, retry: 'config', meaning: 'apns-topic is required but absent' },
  PayloadEmpty: { status: 400, retry: 'config', meaning: 'the payload is empty' },
  // Not in Apple's published list (protocols.md §7): what APNs answers to a body that is not JSON is
  // unconfirmed. The mock uses this name so the sender still classifies it from the table.
  BadPayload: { status: 400, retry: 'config', meaning: 'the payload is not a JSON object (pushsim mock; unconfirmed for Apple)' },
  TopicDisallowed: { status: 400, retry: 'config', meaning: 'pushing to this topic is not allowed' },
  BadCertificate: { status: 403, retry: 'config', meaning: 'the client certificate is bad' },
  BadCertificateEnvironment: { status: 403, retry: 'config', meaning: 'the client certificate is for the other environment' },
  ExpiredProviderToken: { status: 403, retry: 'auth', meaning: 'provider token iat is older than one hour' },
  Forbidden: { status: 403, retry: 'config', meaning: 'the action is not allowed' },
  InvalidProviderToken: { status: 403, retry: 'config', meaning: 'provider token is invalid, unverifiable or for another team' },
  MissingProviderToken: { status: 403, retry: 'config', meaning: 'no client certificate and no authorization header' },
  UnrelatedKeyIdInToken: { status: 403, retry: 'config', meaning: 'key id unrelated to the key first used on this connection' },
  BadEnvironmentKeyIdInToken: { status: 403, retry: 'config', meaning: 'environment-scoped key used against the other environment' },
  BadPath: { status: 404, retry: 'config', meaning: ':path is not /3/device/<token>' },
  MethodNotAllowed: { status: 405, retry: 'config', meaning: ':method is not POST' },
  ExpiredToken: { status: 410, retry: 'permanent', meaning: 'the device token has expired' },
  Unregistered: { status: 410, retry: 'permanent', meaning: 'the device token is no longer active for the topic' },
  PayloadTooLarge: { status: 413, retry: 'config', meaning: 'the payload is over the size limit' },
  TooManyProviderTokenUpdates: { status: 429, retry: 'retryable', meaning: 'provider token changed more than once in 20 minutes' },
  TooManyRequests: { status: 429, retry: 'retryable', meaning: 'too many requests to the same device token' },
  InternalServerError: { status: 500, retry: 'retryable', meaning: 'internal server error' },
  ServiceUnavailable: { status: 503, retry: 'retryable', meaning: 'service unavailable' },
  Shutdown: { status: 503, retry: 'retryable', meaning: 'the server is shutting down' },
} as const satisfies Record<string, ReasonInfo>;

export type ApnsReason = keyof typeof apnsReasons;

/** An FCM reason also names the canonical google.rpc status that goes with it in the error body (§2.4). */
export interface FcmReasonInfo extends ReasonInfo {
  readonly rpcStatus: string;
}

/**
 * FCM HTTP v1: every `FcmError.errorCode` (§2.4), keyed by that code. The sender reads the code from
 * the error body's FcmError detail, else the canonical `status` (what firebase-admin does), which is
 * why UNAUTHENTICATED and PERMISSION_DENIED are listed too: Google answers bad OAuth tokens and IAM
 * denials with those statuses and no FcmError detail.
 */
export const fcmReasons = {
  // No HTTP status is published for it (§2.4); pushsim answers 500 UNKNOWN and treats it like INTERNAL.
  UNSPECIFIED_ERROR: { status: 500, rpcStatus: 'UNKNOWN', retry: 'retryable', meaning: 'no more information is available (status unpublished; pushsim uses 500)' },
  INVALID_ARGUMENT: { status: 400, rpcStatus: 'INVALID_ARGUMENT', retry: 'config', meaning: 'bad message: target, field types, reserved data key, TTL, payload size' },
  UNREGISTERED: { status: 404, rpcStatus: 'NOT_FOUND', retry: 'permanent', meaning: 'the registration token is no longer valid: delete it' },
  SENDER_ID_MISMATCH: { status: 403, rpcStatus: 'PERMISSION_DENIED', retry: 'permanent', meaning: 'the registration token belongs to another sender (project)' },
  QUOTA_EXCEEDED: { status: 429, rpcStatus: 'RESOURCE_EXHAUSTED', retry: 'retryable', meaning: 'project, device or topic message rate exceeded: back off (Retry-After)' },
  UNAVAILABLE: { status: 503, rpcStatus: 'UNAVAILABLE', retry: 'retryable', meaning: 'FCM is overloaded: retry honouring Retry-After, with back-off' },
  INTERNAL: { status: 500, rpcStatus: 'INTERNAL', retry: 'retryable', meaning: 'unknown internal error: retry like UNAVAILABLE' },
  THIRD_PARTY_AUTH_ERROR: { status: 401, rpcStatus: 'UNAUTHENTICATED', retry: 'config', meaning: 'the APNs certificate or Web Push key configured in Firebase is invalid or missing' },
  // Canonical statuses without an FcmError code: Google sends these with no FcmError detail.
  UNAUTHENTICATED: { status: 401, rpcStatus: 'UNAUTHENTICATED', retry: 'auth', meaning: 'the OAuth2 access token is missing, unknown or expired: fetch a new one' },
  PERMISSION_DENIED: { status: 403, rpcStatus: 'PERMISSION_DENIED', retry: 'config', meaning: 'the credentials may not send for this project (cloudmessaging.messages.create)' },
} as const satisfies Record<string, FcmReasonInfo>;

export type FcmReason = keyof typeof fcmReasons;

/**
 * Web Push (RFC 8030 / 8292, §3.4): the push service answers with a status only, so each status
 * gets one name here, and the sender names a rejection by its status.
 */
export const webPushReasons = {
  BadRequest: { status: 400, retry: 'config', meaning: 'TTL missing, bad Urgency or Topic, or bad aes128gcm framing' },
  // 401 means no usable VAPID header: signing one (again) is the fix, so retry once after re-signing.
  Unauthorized: { status: 401, retry: 'auth', meaning: 'VAPID authorization is absent or not a vapid t=…, k=… header' },
  Forbidden: { status: 403, retry: 'config', meaning: 'VAPID JWT invalid (signature, aud, exp, sub) or key differs from the subscription\'s' },
  NotFound: { status: 404, retry: 'permanent', meaning: 'the subscription has expired or never existed: delete it' },
  Gone: { status: 410, retry: 'permanent', meaning: 'the subscription is gone (what services send in practice): delete it' },
  PayloadTooLarge: { status: 413, retry: 'config', meaning: 'the encrypted body is over 4096 bytes' },
  TooManyRequests: { status: 429, retry: 'retryable', meaning: 'rate-limited: retry after Retry-After' },
  InternalServerError: { status: 500, retry: 'retryable', meaning: 'internal error of the push service' },
  ServiceUnavailable: { status: 503, retry: 'retryable', meaning: 'the push service is unavailable: retry after Retry-After' },
} as const satisfies Record<string, ReasonInfo>;

export type WebPushReason = keyof typeof webPushReasons;

export type Provider = 'apns' | 'fcm' | 'webpush';

const tables: Record<Provider, Record<string, ReasonInfo>> = { apns: apnsReasons, fcm: fcmReasons, webpush: webPushReasons };

const webPushReasonByStatus: ReadonlyMap<number, WebPushReason> = new Map(
  (Object.keys(webPushReasons) as WebPushReason[]).map((reason) => [webPushReasons[reason].status, reason]),
);

export function isFcmReason(value: string): value is FcmReason {
  return Object.hasOwn(fcmReasons, value);
}

/** The Web Push reason name for a status, or undefined for a status the table does not list. */
export function webPushReasonFor(status: number): WebPushReason | undefined {
  return webPushReasonByStatus.get(status);
}

export function isApnsReason(value: string): value is ApnsReason {
  return Object.hasOwn(apnsReasons, value);
}

/**
 * How to treat a rejection. Unknown reasons fall back on the HTTP status class, so a reason a
 * provider adds tomorrow is still handled sensibly: 429 and 5xx retryable, other 4xx config.
 */
export function classifyRejection(provider: Provider, reason: string | undefined, status: number): RetryClass {
  const known = reason === undefined ? undefined : tables[provider][reason];
  if (known) return known.retry;
  if (status === 429 || status >= 500) return 'retryable';
  return 'config';
}

/** Status for a reason, for the simulator. */
export function apnsStatus(reason: ApnsReason): number {
  return apnsReasons[reason].status;
}
