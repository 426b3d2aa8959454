/**
 * RFC 8291 message encryption (aes128gcm content coding, RFC 8188) with the maintained `http_ece`
 * package (web-push-libs; what the `web-push` client uses): a fresh ECDH key and salt per message,
 * one record of up to 4096 bytes, so the plaintext may be at most 3993 bytes (protocols.md §3.3).
 */
import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { createRequire } from 'node:module';

interface Ece {
  encrypt(buffer: Buffer, params: { version: 'aes128gcm'; dh: string; privateKey: ECDH; salt: Buffer; authSecret: string; rs: number }): Buffer;
}
const ece = createRequire(import.meta.url)('http_ece') as Ece;

/** 4096 − 86 (header) − 16 (tag) − 1 (padding delimiter). */
export const maxPlaintextBytes = 3993;

/** Encrypts `plaintext` for a subscription's `p256dh` and `auth` (both base64url). Throws on bad keys. */
export function encryptPayload(plaintext: Buffer, p256dh: string, auth: string): Buffer {
  const sender = createECDH('prime256v1');
  sender.generateKeys();
  return ece.encrypt(plaintext, { version: 'aes128gcm', dh: p256dh, privateKey: sender, salt: randomBytes(16), authSecret: auth, rs: 4096 });
}
