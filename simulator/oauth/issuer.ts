/**
 * A mock of Google's OAuth2 token endpoint for service accounts (protocols.md §2.2, RFC 7523):
 * `POST /token` with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`.
 *
 *   grant_type other than jwt-bearer          → 400 unsupported_grant_type
 *   no assertion                               → 400 invalid_request
 *   unparsable JWT, alg ≠ RS256, unknown kid,
 *   bad signature                              → 400 invalid_grant "Invalid JWT Signature."
 *   iss not a known service account            → 400 invalid_grant "account not found"
 *   aud ≠ the token endpoint                   → 400 invalid_grant (audience check)
 *   iat/exp missing, exp ≤ now, exp > iat + 1 h,
 *   iat in the future (beyond skew)            → 400 invalid_grant (short-lived token rule)
 *   scope without firebase.messaging or
 *   cloud-platform                             → 400 invalid_scope
 *
 * Error bodies are Google's OAuth JSON `{"error":"…","error_description":"…"}`; a success is
 * `{access_token, expires_in, token_type: "Bearer"}`.
 *
 * Access tokens are stateless: `ya29.pushsim-<expiry, nonce, account>.<HMAC-SHA256>`, checked by
 * recomputing the MAC with the issuer's secret. Nothing is stored per token, so memory stays flat
 * however many are issued, and the processes of a multi-process mock that share one secret accept
 * each other's tokens (simulator/cluster/). Google's tokens are opaque too; clients never parse them.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import type { Clock } from '../../core/clock.js';
import type { TrustedServiceAccount } from '../fcm/credentials.js';

export const jwtBearerGrant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const googleTokenUri = 'https://oauth2.googleapis.com/token';
export const fcmScopes: readonly string[] = ['https://www.googleapis.com/auth/firebase.messaging', 'https://www.googleapis.com/auth/cloud-platform'];

export interface AccessToken {
  readonly clientEmail: string;
  readonly projectId: string;
  readonly expiresAt: number;
}

export type OAuthAnswer =
  | { readonly status: 200; readonly body: { readonly access_token: string; readonly expires_in: number; readonly token_type: 'Bearer' } }
  | { readonly status: 400 | 401; readonly body: { readonly error: string; readonly error_description: string } };

export interface OAuthIssuerOptions {
  readonly accounts: readonly TrustedServiceAccount[];
  /** Accepted `aud` values: the mock's own token URL (and Google's, for clients that hard-code it). */
  readonly audiences: readonly string[];
  readonly clock: Clock;
  /** Lifetime of an access token, default 3599 s (Google's value, protocols.md §2.2 ❓ 3599 vs 3600). */
  readonly tokenTtlSeconds: number;
  /** How far iat may be ahead of the clock. @default 60000 */
  readonly maxClockSkewMs?: number;
  /** Key of the tokens' MAC (at least 32 bytes); issuers given one secret accept each other's tokens. @default 32 random bytes */
  readonly secret?: Buffer;
}

export interface OAuthIssuer {
  exchange(form: URLSearchParams): Promise<OAuthAnswer>;
  /** The token's grant while it is valid on the clock; undefined when unknown or expired. */
  lookup(accessToken: string): AccessToken | undefined;
  /** Known but expired tokens answer 'expired', so the caller can say why. */
  check(accessToken: string): AccessToken | 'expired' | 'unknown';
  /** Trusts one more service account (the mock adds its generated one once its URL is known). */
  trust(account: TrustedServiceAccount): void;
  stats(): { readonly issued: number; readonly refused: number };
}

const shortLived = 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';

export function createOAuthIssuer(options: OAuthIssuerOptions): OAuthIssuer {
  const { clock } = options;
  const skewMs = options.maxClockSkewMs ?? 60_000;
  const byEmail = new Map(options.accounts.map((a) => [a.clientEmail, a]));
  const secret = options.secret ?? randomBytes(32);
  let issued = 0;
  let refused = 0;

  const refuse = (error: string, description: string, status: 400 | 401 = 400): OAuthAnswer => {
    refused++;
    return { status, body: { error, error_description: description } };
  };

  const exchange = async (form: URLSearchParams): Promise<OAuthAnswer> => {
    const grantType = form.get('grant_type');
    if (grantType === null) return refuse('invalid_request', 'Missing required parameter: grant_type');
    if (grantType !== jwtBearerGrant) return refuse('unsupported_grant_type', `Invalid grant_type: ${grantType.slice(0, 100)}`);
    const assertion = form.get('assertion');
    if (assertion === null || assertion === '') return refuse('invalid_request', 'Missing required parameter: assertion');

    let claims: Record<string, unknown>;
    let header: { alg?: unknown; kid?: unknown };
    try {
      header = decodeProtectedHeader(assertion);
      claims = decodeJwt(assertion);
    } catch {
      return refuse('invalid_grant', 'Invalid JWT Signature.');
    }
    const account = typeof claims['iss'] === 'string' ? byEmail.get(claims['iss']) : undefined;
    if (account === undefined) return refuse('invalid_grant', 'Invalid grant: account not found');
    // RS256 only: alg none / HS256 (key confusion) never reach verification.
    if (header.alg !== 'RS256' || (header.kid !== undefined && header.kid !== account.keyId)) {
      return refuse('invalid_grant', 'Invalid JWT Signature.');
    }
    try {
      await compactVerify(assertion, account.verificationKey, { algorithms: ['RS256'] });
    } catch {
      return refuse('invalid_grant', 'Invalid JWT Signature.');
    }
    const aud = claims['aud'];
    if (typeof aud !== 'string' || !options.audiences.includes(aud)) {
      return refuse('invalid_grant', `Invalid JWT: Failed audience check. The expected value is ${options.audiences[0] ?? googleTokenUri}.`);
    }
    const { iat, exp } = claims;
    const nowMs = clock.now();
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp * 1000 <= nowMs || exp - iat > 3600 || exp <= iat || iat * 1000 > nowMs + skewMs) {
      return refuse('invalid_grant', shortLived);
    }
    const scope = claims['scope'];
    const scopes = typeof scope === 'string' ? scope.split(' ') : [];
    if (!scopes.some((s) => fcmScopes.includes(s))) {
      return refuse('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    }

    issued++;
    const accessToken = signAccessToken(secret, account.clientEmail, nowMs + options.tokenTtlSeconds * 1000);
    return { status: 200, body: { access_token: accessToken, expires_in: options.tokenTtlSeconds, token_type: 'Bearer' } };
  };

  // A sender reuses one token for an hour: its MAC is checked once, not on every message.
  const verified = new Map<string, { clientEmail: string; expiresAt: number }>();
  const check = (accessToken: string): AccessToken | 'expired' | 'unknown' => {
    let claims = verified.get(accessToken);
    if (claims === undefined) {
      claims = readAccessToken(secret, accessToken);
      if (claims !== undefined) {
        if (verified.size >= 1_000) verified.clear();
        verified.set(accessToken, claims);
      }
    }
    const account = claims === undefined ? undefined : byEmail.get(claims.clientEmail);
    if (claims === undefined || account === undefined) return 'unknown';
    if (claims.expiresAt <= clock.now()) return 'expired';
    return { clientEmail: account.clientEmail, projectId: account.projectId, expiresAt: claims.expiresAt };
  };

  return {
    exchange,
    check,
    lookup(accessToken) {
      const grant = check(accessToken);
      return typeof grant === 'string' ? undefined : grant;
    },
    trust: (account) => void byEmail.set(account.clientEmail, account),
    stats: () => ({ issued, refused }),
  };
}

const tokenPrefix = 'ya29.pushsim-';
/** Expiry (8 bytes, epoch ms) and a nonce (8 bytes) before the account's e-mail: no two tokens alike. */
const fixedBytes = 16;

function mac(secret: Buffer, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

function signAccessToken(secret: Buffer, clientEmail: string, expiresAt: number): string {
  const fixed = Buffer.alloc(fixedBytes);
  fixed.writeBigUInt64BE(BigInt(expiresAt));
  randomBytes(8).copy(fixed, 8);
  const payload = Buffer.concat([fixed, Buffer.from(clientEmail)]).toString('base64url');
  return `${tokenPrefix}${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The token's claims when its MAC is this secret's; undefined for anything else (made up, another mock's, altered). */
function readAccessToken(secret: Buffer, token: string): { clientEmail: string; expiresAt: number } | undefined {
  if (!token.startsWith(tokenPrefix) || token.length > 1_024) return undefined;
  const dot = token.lastIndexOf('.');
  if (dot <= tokenPrefix.length) return undefined;
  const payload = token.slice(tokenPrefix.length, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const bytes = Buffer.from(payload, 'base64url');
  if (bytes.length <= fixedBytes) return undefined;
  return { expiresAt: Number(bytes.readBigUInt64BE(0)), clientEmail: bytes.subarray(fixedBytes).toString() };
}
