/**
 * A JWS compact ES256 signature checked synchronously with node:crypto (RFC 7515 §5.2, RFC 7518
 * §3.4: the signature is r‖s, 64 bytes), for the mocks' verifiers when they run on a virtual clock
 * (simulator/virtual/): jose verifies through WebCrypto on libuv's thread pool, whose timing a
 * simulation cannot wait for. A `crit` header (b64 and the like) is refused, as jose would treat it
 * specially: the senders never send one.
 */
import { verify, type KeyObject } from 'node:crypto';

export function verifyEs256Now(jwt: string, key: KeyObject): boolean {
  const parts = jwt.split('.');
  if (parts.length !== 3) return false;
  const [header, payload, signature] = parts as [string, string, string];
  if (/"crit"/.test(Buffer.from(header, 'base64url').toString('utf8'))) return false;
  try {
    return verify('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
