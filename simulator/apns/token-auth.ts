/**
 * Token-based auth rules that hang off one HTTP/2 connection (protocols.md §1.9, §5.1), on top of
 * the cached JWT verdicts of jwt-verifier.ts:
 *
 *   invalid token, or another team than the connection's first (Pushy pins it)  → InvalidProviderToken
 *   key limited to other topics (topic-specific key)                          → InvalidProviderToken
 *   another key than the connection's first, when either is topic-specific    → UnrelatedKeyIdInToken (◐)
 *   environment-scoped key used against the other environment                 → BadEnvironmentKeyIdInToken (◐)
 *   iat older than 1 hour (or ahead of the clock)                             → ExpiredProviderToken
 *   a new token (another key or iat) within `updateWindowMs` (20 min) of the last → TooManyProviderTokenUpdates
 *
 * The first valid token calls `onValid`, which raises the connection's stream limit (§1.9 "Streams
 * before auth"). The connection's current token is compared first, so a request reusing it costs
 * a string comparison and an age check.
 */
import type { Clock } from '../../core/clock.js';
import type { ApnsReason } from '../../core/reasons.js';
import type { ProviderTokenVerifier, TokenVerdict, TrustedSigningKey } from './jwt-verifier.js';
import { missing } from './jwt-verifier.js';
import { bundleOf } from './push-types.js';
import type { AuthCheck } from './validate.js';

export interface TokenAuthOptions {
  readonly verifier: ProviderTokenVerifier;
  readonly keysById: ReadonlyMap<string, TrustedSigningKey>;
  readonly clock: Clock;
  /** Minimum time between token changes on one connection, default 20 min (§1.9). */
  readonly updateWindowMs: number;
  readonly environment: 'sandbox' | 'production';
}

/** Per-connection state; create one per HTTP/2 session. */
export interface TokenAuthState {
  authorization: string | undefined;
  token: Extract<TokenVerdict, { valid: true }> | undefined;
  key: TrustedSigningKey | undefined;
  teamId: string | undefined;
  adoptedAtMs: number;
}

export type Authenticate = (authorization: string | undefined, topic: string) => AuthCheck | Promise<AuthCheck>;

export function newTokenAuthState(): TokenAuthState {
  return { authorization: undefined, token: undefined, key: undefined, teamId: undefined, adoptedAtMs: 0 };
}

export function createTokenAuthenticator(options: TokenAuthOptions, state: TokenAuthState, onValid: () => void): Authenticate {
  const { verifier, keysById, clock } = options;

  const judge = (authorization: string, verdict: TokenVerdict, topic: string): AuthCheck => {
    if (!verdict.valid) return 'InvalidProviderToken';
    const key = keysById.get(verdict.keyId);
    if (key === undefined) return 'InvalidProviderToken';
    if (state.teamId !== undefined && verdict.teamId !== state.teamId) return 'InvalidProviderToken';
    if (state.key !== undefined && key !== state.key && (key.topics !== undefined || state.key.topics !== undefined)) {
      return 'UnrelatedKeyIdInToken';
    }
    if (key.environment !== undefined && key.environment !== options.environment) return 'BadEnvironmentKeyIdInToken';
    const problem = scope(key, topic) ?? verifier.ageCheck(verdict);
    if (problem !== undefined) return problem;
    // ES256 signatures are randomised, so a client signing concurrently makes several strings for
    // one token: same key, same iat. That is one token generation, not an update.
    const sameGeneration = state.token !== undefined && state.token.keyId === verdict.keyId && state.token.iatMs === verdict.iatMs;
    if (state.authorization !== undefined && !sameGeneration && clock.now() - state.adoptedAtMs < options.updateWindowMs) {
      return 'TooManyProviderTokenUpdates';
    }
    state.authorization = authorization;
    state.token = verdict;
    state.key = key;
    state.teamId ??= verdict.teamId;
    if (!sameGeneration) state.adoptedAtMs = clock.now();
    onValid();
    return undefined;
  };

  return (authorization, topic) => {
    if (authorization !== undefined && authorization === state.authorization && state.token !== undefined && state.key !== undefined) {
      return scope(state.key, topic) ?? verifier.ageCheck(state.token);
    }
    const verdict = verifier.inspect(authorization);
    if (verdict === missing || authorization === undefined) return 'MissingProviderToken';
    return verdict instanceof Promise ? verdict.then((settled) => judge(authorization, settled, topic)) : judge(authorization, verdict, topic);
  };
}

/** A topic-specific key may push only to its bundle ids (and their push-type topics, §1.3). */
function scope(key: TrustedSigningKey, topic: string): ApnsReason | undefined {
  if (key.topics === undefined) return undefined;
  return key.topics.includes(topic) || key.topics.includes(bundleOf(topic)) ? undefined : 'InvalidProviderToken';
}
