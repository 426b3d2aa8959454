/**
 * The state one mock FCM shares across its connections — counters, token registry, scripted
 * answers, the OAuth issuer, quotas — and the route context built from it: what the socket mock
 * (server.ts) and the simulated one (simulator/virtual/fcm.ts) both decide with.
 */
import type { FaultEngine } from '../faults/engine.js';
import type { DeliveryLedger } from '../ledger/ledger.js';
import { createOAuthIssuer, googleTokenUri, type OAuthIssuer } from '../oauth/issuer.js';
import { trustServiceAccount } from './credentials.js';
import type { ResolvedMockFcmOptions } from './options.js';
import { QuotaLimiter } from './quota.js';
import { createFaults, createTokenRegistry, type FcmTokenRegistry, type ScriptedFaults } from './registry.js';
import type { FcmRouteContext } from './routes.js';
import { MockFcmCounters } from './stats.js';

export interface FcmCore {
  readonly counters: MockFcmCounters;
  readonly registry: FcmTokenRegistry;
  readonly faults: ScriptedFaults;
  readonly issuer: OAuthIssuer;
  /** Audiences the issuer accepts in an assertion: put the mock's own token URI first once it is known. */
  readonly audiences: string[];
  /** Whether a service account was given (else the mock generates and trusts one once its token URI is known). */
  readonly accountGiven: boolean;
  readonly context: FcmRouteContext;
}

export function createFcmCore(resolved: ResolvedMockFcmOptions, engine: FaultEngine | undefined, ledger: DeliveryLedger): FcmCore {
  const counters = new MockFcmCounters();
  const registry = createTokenRegistry();
  for (const token of resolved.unregistered) registry.unregister(token);
  const faults = createFaults();
  const audiences: string[] = [googleTokenUri];
  // A given account is checked before listening; a generated one is trusted once the URL (and so its token_uri) is known.
  const given = resolved.serviceAccount === undefined ? undefined : trustServiceAccount(resolved.serviceAccount);
  const issuer = createOAuthIssuer({ accounts: given === undefined ? [] : [given], audiences, clock: resolved.clock, tokenTtlSeconds: resolved.accessTokenTtlSeconds, ...(resolved.accessTokenSecret !== undefined && { secret: resolved.accessTokenSecret }) });
  const context: FcmRouteContext = {
    issuer,
    registry,
    faults,
    projectQuota: resolved.projectQuota === undefined ? undefined : new QuotaLimiter([resolved.projectQuota]),
    deviceQuota: resolved.deviceQuotas.length === 0 ? undefined : new QuotaLimiter(resolved.deviceQuotas),
    validation: { tokenPattern: resolved.tokenPattern },
    retryAfterSeconds: resolved.retryAfterSeconds,
    clock: resolved.clock,
    counters,
    ledger,
    engine,
  };
  return { counters, registry, faults, issuer, audiences, accountGiven: given !== undefined, context };
}
