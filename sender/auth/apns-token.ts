/**
 * Signs APNs provider tokens (JWT, ES256) from a .p8 key and decides when to re-sign.
 *
 * Apple (protocols.md §1.9): header {alg: ES256, kid}, claims {iss: team id, iat}; tokens older than
 * one hour are rejected (403 ExpiredProviderToken) and re-signing more often than every 20 minutes
 * earns 429 TooManyProviderTokenUpdates. So: re-sign after `refreshAfterMs` (50 min, as apns2 and
 * Pushy do), and never sooner than `minRefreshIntervalMs` (20 min) after the last signature, even
 * when forced after an ExpiredProviderToken.
 */
import { SignJWT, importPKCS8 } from 'jose';
import type { CryptoKey } from 'jose';
import { systemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import { holdOn } from '../../core/scheduler.js';
import { CredentialError, InvalidArgumentError } from '../../core/errors.js';
import { originHostIn } from '../production-guard.js';

export interface ApnsTokenCredentials {
  /** The 10-character key id of the .p8 key (Apple developer account → Keys). */
  readonly keyId: string;
  /** The 10-character team id the key belongs to. */
  readonly teamId: string;
  /** Contents of the .p8 file (PKCS#8 PEM). Never logged. */
  readonly privateKey: string;
}

export interface ApnsTokenSignerOptions extends ApnsTokenCredentials {
  readonly clock?: Clock;
  /** Re-sign once the token is this old. @default 3_000_000 (50 minutes) */
  readonly refreshAfterMs?: number;
  /** Never re-sign sooner than this after the previous signature. @default 1_200_000 (20 minutes) */
  readonly minRefreshIntervalMs?: number;
}

const HOUR_MS = 3_600_000;

/** Apple's APNs hosts (protocols.md §1.1): the ones that only know Apple's own key and team ids. */
const appleHosts: ReadonlySet<string> = new Set(['api.push.apple.com', 'api.sandbox.push.apple.com', 'api.development.push.apple.com']);

/** Whether `url` is Apple's APNs (a mock or proxy elsewhere decides for itself which ids it knows). */
export function isAppleApnsOrigin(url: string): boolean {
  return originHostIn(url, appleHosts);
}

/** Where each id is found, for the message that asks for it. */
const appleIdWhere = {
  keyId: 'the Key ID shown next to the key in your Apple developer account (Certificates, Identifiers & Profiles → Keys), also the KEYID in AuthKey_KEYID.p8',
  teamId: 'the Team ID in the Membership details of your Apple developer account',
} as const;

/**
 * Why APNs would refuse `value` as a key or team id, or undefined. Apple's ids are 10 characters
 * (protocols.md §1.9: `kid` and `iss`); any other length earns 403 InvalidProviderToken on every
 * request, so a sender to Apple refuses it before connecting. `name` is how the caller's user wrote it.
 */
export function appleIdProblem(field: 'keyId' | 'teamId', value: string, name: string): string | undefined {
  if (/^[A-Za-z0-9]{10}$/.test(value)) return undefined;
  const what = /^[A-Za-z0-9]+$/.test(value) ? `is ${value.length} character${value.length === 1 ? '' : 's'} long` : 'is not made of letters and digits';
  return `${name} ${JSON.stringify(value)} ${what}: Apple's ${field === 'keyId' ? 'key' : 'team'} ids are 10 characters (A-Z, 0-9) and APNs refuses any other (403 InvalidProviderToken); give ${appleIdWhere[field]}`;
}

/** Throws a CredentialError when `credentials` go to Apple's APNs with ids Apple cannot have issued. */
export function assertAppleIds(credentials: Pick<ApnsTokenCredentials, 'keyId' | 'teamId'>, url: string, names: { keyId: string; teamId: string }): void {
  if (!isAppleApnsOrigin(url)) return;
  for (const field of ['keyId', 'teamId'] as const) {
    const problem = typeof credentials[field] === 'string' ? appleIdProblem(field, credentials[field], names[field]) : undefined;
    if (problem !== undefined) throw new CredentialError(problem);
  }
}

export class ApnsTokenSigner {
  readonly keyId: string;
  readonly teamId: string;
  readonly #key: CryptoKey;
  readonly #clock: Clock;
  /** A virtual clock stands still while the signature is computed on the crypto thread pool. */
  readonly #hold: <T>(work: Promise<T>) => Promise<T>;
  readonly #refreshAfterMs: number;
  readonly #minRefreshIntervalMs: number;
  #header: string | undefined;
  #signedAt = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<string> | undefined;

  private constructor(options: ApnsTokenSignerOptions, key: CryptoKey) {
    this.keyId = options.keyId;
    this.teamId = options.teamId;
    this.#key = key;
    this.#clock = options.clock ?? systemClock;
    this.#hold = holdOn(this.#clock);
    this.#refreshAfterMs = options.refreshAfterMs ?? 50 * 60_000;
    this.#minRefreshIntervalMs = options.minRefreshIntervalMs ?? 20 * 60_000;
    if (this.#refreshAfterMs >= HOUR_MS) {
      throw new InvalidArgumentError(`refreshAfterMs must be under one hour (APNs rejects older tokens), got ${this.#refreshAfterMs}`);
    }
    if (this.#minRefreshIntervalMs > this.#refreshAfterMs) {
      throw new InvalidArgumentError('minRefreshIntervalMs must not exceed refreshAfterMs');
    }
  }

  /** Reads the key once; a bad key fails here, at construction, with a message that never echoes it. */
  static async create(options: ApnsTokenSignerOptions): Promise<ApnsTokenSigner> {
    for (const field of ['keyId', 'teamId'] as const) {
      const value = options[field];
      if (typeof value !== 'string' || !/^[A-Za-z0-9]+$/.test(value)) {
        throw new CredentialError(`APNs ${field} must be the alphanumeric id from your Apple developer account (10 characters), got ${JSON.stringify(value)}`);
      }
    }
    if (typeof options.privateKey !== 'string' || !options.privateKey.includes('-----BEGIN PRIVATE KEY-----')) {
      throw new CredentialError('APNs privateKey must be the contents of a .p8 file (PKCS#8 PEM starting with -----BEGIN PRIVATE KEY-----)');
    }
    let key: CryptoKey;
    try {
      key = await importPKCS8(options.privateKey, 'ES256');
    } catch (error) {
      throw new CredentialError(`cannot use the APNs .p8 key ${options.keyId}: it is not a P-256 EC key (${(error as Error).name})`, { cause: error });
    }
    return new ApnsTokenSigner(options, key);
  }

  /** The `authorization` header value, re-signed when due. Concurrent callers share one signature. */
  authorization(): Promise<string> | string {
    const age = this.#clock.now() - this.#signedAt;
    if (this.#header !== undefined && age < this.#refreshAfterMs) return this.#header;
    return this.#sign();
  }

  /**
   * Forces a new token (after 403 ExpiredProviderToken) unless the last one is younger than the
   * 20-minute floor. Returns whether a new token was made.
   */
  async refresh(): Promise<boolean> {
    if (this.#clock.now() - this.#signedAt < this.#minRefreshIntervalMs) return false;
    await this.#sign();
    return true;
  }

  #sign(): Promise<string> {
    this.#inFlight ??= (async () => {
      try {
        const now = this.#clock.now();
        const jwt = await this.#hold(
          new SignJWT({})
            .setProtectedHeader({ alg: 'ES256', kid: this.keyId })
            .setIssuer(this.teamId)
            .setIssuedAt(Math.floor(now / 1000))
            .sign(this.#key),
        );
        this.#header = `bearer ${jwt}`;
        this.#signedAt = now;
        return this.#header;
      } finally {
        this.#inFlight = undefined;
      }
    })();
    return this.#inFlight;
  }
}
