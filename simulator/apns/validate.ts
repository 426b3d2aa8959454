/**
 * APNs request validation as a pure function, independent of the server, so it can be unit-tested
 * and reused by other front ends.
 *
 * Order follows Pushy's ValidatingPushNotificationHandler (protocols.md §5.1), so the first problem
 * of a request gives the reason Pushy's mock would; steps Pushy lacks are marked (+):
 *   apns-id → (+) bad client certificate → method → topic → collapse id → priority → push type → (+) push-type rules (§1.3) →
 *   (+) expiration → path / token shape → device registry → auth → (+) topic rules → empty payload
 *   → payload size → (+) payload is a JSON object → (+) `final` (rate limit, scripts, user hook).
 * DuplicateHeaders is checked by the caller before this, from the raw header list.
 *
 * The result is synchronous except when `authenticate` has to do async work (a provider token seen
 * for the first time); the common path allocates only the verdict object.
 */
import { randomUUID } from 'node:crypto';
import type { ApnsReason } from '../../core/reasons.js';
import type { DeviceRejection } from './devices.js';
import { isHexOfLength, isHexUuid } from './hex-shapes.js';
import { isJsonObject } from './json-check.js';
import { apnsPushTypes, tokenAuthOnlyPushTypes, topicFitsPushType } from './push-types.js';

export { apnsPushTypes } from './push-types.js';

export interface ApnsAccept {
  readonly ok: true;
  /** To echo in the `apns-id` response header. */
  readonly apnsId: string;
}

export interface ApnsReject {
  readonly ok: false;
  readonly reason: ApnsReason;
  readonly apnsId: string;
  /** For 410 Unregistered: when the token stopped being valid, ms since epoch (protocols.md §1.5). */
  readonly timestamp?: number;
}

export type ApnsVerdict = ApnsAccept | ApnsReject;

/** A reason to reject, or undefined to let the request through. */
export type AuthCheck = ApnsReason | undefined;

/** A rejection decided after validation (rate limit, script, user hook). */
export interface LateRejection {
  readonly reason: ApnsReason;
  readonly timestamp?: number;
}

/** What `final` sees of a push that passed every check. */
export interface ValidatedPush {
  readonly token: string;
  readonly topic: string;
  readonly pushType: string | undefined;
  readonly headers: RequestHeaders;
  readonly body: Buffer;
}

/** Request headers with lower-case names, as node:http2 gives them. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface ApnsValidationContext {
  /** Shape of a device token; Pushy assumes 64 hex characters, real length is unconfirmed (protocols.md §7). */
  readonly deviceTokenPattern: RegExp;
  /** Used when `devices` is absent: tokens answered 410 Unregistered. */
  readonly isUnregistered?: (token: string) => number | undefined;
  /** Device registry (devices.ts): Unregistered, ExpiredToken, DeviceTokenNotForTopic. */
  readonly devices?: { check(token: string, topic: string): DeviceRejection | undefined };
  /** Token or certificate auth; absent means every request is authorised. */
  readonly authenticate?: (authorization: string | undefined, topic: string) => AuthCheck | Promise<AuthCheck>;
  /** 'certificate' on a mutual-TLS connection: location / liveactivity pushes need token auth (§1.3). */
  readonly authKind?: 'token' | 'certificate';
  /** A reason every request of the connection gets, after the apns-id check: a bad client certificate (cert-auth.ts). */
  readonly connectionReason?: ApnsReason;
  /** Topic used when the request has none: the client certificate's UID (§1.2, §1.10). */
  readonly defaultTopic?: string;
  /** Forbidden / TopicDisallowed rules (rules.ts). */
  readonly topicRule?: (topic: string) => ApnsReason | undefined;
  /** Last word on a push that passed every check; may throw (→ 500 InternalServerError, like Pushy). */
  readonly final?: (push: ValidatedPush) => LateRejection | undefined;
  /** 4096 (protocols.md §1.4). */
  readonly maxPayloadBytes: number;
  /** 5120 for apns-push-type voip (protocols.md §1.4, ◐). */
  readonly maxVoipPayloadBytes: number;
  /**
   * Whether a payload is one JSON object; json-check.ts `isJsonObject` when absent. The mock gives
   * `createJsonObjectCheck()`, which remembers the last payload that passed.
   */
  readonly isJsonObject?: (body: Buffer) => boolean;
  /** Makes the apns-id when the request has none (APNs generates one, protocols.md §1.2). */
  readonly generateApnsId?: () => string;
}

export const defaultDeviceTokenPattern = /^[0-9a-fA-F]{64}$/;
export const defaultMaxPayloadBytes = 4096;
export const defaultMaxVoipPayloadBytes = 5120;

// apns-id: 8-4-4-4-12 hex (isHexUuid). Apple documents lower case, Pushy parses with
// UUID.fromString, which also takes upper case; accept both so a client is not rejected for what
// real APNs may well accept (§1.5 ❓).
const expirationPattern = /^\d{1,16}$/;
const maxCollapseIdBytes = 64;

/**
 * @param token the `<token>` of `/3/device/<token>`: '' when the path ends at `/3/device/`, null
 *   when the path is not under `/3/device/` at all (→ BadPath, after the header checks).
 */
export function validateApnsRequest(
  method: string,
  token: string | null,
  headers: RequestHeaders,
  body: Buffer,
  context: ApnsValidationContext,
): ApnsVerdict | Promise<ApnsVerdict> {
  const requestedId = header(headers, 'apns-id');
  if (requestedId !== undefined && !isHexUuid(requestedId)) {
    return reject('BadMessageId', newId(context));
  }
  const apnsId = requestedId ?? newId(context);
  if (context.connectionReason !== undefined) return reject(context.connectionReason, apnsId);
  if (method !== 'POST') return reject('MethodNotAllowed', apnsId);

  // With certificate auth the topic may be omitted: the certificate's subject names it (§1.2).
  const topic = header(headers, 'apns-topic') || context.defaultTopic;
  if (topic === undefined || topic === '') return reject('MissingTopic', apnsId);

  // node:http2 decodes header values one byte per character (latin1), so length is the byte count
  // on the wire, which is what the 64-byte limit is about (protocols.md §1.2).
  const collapseId = header(headers, 'apns-collapse-id');
  if (collapseId !== undefined && collapseId.length > maxCollapseIdBytes) return reject('BadCollapseId', apnsId);

  const priority = header(headers, 'apns-priority');
  if (priority !== undefined && priority !== '10' && priority !== '5' && priority !== '1') {
    return reject('BadPriority', apnsId);
  }
  const pushType = header(headers, 'apns-push-type');
  if (pushType !== undefined) {
    if (!apnsPushTypes.has(pushType)) return reject('InvalidPushType', apnsId);
    const rule = pushTypeRule(pushType, topic, priority, context);
    if (rule !== undefined) return reject(rule, apnsId);
  }

  // Not checked by Pushy; apns-expiration is UNIX seconds or 0 (protocols.md §1.2).
  const expiration = header(headers, 'apns-expiration');
  if (expiration !== undefined && !expirationPattern.test(expiration)) return reject('BadExpirationDate', apnsId);

  if (token === null) return reject('BadPath', apnsId);
  if (token === '') return reject('MissingDeviceToken', apnsId);
  if (!tokenFits(token, context.deviceTokenPattern)) return reject('BadDeviceToken', apnsId);
  const device = checkDevice(token, topic, context);
  if (device !== undefined) return device.reason === 'Unregistered' ? { ok: false, reason: device.reason, apnsId, timestamp: device.timestamp } : reject(device.reason, apnsId);

  const rest = (): ApnsVerdict => afterAuth(token, topic, pushType, headers, body, apnsId, context);
  if (context.authenticate !== undefined) {
    const check = context.authenticate(header(headers, 'authorization'), topic);
    if (check instanceof Promise) return check.then((reason) => (reason === undefined ? rest() : reject(reason, apnsId)));
    if (check !== undefined) return reject(check, apnsId);
  }
  return rest();
}

/**
 * Push-type rules of §1.3 (not in Pushy). Which reason Apple gives for each is unconfirmed; the
 * closest documented meaning is used: a topic without the type's suffix → BadTopic; background at
 * a priority other than 5 (10 when omitted, §1.2) → BadPriority; location / liveactivity over a
 * certificate connection → MissingProviderToken (they need a provider token).
 */
function pushTypeRule(pushType: string, topic: string, priority: string | undefined, context: ApnsValidationContext): ApnsReason | undefined {
  if (!topicFitsPushType(topic, pushType)) return 'BadTopic';
  if (pushType === 'background' && priority !== '5') return 'BadPriority';
  if (context.authKind === 'certificate' && tokenAuthOnlyPushTypes.has(pushType)) return 'MissingProviderToken';
  return undefined;
}

/** The default pattern (64 hex digits) without the RegExp engine (hex-shapes.ts); any other pattern as given. */
function tokenFits(token: string, pattern: RegExp): boolean {
  return pattern === defaultDeviceTokenPattern ? isHexOfLength(token, 64) : pattern.test(token);
}

function checkDevice(token: string, topic: string, context: ApnsValidationContext): DeviceRejection | undefined {
  if (context.devices !== undefined) return context.devices.check(token, topic);
  const timestamp = context.isUnregistered?.(token);
  return timestamp === undefined ? undefined : { reason: 'Unregistered', timestamp };
}

function afterAuth(
  token: string,
  topic: string,
  pushType: string | undefined,
  headers: RequestHeaders,
  body: Buffer,
  apnsId: string,
  context: ApnsValidationContext,
): ApnsVerdict {
  const rule = context.topicRule?.(topic);
  if (rule !== undefined) return reject(rule, apnsId);
  if (body.length === 0) return reject('PayloadEmpty', apnsId);
  const limit = pushType === 'voip' ? context.maxVoipPayloadBytes : context.maxPayloadBytes;
  if (body.length > limit) return reject('PayloadTooLarge', apnsId);
  // APNs payloads are JSON dictionaries; what Apple answers otherwise is unconfirmed (core/reasons.ts BadPayload).
  if (!(context.isJsonObject ?? isJsonObject)(body)) return reject('BadPayload', apnsId);
  if (context.final !== undefined) {
    const late = context.final({ token, topic, pushType, headers, body });
    if (late !== undefined) return { ok: false, reason: late.reason, apnsId, ...(late.timestamp !== undefined && { timestamp: late.timestamp }) };
  }
  return { ok: true, apnsId };
}

/**
 * The apns-id for a response decided outside validateApnsRequest (framework errors, a failing
 * handler): the request's, when it is a valid UUID, otherwise a new one.
 */
export function responseApnsId(headers: RequestHeaders, generate: () => string = randomUUID): string {
  const requested = header(headers, 'apns-id');
  return requested !== undefined && isHexUuid(requested) ? requested : generate();
}

/**
 * The first header name that occurs more than once in a raw `[name, value, name, value, …]` list
 * (node:http2's `rawHeaders`), pseudo-headers included; undefined when none does. APNs answers a
 * repeated header with 400 DuplicateHeaders (§1.2); node:http2 would otherwise join the values.
 */
export function findDuplicateHeader(rawHeaders: readonly string[]): string | undefined {
  const count = rawHeaders.length;
  for (let i = 0; i < count; i += 2) {
    const name = rawHeaders[i];
    // HTTP/2 lets a client split `cookie` into several fields (RFC 9113 §8.2.3): not a duplicate.
    if (name === 'cookie') continue;
    for (let j = i + 2; j < count; j += 2) if (rawHeaders[j] === name) return name;
  }
  return undefined;
}

function reject(reason: ApnsReason, apnsId: string): ApnsReject {
  return { ok: false, reason, apnsId };
}

function newId(context: ApnsValidationContext): string {
  return context.generateApnsId === undefined ? randomUUID() : context.generateApnsId();
}

/** node:http2 joins repeated custom headers with ', '; arrays only occur for set-cookie, kept for safety. */
function header(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' || value === undefined ? value : value.join(', ');
}
