/**
 * The Web Push sender: the generic Sender with the Web Push adapter (RFC 8291 encryption), VAPID
 * as an interceptor (one JWT per push-service origin, re-signed at half-life), over an Http2Agent
 * that keeps one HTTP/2 pool per push-service origin.
 */
import { systemScheduler } from '../core/scheduler.js';
import { VapidSigner, type VapidCredentials } from './auth/vapid.js';
import { Http2Agent, type Http2AgentOptions } from './http2/agent.js';
import { definedPoolSettings } from './http2/pool-settings.js';
import { InvalidArgumentError } from '../core/errors.js';
import { originOf } from './http2/agent.js';
import { vapidAuth } from './interceptors/vapid-auth.js';
import { senderInterceptors } from './policies.js';
import { productionCap } from './production-guard.js';
import { webPushAdapter, type WebPushNotification } from './providers/webpush.js';
import { Sender } from './sender.js';
import type { CommonSenderOptions } from './sender-options.js';
import type { Interceptor } from './transport.js';

export interface WebPushSenderOptions extends CommonSenderOptions {
  /** The application server's VAPID key pair and contact. */
  readonly vapid: VapidCredentials;
  /** VAPID JWT lifetime (≤ 24 h). @default 43200 */
  readonly vapidExpiresInSeconds?: number;
  /** Extra CA to trust (the mock's `ca` with TLS). */
  readonly tls?: Http2AgentOptions['tls'];
  /** Origins kept connected at once. @default 256 */
  readonly maxOrigins?: number;
  /**
   * Required to send to the browsers' push services (real devices): fcm.googleapis.com,
   * *.push.services.mozilla.com, web.push.apple.com, *.notify.windows.com. Without it such
   * endpoints fail without being sent. With it, every request is capped at `productionRateLimit`.
   * @default false
   */
  readonly allowProduction?: boolean;
}

/** The public push services of Chrome, Firefox, Safari and Edge: their subscriptions are real devices. */
export function isRealPushService(endpoint: string): boolean {
  const origin = originOf(endpoint);
  if (origin === undefined) return false;
  const host = origin.slice(origin.indexOf('//') + 2).replace(/:\d+$/, '');
  return host === 'fcm.googleapis.com' || host === 'web.push.apple.com' || host.endsWith('.push.services.mozilla.com') || host.endsWith('.notify.windows.com');
}

/** Fails requests to real push services unless the caller opted in (they are never put on the wire). */
function productionGuard(): Interceptor {
  return (next) => (request, context) => {
    if (!isRealPushService(request.path)) return next(request, context);
    const error = new InvalidArgumentError(`${originOf(request.path) ?? 'this endpoint'} is a real push service; pass allowProduction: true to WebPushSender to send there on purpose`);
    return Promise.resolve({ ok: false, kind: 'connect', error, unprocessed: true });
  };
}

export class WebPushSender extends Sender<WebPushNotification> {
  readonly vapid: VapidSigner;

  private constructor(vapid: VapidSigner, options: ConstructorParameters<typeof Sender<WebPushNotification>>[0]) {
    super(options);
    this.vapid = vapid;
  }

  static async create(options: WebPushSenderOptions): Promise<WebPushSender> {
    const scheduler = options.scheduler ?? systemScheduler;
    const clock = options.clock ?? scheduler;
    const vapid = await VapidSigner.create({ ...options.vapid, clock, ...(options.vapidExpiresInSeconds !== undefined && { expiresInSeconds: options.vapidExpiresInSeconds }) });
    const listener = options.listener ?? {};
    const transport =
      options.transport ??
      new Http2Agent({
        ...definedPoolSettings(options),
        ...(options.maxOrigins !== undefined && { maxOrigins: options.maxOrigins }),
        listener,
      });
    const interceptors = senderInterceptors(options, {
      classify: webPushAdapter.classify,
      listener,
      origin: transport.origin,
      clock,
      scheduler,
      production: options.allowProduction === true ? productionCap(options, clock) : productionGuard(),
      auth: vapidAuth(vapid),
    });
    return new WebPushSender(vapid, { adapter: webPushAdapter, transport, interceptors, listener, clock, scheduler });
  }
}
