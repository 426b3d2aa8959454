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

export type Provider = 'apns';

const tables: Record<Provider, Record<string, ReasonInfo>> = { apns: apnsReasons };

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
