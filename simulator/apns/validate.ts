/**
 * APNs request validation as a pure function, independent of fastify, so it can be unit-tested and
 * reused by other front ends (a raw node:http2 handler, a benchmark profile).
 *
 * Order follows Pushy's ValidatingPushNotificationHandler (protocols.md §5.1), so the first problem
 * of a request gives the same reason Pushy's mock would:
 *   apns-id → method → topic → collapse id → priority → push type → (expiration) → token shape →
 *   unregistered → auth → empty payload → payload size → payload is a JSON object.
 *
 * The result is synchronous except when `authenticate` has to do async work (a provider token seen
 * for the first time); the common path allocates only the verdict object.
 */
import { randomUUID } from 'node:crypto';
import type { ApnsReason } from '../../core/reasons.js';

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

/** Request headers with lower-case names, as node:http2 and fastify give them. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface ApnsValidationContext {
  /** Shape of a device token; Pushy assumes 64 hex characters, real length is unconfirmed (protocols.md §7). */
  readonly deviceTokenPattern: RegExp;
  readonly isUnregistered: (token: string) => number | undefined;
  /** Token or certificate auth; absent means every request is authorised. */
  readonly authenticate?: (authorization: string | undefined) => AuthCheck | Promise<AuthCheck>;
  /** 4096 (protocols.md §1.4). */
  readonly maxPayloadBytes: number;
  /** 5120 for apns-push-type voip (protocols.md §1.4, ◐). */
  readonly maxVoipPayloadBytes: number;
  /** Makes the apns-id when the request has none (APNs generates one, protocols.md §1.2). */
  readonly generateApnsId?: () => string;
}

export const defaultDeviceTokenPattern = /^[0-9a-fA-F]{64}$/;
export const defaultMaxPayloadBytes = 4096;
export const defaultMaxVoipPayloadBytes = 5120;

/** apns-push-type values, protocols.md §1.2. */
export const apnsPushTypes: ReadonlySet<string> = new Set([
  'alert',
  'background',
  'location',
  'voip',
  'complication',
  'fileprovider',
  'mdm',
  'liveactivity',
  'pushtotalk',
]);

// 8-4-4-4-12 hex. Apple documents lower case, Pushy parses with UUID.fromString, which also takes
// upper case; accept both so a client is not rejected for what real APNs may well accept (§1.5 ❓).
const uuidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const expirationPattern = /^\d{1,16}$/;
const maxCollapseIdBytes = 64;

/**
 * @param token the `<token>` of `/3/device/<token>`, '' when the path ends at `/3/device/`.
 */
export function validateApnsRequest(
  method: string,
  token: string,
  headers: RequestHeaders,
  body: Buffer,
  context: ApnsValidationContext,
): ApnsVerdict | Promise<ApnsVerdict> {
  const requestedId = header(headers, 'apns-id');
  if (requestedId !== undefined && !uuidPattern.test(requestedId)) {
    return reject('BadMessageId', newId(context));
  }
  const apnsId = requestedId ?? newId(context);
  if (method !== 'POST') return reject('MethodNotAllowed', apnsId);

  const topic = header(headers, 'apns-topic');
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
  if (pushType !== undefined && !apnsPushTypes.has(pushType)) return reject('InvalidPushType', apnsId);

  // Not checked by Pushy; apns-expiration is UNIX seconds or 0 (protocols.md §1.2).
  const expiration = header(headers, 'apns-expiration');
  if (expiration !== undefined && !expirationPattern.test(expiration)) return reject('BadExpirationDate', apnsId);

  if (token === '') return reject('MissingDeviceToken', apnsId);
  if (!context.deviceTokenPattern.test(token)) return reject('BadDeviceToken', apnsId);
  const unregisteredAt = context.isUnregistered(token);
  if (unregisteredAt !== undefined) return { ok: false, reason: 'Unregistered', apnsId, timestamp: unregisteredAt };

  if (context.authenticate !== undefined) {
    const authorization = header(headers, 'authorization');
    const check = context.authenticate(authorization);
    if (check instanceof Promise) {
      return check.then((reason) => (reason === undefined ? validatePayload(pushType, body, apnsId, context) : reject(reason, apnsId)));
    }
    if (check !== undefined) return reject(check, apnsId);
  }
  return validatePayload(pushType, body, apnsId, context);
}

function validatePayload(pushType: string | undefined, body: Buffer, apnsId: string, context: ApnsValidationContext): ApnsVerdict {
  if (body.length === 0) return reject('PayloadEmpty', apnsId);
  const limit = pushType === 'voip' ? context.maxVoipPayloadBytes : context.maxPayloadBytes;
  if (body.length > limit) return reject('PayloadTooLarge', apnsId);
  if (!isJsonObject(body)) return reject('BadPayload', apnsId);
  return { ok: true, apnsId };
}

/** APNs payloads are JSON dictionaries; what Apple answers otherwise is unconfirmed (core/reasons.ts BadPayload). */
function isJsonObject(body: Buffer): boolean {
  // Cheap reject before parsing: a JSON object starts with '{' after optional whitespace.
  let first = 0;
  while (first < body.length && (body[first] === 0x20 || body[first] === 0x0a || body[first] === 0x0d || body[first] === 0x09)) first++;
  if (body[first] !== 0x7b) return false;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/**
 * The apns-id for a response decided outside validateApnsRequest (bad path, framework errors): the
 * request's, when it is a valid UUID, otherwise a new one.
 */
export function responseApnsId(headers: RequestHeaders, generate: () => string = randomUUID): string {
  const requested = header(headers, 'apns-id');
  return requested !== undefined && uuidPattern.test(requested) ? requested : generate();
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
