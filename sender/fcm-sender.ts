/**
 * The FCM sender: the generic Sender with the FCM adapter, OAuth2 service-account auth as an
 * interceptor (GoogleAccessTokens: one token, refreshed 5 minutes before expiry, single flight),
 * and by default a pooled HTTP/2 connection to `url` (FCM allows ~100 streams per connection,
 * protocols.md §2.7; the pool follows whatever the server advertises).
 */
import { systemScheduler } from '../core/scheduler.js';
import { GoogleAccessTokens, type ServiceAccount } from './auth/google-oauth.js';
import { Http2Pool } from './http2/pool.js';
import { definedPoolSettings } from './http2/pool-settings.js';
import type { Http2PoolOptions } from './http2/pool.js';
import { fcmAuth } from './interceptors/fcm-auth.js';
import { senderInterceptors } from './policies.js';
import { assertProductionAllowed, isProductionOrigin, productionCap } from './production-guard.js';
import { fcmAdapter, type FcmNotification } from './providers/fcm.js';
import { Sender } from './sender.js';
import type { CommonSenderOptions } from './sender-options.js';
import type { Transport } from './transport.js';

export interface FcmSenderOptions extends CommonSenderOptions {
  /** The service-account JSON (object or text): client_email, private_key, project_id, token_uri. */
  readonly serviceAccount: ServiceAccount | string;
  /** FCM origin: the mock's `url`, or 'https://fcm.googleapis.com' (real devices: needs `allowProduction`). */
  readonly url: string;
  /** Project to send for. @default serviceAccount.project_id */
  readonly projectId?: string;
  /** OAuth scope. @default 'https://www.googleapis.com/auth/firebase.messaging' */
  readonly scope?: string;
  /** Extra CA to trust, for both FCM and the token endpoint (the mock's `ca` with TLS). */
  readonly tls?: Http2PoolOptions['tls'];
  /** Refresh the access token once fewer than this many ms remain. @default 300000 */
  readonly refreshBeforeMs?: number;
  /** Further pool settings (Http2PoolOptions): timeouts, PING, replays, reconnect backoff. */
  readonly pool?: Omit<Http2PoolOptions, 'origin' | 'tls' | 'listener'>;
}

export class FcmSender extends Sender<FcmNotification> {
  readonly tokens: GoogleAccessTokens;

  private constructor(tokens: GoogleAccessTokens, options: ConstructorParameters<typeof Sender<FcmNotification>>[0]) {
    super(options);
    this.tokens = tokens;
  }

  static async create(options: FcmSenderOptions): Promise<FcmSender> {
    assertProductionAllowed(options.url, options.allowProduction);
    const scheduler = options.scheduler ?? systemScheduler;
    const clock = options.clock ?? scheduler;
    const tokens = await GoogleAccessTokens.create({
      serviceAccount: options.serviceAccount,
      clock,
      ...(options.scope !== undefined && { scope: options.scope }),
      ...(options.refreshBeforeMs !== undefined && { refreshBeforeMs: options.refreshBeforeMs }),
      ...(options.tls?.ca !== undefined && { ca: options.tls.ca }),
    });
    const listener = options.listener ?? {};
    let transport: Transport;
    try {
      transport =
        options.transport ??
        new Http2Pool({
          ...options.pool,
          origin: options.url,
          ...definedPoolSettings(options),
          listener,
        });
    } catch (error) {
      await tokens.close();
      throw error;
    }
    const adapter = fcmAdapter(options.projectId ?? tokens.projectId);
    const interceptors = senderInterceptors(options, {
      classify: adapter.classify,
      listener,
      origin: transport.origin,
      clock,
      scheduler,
      production: isProductionOrigin(options.url) ? productionCap(options, clock) : undefined,
      auth: fcmAuth(tokens),
    });
    return new FcmSender(tokens, { adapter, transport, interceptors, listener, clock, scheduler });
  }

  override async close(): Promise<void> {
    await super.close();
    await this.tokens.close();
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    await this.tokens.close();
  }
}
