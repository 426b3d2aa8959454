/**
 * Header and framing checks of a push message request (RFC 8030 §5, RFC 8188 §2, RFC 8291 §4;
 * protocols.md §3.1, §3.3). Pure functions; each problem maps to the status the RFCs name.
 *
 *   TTL missing or not a non-negative integer   → 400 (RFC 8030 §5.2: TTL is required)
 *   Urgency not very-low / low / normal / high   → 400 (§5.3)
 *   Topic over 32 chars or not base64url         → 400 (§5.4)
 *   body over 4096 bytes                         → 413 (§7.2: 413 forbidden for ≤ 4096)
 *   body without Content-Encoding: aes128gcm     → 400
 *   aes128gcm header: rs < 18, keyid not a 65-byte
 *   P-256 point, no room for a record            → 400
 */
export const urgencies: readonly string[] = ['very-low', 'low', 'normal', 'high'];
export const maxBodyBytes = 4096;
const topicPattern = /^[A-Za-z0-9_-]{1,32}$/;
const ttlPattern = /^\d{1,10}$/;
/** salt (16) + rs (4) + idlen (1), RFC 8188 §2.1. */
const fixedHeaderBytes = 21;
/** One record needs at least the padding delimiter and the 16-byte tag. */
const minRecordBytes = 17;

export type HeaderCheck =
  | { readonly ok: true; readonly ttl: number; readonly urgency: string; readonly topic: string | undefined }
  | { readonly ok: false; readonly status: 400; readonly message: string };

export function checkPushHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): HeaderCheck {
  const ttl = single(headers['ttl']);
  if (ttl === undefined) return bad('TTL header is required (RFC 8030 §5.2)');
  if (!ttlPattern.test(ttl)) return bad('TTL must be a number of seconds (a non-negative integer)');
  const urgency = headers['urgency'];
  if (urgency !== undefined && (typeof urgency !== 'string' || !urgencies.includes(urgency))) {
    return bad('Urgency must be one of very-low, low, normal, high (RFC 8030 §5.3)');
  }
  const topic = headers['topic'];
  if (topic !== undefined && (typeof topic !== 'string' || !topicPattern.test(topic))) {
    return bad('Topic must be at most 32 characters of the base64url alphabet (RFC 8030 §5.4)');
  }
  return { ok: true, ttl: Number(ttl), urgency: (urgency as string | undefined) ?? 'normal', topic: topic as string | undefined };
}

export type BodyCheck = { readonly ok: true } | { readonly ok: false; readonly status: 400 | 413; readonly message: string };

export function checkPushBody(contentEncoding: string | string[] | undefined, body: Buffer): BodyCheck {
  if (body.length > maxBodyBytes) return { ok: false, status: 413, message: `the body is ${body.length} bytes; push services must accept up to ${maxBodyBytes} (RFC 8030 §7.2)` };
  if (body.length === 0) return { ok: true };
  if (single(contentEncoding)?.toLowerCase() !== 'aes128gcm') {
    return { ok: false, status: 400, message: 'a body needs Content-Encoding: aes128gcm (RFC 8291); legacy aesgcm is not accepted' };
  }
  if (body.length < fixedHeaderBytes) return { ok: false, status: 400, message: 'aes128gcm body is shorter than its 21-byte header (RFC 8188 §2.1)' };
  const rs = body.readUInt32BE(16);
  const idlen = body[20] as number;
  if (rs < 18) return { ok: false, status: 400, message: `aes128gcm record size ${rs} is below the minimum of 18` };
  if (idlen !== 65 || body[fixedHeaderBytes] !== 0x04) {
    return { ok: false, status: 400, message: 'aes128gcm keyid must be the sender\'s 65-byte uncompressed P-256 public key (RFC 8291 §4)' };
  }
  const records = body.length - fixedHeaderBytes - idlen;
  if (records < minRecordBytes) return { ok: false, status: 400, message: 'aes128gcm body has no room for an encrypted record' };
  return { ok: true };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function bad(message: string): HeaderCheck {
  return { ok: false, status: 400, message };
}
