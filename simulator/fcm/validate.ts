/**
 * Validation of an FCM HTTP v1 send body `{"validate_only"?: bool, "message": Message}` (protocols.md
 * §2.1, §2.3, §2.6). Every problem found becomes a `google.rpc.BadRequest` field violation, and the
 * request is answered 400 INVALID_ARGUMENT. Pure: no I/O, no clock.
 *
 * Checked: JSON object; known top-level and message fields (proto JSON accepts snake_case and
 * camelCase); exactly one of token / fid / topic / condition, each a string (`fid`, a Firebase
 * Installation ID, is the v1 API's newer target, §2.3); token, fid and topic shape;
 * `data` a map of strings without reserved keys (`from`, `gcm…`, `google…`); `notification` fields
 * strings; `android.ttl` a duration "Ns" within 0–2,419,200 s and `android.priority` normal/high;
 * payload (data keys and values plus notification texts) ≤ 4096 bytes, ≤ 2048 for topic messages.
 */

export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

export type FcmTarget = { readonly kind: 'token' | 'fid' | 'topic' | 'condition'; readonly value: string };

export type SendValidation =
  | { readonly ok: true; readonly target: FcmTarget; readonly validateOnly: boolean; readonly payloadBytes: number }
  | { readonly ok: false; readonly message: string; readonly violations: readonly FieldViolation[] };

export interface SendValidationContext {
  readonly tokenPattern: RegExp;
  /** @default 4096 */
  readonly maxPayloadBytes?: number;
  /** @default 2048 */
  readonly maxTopicPayloadBytes?: number;
}

export const maxTtlSeconds = 2_419_200;
const topLevelFields = new Set(['message', 'validate_only', 'validateOnly']);
const messageFields = new Set(['name', 'token', 'fid', 'topic', 'condition', 'data', 'notification', 'android', 'apns', 'webpush', 'fcm_options', 'fcmOptions']);
const topicPattern = /^[a-zA-Z0-9-_.~%]{1,900}$/;
/** A Firebase Installation ID: 22 characters of URL-safe base64 (128 bits, the first four fixed). */
const fidPattern = /^[A-Za-z0-9_-]{22}$/;
const durationPattern = /^(\d{1,10})(\.\d{1,9})?s$/;
const androidPriorities = new Set(['normal', 'high', 'NORMAL', 'HIGH']);

export function validateSendBody(body: Buffer, context: SendValidationContext): SendValidation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return invalid([{ field: '', description: `Invalid JSON payload received. ${(error as Error).message.slice(0, 200)}` }]);
  }
  if (!isObject(parsed)) return invalid([{ field: '', description: 'Invalid JSON payload received. The request body must be a JSON object.' }]);

  const violations: FieldViolation[] = [];
  for (const name of Object.keys(parsed)) {
    if (!topLevelFields.has(name)) violations.push({ field: name, description: `Invalid JSON payload received. Unknown name "${clip(name)}": Cannot find field.` });
  }
  const validateOnly = parsed['validate_only'] ?? parsed['validateOnly'] ?? false;
  if (typeof validateOnly !== 'boolean') violations.push({ field: 'validate_only', description: 'validate_only must be a boolean' });
  const message = parsed['message'];
  if (!isObject(message)) {
    violations.push({ field: 'message', description: 'message is required and must be an object' });
    return invalid(violations);
  }
  for (const name of Object.keys(message)) {
    if (!messageFields.has(name)) violations.push({ field: `message.${clip(name)}`, description: `Invalid JSON payload received. Unknown name "${clip(name)}" at 'message': Cannot find field.` });
  }

  const target = checkTarget(message, context, violations);
  const payloadBytes = checkData('message.data', message['data'], violations) + checkNotification(message['notification'], violations);
  checkAndroid(message['android'], violations);
  for (const name of ['apns', 'webpush', 'fcm_options', 'fcmOptions']) {
    if (message[name] !== undefined && !isObject(message[name])) violations.push({ field: `message.${name}`, description: `${name} must be an object` });
  }
  const limit = target?.kind === 'topic' ? (context.maxTopicPayloadBytes ?? 2048) : (context.maxPayloadBytes ?? 4096);
  if (payloadBytes > limit) {
    violations.push({ field: 'message', description: `Message is too big: the payload is ${payloadBytes} bytes, the limit is ${limit} bytes${target?.kind === 'topic' ? ' for topic messages' : ''}` });
  }
  if (violations.length > 0 || target === undefined) return invalid(violations);
  return { ok: true, target, validateOnly: validateOnly === true, payloadBytes };
}

function checkTarget(message: Record<string, unknown>, context: SendValidationContext, violations: FieldViolation[]): FcmTarget | undefined {
  const given = (['token', 'fid', 'topic', 'condition'] as const).filter((kind) => message[kind] !== undefined);
  if (given.length !== 1) {
    violations.push({ field: 'message', description: `Exactly one of message.token, message.fid, message.topic or message.condition must be set; got ${given.length === 0 ? 'none' : given.join(', ')}` });
    return undefined;
  }
  const kind = given[0] as FcmTarget['kind'];
  const value = message[kind];
  if (typeof value !== 'string') {
    violations.push({ field: `message.${kind}`, description: `${kind} must be a string` });
    return undefined;
  }
  if (kind === 'token' && !context.tokenPattern.test(value)) {
    violations.push({ field: 'message.token', description: 'The registration token is not a valid FCM registration token' });
    return undefined;
  }
  if (kind === 'fid' && !fidPattern.test(value)) {
    violations.push({ field: 'message.fid', description: 'The Firebase Installation ID is not valid: 22 characters of [A-Za-z0-9_-]' });
    return undefined;
  }
  if (kind === 'topic' && !topicPattern.test(value)) {
    violations.push({ field: 'message.topic', description: 'Invalid topic name: use [a-zA-Z0-9-_.~%]+ without the /topics/ prefix' });
    return undefined;
  }
  if (kind === 'condition' && value.trim() === '') {
    violations.push({ field: 'message.condition', description: 'condition must not be empty' });
    return undefined;
  }
  return { kind, value };
}

/** Returns the bytes the map adds to the payload (keys and values). */
function checkData(field: string, data: unknown, violations: FieldViolation[]): number {
  if (data === undefined) return 0;
  if (!isObject(data)) {
    violations.push({ field, description: 'data must be a map of string keys to string values' });
    return 0;
  }
  let bytes = 0;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string') {
      violations.push({ field: `${field}.${clip(key)}`, description: `Invalid value at '${field}[${clip(key)}]': data values must be strings, got ${value === null ? 'null' : typeof value}` });
      continue;
    }
    if (isReservedKey(key)) violations.push({ field: `${field}.${clip(key)}`, description: `Invalid data payload key: "${clip(key)}" is reserved (from, gcm…, google…)` });
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  return bytes;
}

/** FCM reserved data keys (protocols.md §2.3). */
function isReservedKey(key: string): boolean {
  const lower = key.toLowerCase();
  return lower === 'from' || lower.startsWith('gcm') || lower.startsWith('google');
}

function checkNotification(notification: unknown, violations: FieldViolation[]): number {
  if (notification === undefined) return 0;
  if (!isObject(notification)) {
    violations.push({ field: 'message.notification', description: 'notification must be an object' });
    return 0;
  }
  let bytes = 0;
  for (const name of ['title', 'body', 'image']) {
    const value = notification[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') violations.push({ field: `message.notification.${name}`, description: `${name} must be a string` });
    else bytes += Buffer.byteLength(value);
  }
  return bytes;
}

function checkAndroid(android: unknown, violations: FieldViolation[]): void {
  if (android === undefined) return;
  if (!isObject(android)) {
    violations.push({ field: 'message.android', description: 'android must be an object' });
    return;
  }
  const ttl = android['ttl'];
  if (ttl !== undefined) {
    const match = typeof ttl === 'string' ? durationPattern.exec(ttl) : null;
    if (match === null) {
      violations.push({ field: 'message.android.ttl', description: 'Invalid duration: android.ttl must be a string of seconds ending in "s", e.g. "3600s"' });
    } else if (Number(match[1]) > maxTtlSeconds || (Number(match[1]) === maxTtlSeconds && match[2] !== undefined && /[1-9]/.test(match[2]))) {
      violations.push({ field: 'message.android.ttl', description: `android.ttl must be from 0 to ${maxTtlSeconds} seconds (4 weeks)` });
    }
  }
  const priority = android['priority'];
  if (priority !== undefined && (typeof priority !== 'string' || !androidPriorities.has(priority))) {
    violations.push({ field: 'message.android.priority', description: 'android.priority must be "normal" or "high"' });
  }
  for (const name of ['collapse_key', 'restricted_package_name']) {
    if (android[name] !== undefined && typeof android[name] !== 'string') violations.push({ field: `message.android.${name}`, description: `${name} must be a string` });
  }
  if (android['data'] !== undefined) checkData('message.android.data', android['data'], violations);
}

function invalid(violations: readonly FieldViolation[]): SendValidation {
  return { ok: false, message: violations[0]?.description ?? 'Request contains an invalid argument.', violations };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Echoed names are cut short, so a hostile key cannot blow up the error body. */
function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
