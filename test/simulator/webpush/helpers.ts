/** Test helpers for the mock Web Push service: VAPID headers and encrypted bodies built independently of the sender. */
import { createECDH, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { SignJWT, importJWK } from 'jose';
import type { VapidKeys } from '../../../simulator/webpush/keys.js';
import type { PushSubscriptionJson } from '../../../simulator/webpush/subscriptions.js';

export interface VapidClaims {
  readonly aud?: string;
  /** Seconds since epoch. */
  readonly exp?: number;
  readonly sub?: string | undefined;
  readonly alg?: 'ES256';
}

/** `vapid t=<JWT>, k=<key>` signed with `keys`, claims overridable. */
export async function vapidHeader(keys: VapidKeys, audience: string, claims: VapidClaims = {}): Promise<string> {
  const pub = Buffer.from(keys.publicKey, 'base64url');
  const jwk = { kty: 'EC', crv: 'P-256', x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33).toString('base64url'), d: keys.privateKey };
  const payload: Record<string, unknown> = { aud: claims.aud ?? audience, exp: claims.exp ?? Math.floor(Date.now() / 1000) + 3600 };
  if (!('sub' in claims)) payload['sub'] = keys.subject;
  else if (claims.sub !== undefined) payload['sub'] = claims.sub;
  const jwt = await new SignJWT(payload).setProtectedHeader({ typ: 'JWT', alg: 'ES256' }).sign(await importJWK(jwk, 'ES256'));
  return `vapid t=${jwt}, k=${keys.publicKey}`;
}

interface Ece {
  encrypt(buffer: Buffer, params: Record<string, unknown>): Buffer;
}
const ece = createRequire(import.meta.url)('http_ece') as Ece;

/** An aes128gcm body for `subscription` (RFC 8291). */
export function encryptFor(subscription: PushSubscriptionJson, plaintext: Buffer | string): Buffer {
  const sender = createECDH('prime256v1');
  sender.generateKeys();
  return ece.encrypt(Buffer.from(plaintext), { version: 'aes128gcm', dh: subscription.keys.p256dh, privateKey: sender, salt: randomBytes(16), authSecret: subscription.keys.auth });
}

export const pathOf = (endpoint: string): string => new URL(endpoint).pathname;
