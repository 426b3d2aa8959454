/**
 * The APNs sender: the generic Sender with the APNs adapter, provider-token auth as an interceptor,
 * and (by default) a pooled HTTP/2 connection to `url`.
 */
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { InvalidArgumentError } from '../core/errors.js';
import { ApnsTokenSigner } from './auth/apns-token.js';
import type { ApnsTokenCredentials } from './auth/apns-token.js';
import { Http2Pool } from './http2/pool.js';
import { definedPoolSettings } from './http2/pool-settings.js';
import type { Http2PoolOptions } from './http2/pool.js';
import { apnsTokenAuth } from './interceptors/apns-token-auth.js';
import type { SenderListener } from './listener.js';
import { apnsAdapter } from './providers/apns.js';
import type { ApnsNotification } from './providers/apns.js';
import { resilienceInterceptors } from './policies.js';
import type { ResiliencePolicies } from './policies.js';
import { Sender } from './sender.js';
import { rateLimit } from './interceptors/rate-limit.js';
import { DEFAULT_PRODUCTION_RATE, assertProductionAllowed, isProductionOrigin } from './production-guard.js';
import type { Interceptor, Transport } from './transport.js';

export interface ApnsSenderOptions {
  /** Provider origin: `https://api.sandbox.push.apple.com`, or the mock's `url`. */
  readonly url: string;
  /** Token auth (.p8 key). Omit for certificate auth (give `tls.cert` and `tls.key`). */
  readonly credentials?: ApnsTokenCredentials;
  readonly tls?: Http2PoolOptions['tls'];
  /** @default 1 */
  readonly connections?: number;
  /** @default 1000 */
  readonly maxInFlight?: number;
  /** @default 100000 */
  readonly maxQueue?: number;
  /** @default 30000 */
  readonly requestTimeoutMs?: number;
  readonly listener?: SenderListener;
  readonly clock?: Clock;
  /**
   * Retry, circuit breaker and fallback (sender/policies.ts). Retry and the breaker are on by
   * default; pass `{ retry: false, circuitBreaker: false }` for a bare sender.
   */
  readonly policies?: ResiliencePolicies;
  /** Extra interceptors, outermost first, placed outside the policies and authentication. */
  readonly interceptors?: readonly Interceptor[];
  /** Use this transport instead of opening a pool to `url` (tests, fallbacks). */
  readonly transport?: Transport;
  /** Further pool settings: timeouts, PING, replays, reconnect backoff, staggering (Http2PoolOptions). */
  readonly pool?: Omit<Http2PoolOptions, 'origin' | 'tls' | 'listener'>;
  /** Required to send to api.push.apple.com (real devices). @default false */
  readonly allowProduction?: boolean;
  /** Requests per second when sending to production. @default 50 */
  readonly productionRateLimit?: number;
}

export class ApnsSender extends Sender<ApnsNotification> {
  static async create(options: ApnsSenderOptions): Promise<ApnsSender> {
    if (options.credentials === undefined && options.tls?.cert === undefined && options.transport === undefined) {
      throw new InvalidArgumentError('APNs needs credentials: give `credentials` (token auth: keyId, teamId, privateKey) or `tls.cert` and `tls.key` (certificate auth)');
    }
    assertProductionAllowed(options.url, options.allowProduction);
    const clock = options.clock ?? systemClock;
    const signer = options.credentials ? await ApnsTokenSigner.create({ ...options.credentials, clock }) : undefined;
    const listener = options.listener ?? {};
    const transport =
      options.transport ??
      new Http2Pool({
        ...options.pool,
        origin: options.url,
        ...definedPoolSettings(options),
        listener,
      });
    const production = isProductionOrigin(options.url) ? [rateLimit({ perSecond: options.productionRateLimit ?? DEFAULT_PRODUCTION_RATE, clock })] : [];
    const interceptors = [
      ...(options.interceptors ?? []),
      ...production,
      ...resilienceInterceptors(apnsAdapter.classify, options.policies ?? {}, listener, transport.origin, clock),
      ...(signer ? [apnsTokenAuth(signer, { classify: apnsAdapter.classify })] : []),
    ];
    return new ApnsSender({ adapter: apnsAdapter, transport, interceptors, listener, clock });
  }
}
