/**
 * The APNs sender: the generic Sender with the APNs adapter, provider-token auth as an interceptor,
 * and (by default) a pooled HTTP/2 connection to `url`.
 */
import { systemScheduler } from '../core/scheduler.js';
import { InvalidArgumentError } from '../core/errors.js';
import { ApnsTokenSigner, assertAppleIds } from './auth/apns-token.js';
import type { ApnsTokenCredentials } from './auth/apns-token.js';
import { Http2Pool } from './http2/pool.js';
import { definedPoolSettings } from './http2/pool-settings.js';
import type { Http2PoolOptions } from './http2/pool.js';
import { apnsTokenAuth } from './interceptors/apns-token-auth.js';
import { apnsAdapter, apnsNeverIndexed } from './providers/apns.js';
import type { ApnsNotification } from './providers/apns.js';
import { senderInterceptors } from './policies.js';
import { Sender } from './sender.js';
import type { CommonSenderOptions } from './sender-options.js';
import { assertProductionAllowed, isProductionOrigin, productionCap } from './production-guard.js';

export interface ApnsSenderOptions extends CommonSenderOptions {
  /** Provider origin: `https://api.sandbox.push.apple.com`, or the mock's `url`. */
  readonly url: string;
  /** Token auth (.p8 key). Omit for certificate auth (give `tls.cert` and `tls.key`, or a PKCS#12 `tls.pfx`). */
  readonly credentials?: ApnsTokenCredentials;
  readonly tls?: Http2PoolOptions['tls'];
  /** Further pool settings: timeouts, PING, replays, reconnect backoff, staggering (Http2PoolOptions). */
  readonly pool?: Omit<Http2PoolOptions, 'origin' | 'tls' | 'listener'>;
}

export class ApnsSender extends Sender<ApnsNotification> {
  static async create(options: ApnsSenderOptions): Promise<ApnsSender> {
    if (options.credentials === undefined && options.tls?.cert === undefined && options.tls?.pfx === undefined && options.transport === undefined) {
      throw new InvalidArgumentError('APNs needs credentials: give `credentials` (token auth: keyId, teamId, privateKey) or `tls.cert` and `tls.key`, or `tls.pfx` (certificate auth)');
    }
    assertProductionAllowed(options.url, options.allowProduction);
    if (options.credentials !== undefined) assertAppleIds(options.credentials, options.url, { keyId: 'APNs credentials.keyId', teamId: 'APNs credentials.teamId' });
    const scheduler = options.scheduler ?? systemScheduler;
    const clock = options.clock ?? scheduler;
    const signer = options.credentials ? await ApnsTokenSigner.create({ ...options.credentials, clock }) : undefined;
    const listener = options.listener ?? {};
    const transport =
      options.transport ??
      new Http2Pool({
        // apns-id is new on every request: never-indexed, it leaves the HPACK table to the headers that repeat (pool.ts).
        neverIndexed: apnsNeverIndexed,
        ...options.pool,
        origin: options.url,
        ...definedPoolSettings(options),
        listener,
      });
    const interceptors = senderInterceptors(options, {
      classify: apnsAdapter.classify,
      listener,
      origin: transport.origin,
      clock,
      scheduler,
      production: isProductionOrigin(options.url) ? productionCap(options, clock) : undefined,
      auth: signer ? apnsTokenAuth(signer, { classify: apnsAdapter.classify }) : undefined,
    });
    return new ApnsSender({ adapter: apnsAdapter, transport, interceptors, listener, clock, scheduler });
  }
}
