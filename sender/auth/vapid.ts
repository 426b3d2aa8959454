/**
 * VAPID (RFC 8292, protocols.md §3.2): `Authorization: vapid t=<JWT>, k=<public key>`, the JWT signed
 * ES256 with claims `aud` (the push service origin), `exp` (≤ 24 h ahead) and `sub` (a contact).
 * One JWT per audience is cached and re-signed once half its lifetime has passed, so a JWT on the
 * wire always has hours left. Keys are checked at construction and never echoed.
 */
import { createECDH } from 'node:crypto';
import { SignJWT, importJWK, type CryptoKey } from 'jose';
import { systemClock, type Clock } from '../../core/clock.js';
import { holdOn } from '../../core/scheduler.js';
import { CredentialError, InvalidArgumentError, assertInteger } from '../../core/errors.js';

export interface VapidCredentials {
  /** Uncompressed P-256 public key (65 bytes), base64url: the `applicationServerKey` browsers subscribed with. */
  readonly publicKey: string;
  /** Private scalar (32 bytes), base64url. Never logged. */
  readonly privateKey: string;
  /** `mailto:` or `https:` contact for the push service operator. */
  readonly subject: string;
}

export interface VapidSignerOptions extends VapidCredentials {
  readonly clock?: Clock;
  /** JWT lifetime in seconds, at most 24 h. @default 43200 (12 h, as web-push) */
  readonly expiresInSeconds?: number;
}

export class VapidSigner {
  readonly publicKey: string;
  readonly subject: string;
  readonly #key: CryptoKey;
  readonly #clock: Clock;
  readonly #lifetimeMs: number;
  readonly #cache = new Map<string, { header: string; renewAt: number }>();
  readonly #inFlight = new Map<string, Promise<string>>();
  #signed = 0;

  private constructor(options: VapidSignerOptions, key: CryptoKey) {
    this.publicKey = options.publicKey;
    this.subject = options.subject;
    this.#key = key;
    this.#clock = options.clock ?? systemClock;
    this.#lifetimeMs = assertInteger('expiresInSeconds', options.expiresInSeconds ?? 43_200, 60, 86_400) * 1000;
  }

  static async create(options: VapidSignerOptions): Promise<VapidSigner> {
    if (typeof options.subject !== 'string' || !/^(mailto:|https:)/.test(options.subject)) {
      throw new InvalidArgumentError(`VAPID subject must be a mailto: or https: contact (RFC 8292 §2.1), got ${JSON.stringify(options.subject)}`);
    }
    const publicKey = decode('publicKey', options.publicKey, 65);
    const privateKey = decode('privateKey', options.privateKey, 32);
    const problem = vapidPairProblem(publicKey, privateKey);
    if (problem !== undefined) throw new CredentialError(`VAPID ${problem}`);
    const jwk = { kty: 'EC', crv: 'P-256', x: b64(publicKey.subarray(1, 33)), y: b64(publicKey.subarray(33)), d: b64(privateKey) };
    const key = (await importJWK(jwk, 'ES256')) as CryptoKey;
    return new VapidSigner(options, key);
  }

  /** JWTs signed so far (tests check the cache with it). */
  get signed(): number {
    return this.#signed;
  }

  /** The Authorization value for `audience` (an origin); synchronous while the cached JWT is fresh. */
  authorization(audience: string): string | Promise<string> {
    const cached = this.#cache.get(audience);
    if (cached !== undefined && this.#clock.now() < cached.renewAt) return cached.header;
    let pending = this.#inFlight.get(audience);
    if (pending === undefined) {
      pending = this.#sign(audience).finally(() => this.#inFlight.delete(audience));
      this.#inFlight.set(audience, pending);
    }
    return pending;
  }

  /** Drops the cached JWT of `audience` (the push service refused it with 401), so the next call re-signs. */
  invalidate(audience: string): void {
    this.#cache.delete(audience);
  }

  async #sign(audience: string): Promise<string> {
    const now = this.#clock.now();
    // A virtual clock stands still while the signature is computed on the crypto thread pool.
    const jwt = await holdOn(this.#clock)(
      new SignJWT({ sub: this.subject })
        .setProtectedHeader({ typ: 'JWT', alg: 'ES256' })
        .setAudience(audience)
        .setExpirationTime(Math.floor((now + this.#lifetimeMs) / 1000))
        .sign(this.#key),
    );
    const header = `vapid t=${jwt}, k=${this.publicKey}`;
    // Re-signed at half-life: a cached JWT never goes out with less than half its lifetime left.
    this.#cache.set(audience, { header, renewAt: now + this.#lifetimeMs / 2 });
    this.#signed++;
    return header;
  }
}

/**
 * Why `publicKey` and `privateKey` (raw bytes: a 65-byte point, a 32-byte scalar) are not one P-256
 * key pair, or undefined. The public key is derived from the private one and compared: a push
 * service checks the JWT's signature against `k=`, so a mismatched pair is refused on every push
 * (401/403) — better said before the first one. Shared with scenarios/credentials.ts's up-front check.
 */
export function vapidPairProblem(publicKey: Buffer, privateKey: Buffer): string | undefined {
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) return 'publicKey must be an uncompressed P-256 point (65 bytes starting 0x04), base64url';
  let derived: Buffer;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(privateKey);
    derived = ecdh.getPublicKey();
  } catch {
    return 'privateKey is not a P-256 private key';
  }
  return derived.equals(publicKey) ? undefined : 'privateKey does not belong to publicKey: use the pair generated together (web-push generate-vapid-keys)';
}

function decode(name: string, value: unknown, bytes: number): Buffer {
  const raw = typeof value === 'string' && /^[A-Za-z0-9_-]+=*$/.test(value) ? Buffer.from(value, 'base64url') : undefined;
  if (raw === undefined || raw.length !== bytes) throw new CredentialError(`VAPID ${name} must be ${bytes} bytes in base64url (as web-push generateVAPIDKeys() makes)`);
  return raw;
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64url');
}
