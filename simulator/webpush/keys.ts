/**
 * Key material of Web Push (protocols.md §3.2-3.3): VAPID application-server keys (ECDSA P-256,
 * RFC 8292) and subscription keys (`p256dh`: the user agent's ECDH P-256 public key, `auth`: a
 * 16-byte secret, RFC 8291), in the base64url forms browsers and the `web-push` package use.
 */
import { createECDH, createHmac, createPublicKey, randomBytes, type ECDH, type KeyObject } from 'node:crypto';

export interface VapidKeys {
  /** Uncompressed P-256 point (65 bytes), base64url: the browser's `applicationServerKey`. */
  readonly publicKey: string;
  /** The private scalar (32 bytes), base64url. A secret: never log it. */
  readonly privateKey: string;
  /** Contact the JWT names (`sub`). */
  readonly subject: string;
}

export function generateVapidKeys(subject = 'mailto:pushsim@example.com'): VapidKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // getPrivateKey() drops leading zero bytes (1 key in 256 comes out shorter); VAPID private keys
  // are exactly 32 bytes (RFC 8292 §3.2 via web-push's vapid-helper), so pad back.
  const privateKey = Buffer.concat([Buffer.alloc(32), ecdh.getPrivateKey()]).subarray(-32);
  return { publicKey: ecdh.getPublicKey('base64url'), privateKey: privateKey.toString('base64url'), subject };
}

/** The user agent's side of a subscription: what the mock keeps to decrypt messages. */
export interface SubscriptionKeys {
  /** `p256dh`, base64url of the 65-byte public key. */
  readonly p256dh: string;
  /** `auth`, base64url of the 16-byte secret. */
  readonly auth: string;
  readonly ecdh: ECDH;
}

export function generateSubscriptionKeys(): SubscriptionKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url'), ecdh };
}

/**
 * The keys of subscription number `n` derived from `secret` (HMAC-SHA256): every mock holding the
 * secret makes the same subscriptions in the same order, so the processes of `--workers` all know
 * them. A scalar outside the curve's range (odds about 2^-32) is derived again with the next counter.
 */
export function deriveSubscription(secret: Buffer, n: number): { readonly id: string; readonly keys: SubscriptionKeys } {
  const derive = (purpose: string): Buffer => createHmac('sha256', secret).update(`${purpose}:${n}`).digest();
  const ecdh = createECDH('prime256v1');
  for (let attempt = 0; ; attempt++) {
    try {
      ecdh.setPrivateKey(derive(`ecdh:${attempt}`));
      break;
    } catch {
      // out of range: the next counter
    }
  }
  return { id: derive('id').subarray(0, 16).toString('base64url'), keys: { p256dh: ecdh.getPublicKey('base64url'), auth: derive('auth').subarray(0, 16).toString('base64url'), ecdh } };
}

/** A verification key from a 65-byte uncompressed P-256 point; undefined when it is not one. */
export function p256PublicKey(raw: Buffer): KeyObject | undefined {
  if (raw.length !== 65 || raw[0] !== 0x04) return undefined;
  try {
    return createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return undefined;
  }
}
