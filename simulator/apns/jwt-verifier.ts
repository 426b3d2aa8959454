/**
 * Checks the `authorization: bearer <JWT>` provider token of APNs token-based auth (protocols.md
 * §1.9, and Pushy's TokenAuthenticationValidatingPushNotificationHandler, §5.1):
 *
 *   missing / empty / not "bearer …"                        → MissingProviderToken
 *   unparsable, alg ≠ ES256, unknown kid, bad signature,
 *   iss ≠ the key's team, iat missing                       → InvalidProviderToken
 *   iat older than 1 hour, or more than 1 minute ahead      → ExpiredProviderToken
 *
 * Speed: a client reuses one token for up to an hour (libraries refresh every ~50 min), so the
 * verdict of each token is cached and an ECDSA verification (~0.2 ms) happens once per token, not
 * per request. A cache hit is synchronous; only the age check runs again, against the clock.
 * Concurrent first requests with the same token share one verification.
 *
 * Rules that depend on the connection (one team per connection, token-update throttling, key
 * scoping) live in token-auth.ts, on top of `inspect`.
 */
import { compactVerify, decodeProtectedHeader } from 'jose';
import type { KeyObject } from 'node:crypto';
import { verifyEs256Now } from '../es256.js';
import type { Clock } from '../../core/clock.js';
import type { AuthCheck } from './validate.js';

export interface TrustedSigningKey {
  readonly keyId: string;
  readonly teamId: string;
  /** Public key that verifies this key id's signatures (see credentials.ts loadApnsVerificationKey). */
  readonly verificationKey: KeyObject;
  /** A topic-specific key (protocols.md §1.9, 2025): the bundle ids it may push to. Absent: team-scoped, any topic. */
  readonly topics?: readonly string[];
  /** An environment-scoped key: valid only against a mock of this environment. Absent: both. */
  readonly environment?: 'sandbox' | 'production';
}

export interface ProviderTokenVerifierOptions {
  readonly clock: Clock;
  /** Oldest accepted `iat`, default one hour (protocols.md §1.9). */
  readonly maxTokenAgeMs?: number;
  /** How far `iat` may be ahead of the clock. Apple's rule for future iat is unpublished; one minute tolerates skew. */
  readonly maxClockSkewMs?: number;
  /** The cache is cleared when it reaches this many tokens, default 10 000. */
  readonly maxCachedTokens?: number;
  /**
   * Verify a token seen for the first time synchronously (node:crypto) instead of with jose's
   * WebCrypto, whose work runs on libuv's thread pool: a simulation on a virtual clock
   * (simulator/virtual/) must not wait for real I/O, or when the answer comes would depend on the
   * machine. Same checks, same cache. @default false
   */
  readonly synchronous?: boolean;
}

export interface ProviderTokenVerifierStats {
  /** ECDSA signature verifications done (cache misses that got as far as the signature). */
  readonly signatureVerifications: number;
  readonly cacheHits: number;
  readonly cachedTokens: number;
}

export interface ProviderTokenVerifier {
  /** Synchronous when the token was seen before; a Promise only on first sight. */
  check(authorization: string | undefined): AuthCheck | Promise<AuthCheck>;
  /**
   * What the token says, for per-connection rules (token-auth.ts): missing, invalid, or valid with
   * its team, key and iat. Age is not judged here (see `ageCheck`). Cached like `check`.
   */
  inspect(authorization: string | undefined): TokenVerdict | typeof missing | Promise<TokenVerdict>;
  /** ExpiredProviderToken when a valid token's iat is too old (or too far ahead), by the clock. */
  ageCheck(token: ValidToken): AuthCheck;
  stats(): ProviderTokenVerifierStats;
}

export interface ValidToken {
  readonly valid: true;
  readonly teamId: string;
  readonly keyId: string;
  /** `iat` in ms since epoch. */
  readonly iatMs: number;
}

/** A token's lasting verdict: invalid for good, or valid with the iat to age-check on each use. */
export type TokenVerdict = { readonly valid: false } | ValidToken;

/** No usable `authorization` header: MissingProviderToken. */
export const missing = 'missing' as const;

const invalid: TokenVerdict = { valid: false };
const bearerPrefix = /^bearer /i;

export function createProviderTokenVerifier(
  keys: readonly TrustedSigningKey[],
  options: ProviderTokenVerifierOptions,
): ProviderTokenVerifier {
  const { clock } = options;
  const maxAgeMs = options.maxTokenAgeMs ?? 3_600_000;
  const maxSkewMs = options.maxClockSkewMs ?? 60_000;
  const maxCached = options.maxCachedTokens ?? 10_000;
  const keysById = new Map(keys.map((key) => [key.keyId, key]));
  // Keyed by the whole header value, so a hit needs no string slicing.
  const cache = new Map<string, TokenVerdict>();
  const pending = new Map<string, Promise<TokenVerdict>>();
  let signatureVerifications = 0;
  let cacheHits = 0;

  const ageCheck = (token: ValidToken): AuthCheck => {
    const ageMs = clock.now() - token.iatMs;
    return ageMs > maxAgeMs || ageMs < -maxSkewMs ? 'ExpiredProviderToken' : undefined;
  };
  const judge = (verdict: TokenVerdict): AuthCheck => (verdict.valid ? ageCheck(verdict) : 'InvalidProviderToken');

  /** The trusted key a token names in its protected header, if it is ES256 and the key is known. */
  const keyOf = (jwt: string): TrustedSigningKey | undefined => {
    let keyId: unknown;
    let alg: unknown;
    try {
      ({ kid: keyId, alg } = decodeProtectedHeader(jwt));
    } catch {
      return undefined;
    }
    // ES256 only (protocols.md §1.9): alg none, HS256 (key confusion) and RS256 never reach a key.
    return alg === 'ES256' && typeof keyId === 'string' ? keysById.get(keyId) : undefined;
  };

  const verify = async (jwt: string): Promise<TokenVerdict> => {
    const key = keyOf(jwt);
    if (key === undefined) return invalid;
    let payload: Uint8Array;
    try {
      signatureVerifications++;
      ({ payload } = await compactVerify(jwt, key.verificationKey, { algorithms: ['ES256'] }));
    } catch {
      return invalid;
    }
    return claimsVerdict(key, payload);
  };

  /** The synchronous twin of `verify` (the `synchronous` option). */
  const verifyNow = (jwt: string): TokenVerdict => {
    const key = keyOf(jwt);
    if (key === undefined) return invalid;
    signatureVerifications++;
    return verifyEs256Now(jwt, key.verificationKey) ? claimsVerdict(key, Buffer.from(jwt.split('.')[1]!, 'base64url')) : invalid;
  };

  const claimsVerdict = (key: TrustedSigningKey, payload: Uint8Array): TokenVerdict => {
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      return invalid;
    }
    if (typeof claims !== 'object' || claims === null) return invalid;
    const { iss, iat } = claims as { iss?: unknown; iat?: unknown };
    if (iss !== key.teamId || typeof iat !== 'number' || !Number.isFinite(iat)) return invalid;
    return { valid: true, teamId: key.teamId, keyId: key.keyId, iatMs: iat * 1000 };
  };

  const remember = (authorization: string, verdict: TokenVerdict): void => {
    if (cache.size >= maxCached) cache.clear();
    cache.set(authorization, verdict);
  };

  const inspect = (authorization: string | undefined): TokenVerdict | typeof missing | Promise<TokenVerdict> => {
    if (authorization === undefined) return missing;
    const cached = cache.get(authorization);
    if (cached !== undefined) {
      cacheHits++;
      return cached;
    }
    if (!bearerPrefix.test(authorization)) return missing;
    const jwt = authorization.slice(7).trim();
    if (jwt === '') return missing;

    if (options.synchronous === true) {
      const verdict = verifyNow(jwt);
      remember(authorization, verdict);
      return verdict;
    }
    let inFlight = pending.get(authorization);
    if (inFlight === undefined) {
      inFlight = verify(jwt).then((verdict) => {
        pending.delete(authorization);
        remember(authorization, verdict);
        return verdict;
      });
      pending.set(authorization, inFlight);
    }
    return inFlight;
  };

  return {
    check(authorization) {
      const verdict = inspect(authorization);
      if (verdict === missing) return 'MissingProviderToken';
      return verdict instanceof Promise ? verdict.then(judge) : judge(verdict);
    },
    inspect,
    ageCheck,
    stats() {
      return { signatureVerifications, cacheHits, cachedTokens: cache.size };
    },
  };
}
