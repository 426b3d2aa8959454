/**
 * Checks `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292 §3, protocols.md §3.2):
 *
 *   absent, or not the vapid scheme with t and k           → 401 (RFC 8292 §4.2: no authentication)
 *   k not a P-256 point, JWT unparsable, alg ≠ ES256,
 *   bad signature, aud ≠ the push service origin,
 *   exp missing / past / more than 24 h ahead, sub missing → 403 (invalid authentication)
 *
 * A verdict is cached per header value (a sender reuses one JWT per origin for hours), so ECDSA runs
 * once per JWT; `exp` is checked against the clock on every use.
 */
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import type { Clock } from '../../core/clock.js';
import { verifyEs256Now } from '../es256.js';
import { p256PublicKey } from './keys.js';

export type VapidCheck =
  | { readonly ok: true; readonly key: string; readonly subject: string }
  | { readonly ok: false; readonly status: 401 | 403; readonly message: string };

export interface VapidVerifier {
  check(authorization: string | undefined): VapidCheck | Promise<VapidCheck>;
  stats(): { readonly verifications: number; readonly cacheHits: number };
}

type Verdict = { readonly ok: false; readonly message: string } | { readonly ok: true; readonly key: string; readonly subject: string; readonly expMs: number };

const dayMs = 24 * 3_600_000;
const scheme = /^vapid\s+(.*)$/is;

/**
 * `audience`: the push service's origin(s) a JWT's `aud` may name (the mock's own, and the one its
 * endpoints show when impersonating). `synchronous`: verify a new JWT with node:crypto instead of
 * jose's WebCrypto (libuv's thread pool), so a simulation on a virtual clock (simulator/virtual/)
 * never waits for real I/O; same checks, same cache.
 */
export function createVapidVerifier(options: { readonly audience: () => string | readonly string[]; readonly clock: Clock; readonly maxCached?: number; readonly synchronous?: boolean }): VapidVerifier {
  const cache = new Map<string, Verdict>();
  const maxCached = options.maxCached ?? 10_000;
  let verifications = 0;
  let cacheHits = 0;

  const judge = (verdict: Verdict): VapidCheck => {
    if (!verdict.ok) return { ok: false, status: 403, message: verdict.message };
    const now = options.clock.now();
    if (verdict.expMs <= now) return { ok: false, status: 403, message: 'VAPID JWT has expired (exp is in the past)' };
    if (verdict.expMs > now + dayMs) return { ok: false, status: 403, message: 'VAPID JWT exp is more than 24 hours ahead (RFC 8292 §2)' };
    return { ok: true, key: verdict.key, subject: verdict.subject };
  };

  /** Everything but the signature: the key, the header and the claims' shape (undefined when they pass). */
  type Parsed = { readonly key: NonNullable<ReturnType<typeof p256PublicKey>>; readonly rawKey: Buffer; readonly claims: Record<string, unknown> };
  const parse = (jwt: string, k: string): Parsed | Verdict => {
    const rawKey = Buffer.from(k, 'base64url');
    const key = p256PublicKey(rawKey);
    if (key === undefined) return { ok: false, message: 'k is not a base64url uncompressed P-256 public key (65 bytes)' };
    try {
      if (decodeProtectedHeader(jwt).alg !== 'ES256') return { ok: false, message: 'VAPID JWT must be signed with ES256' };
      return { key, rawKey, claims: decodeJwt(jwt) };
    } catch {
      return { ok: false, message: 'VAPID t is not a JWT' };
    }
  };

  const claimsVerdict = ({ rawKey, claims }: Parsed): Verdict => {
    const audience = options.audience();
    const audiences = typeof audience === 'string' ? [audience] : audience;
    if (typeof claims['aud'] !== 'string' || !audiences.includes(claims['aud'])) return { ok: false, message: `VAPID aud must be the push service origin ${audiences.join(' or ')}` };
    if (typeof claims['exp'] !== 'number') return { ok: false, message: 'VAPID JWT has no exp' };
    if (typeof claims['sub'] !== 'string' || claims['sub'] === '') return { ok: false, message: 'VAPID JWT has no sub (a mailto: or https: contact)' };
    return { ok: true, key: rawKey.toString('base64url'), subject: claims['sub'], expMs: claims['exp'] * 1000 };
  };

  const badSignature: Verdict = { ok: false, message: 'VAPID JWT signature does not verify with k' };

  const verify = async (jwt: string, k: string): Promise<Verdict> => {
    const parsed = parse(jwt, k);
    if ('ok' in parsed) return parsed;
    try {
      verifications++;
      await compactVerify(jwt, parsed.key, { algorithms: ['ES256'] });
    } catch {
      return badSignature;
    }
    return claimsVerdict(parsed);
  };

  /** The synchronous twin of `verify` (the `synchronous` option). */
  const verifyNow = (jwt: string, k: string): Verdict => {
    const parsed = parse(jwt, k);
    if ('ok' in parsed) return parsed;
    verifications++;
    return verifyEs256Now(jwt, parsed.key) ? claimsVerdict(parsed) : badSignature;
  };

  const remember = (authorization: string, verdict: Verdict): VapidCheck => {
    if (cache.size >= maxCached) cache.clear();
    cache.set(authorization, verdict);
    return judge(verdict);
  };

  return {
    check(authorization) {
      if (authorization === undefined || authorization === '') return { ok: false, status: 401, message: 'Authorization header with vapid t=…, k=… is required' };
      const cached = cache.get(authorization);
      if (cached !== undefined) {
        cacheHits++;
        return judge(cached);
      }
      const params = parseVapid(authorization);
      if (params === undefined) return { ok: false, status: 401, message: 'Authorization must use the vapid scheme: vapid t=<JWT>, k=<key> (RFC 8292 §3)' };
      if (options.synchronous === true) return remember(authorization, verifyNow(params.t, params.k));
      return verify(params.t, params.k).then((verdict) => remember(authorization, verdict));
    },
    stats: () => ({ verifications, cacheHits }),
  };
}

/** `vapid t=…, k=…` (parameters in any order, optionally quoted); undefined unless both are there. */
export function parseVapid(header: string): { t: string; k: string } | undefined {
  const match = scheme.exec(header.trim());
  if (match === null) return undefined;
  const params = new Map<string, string>();
  for (const part of (match[1] as string).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  const t = params.get('t');
  const k = params.get('k');
  return t && k ? { t, k } : undefined;
}
