/**
 * Sends APNs notifications through a Transport (by default a pooled HTTP/2 connection to `url`)
 * and resolves each with its final Outcome. `send` never rejects: bad notifications throw
 * synchronously (a programming error), everything that happens on the wire is an Outcome.
 */
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { InvalidArgumentError } from '../core/errors.js';
import { ApnsTokenSigner } from './auth/apns-token.js';
import type { ApnsTokenCredentials } from './auth/apns-token.js';
import { Http2Pool } from './http2/pool.js';
import type { Http2PoolOptions } from './http2/pool.js';
import type { SenderListener } from './listener.js';
import type { Outcome } from './outcome.js';
import { apnsOutcome, buildApnsRequest, checkApnsNotification } from './providers/apns.js';
import type { ApnsNotification } from './providers/apns.js';
import type { Transport, TransportStats } from './transport.js';

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
  /** Use this transport instead of opening a pool to `url` (tests, fallbacks). */
  readonly transport?: Transport;
}

export class ApnsSender {
  readonly transport: Transport;
  readonly #signer: ApnsTokenSigner | undefined;
  readonly #listener: SenderListener;
  readonly #clock: Clock;

  private constructor(transport: Transport, signer: ApnsTokenSigner | undefined, listener: SenderListener, clock: Clock) {
    this.transport = transport;
    this.#signer = signer;
    this.#listener = listener;
    this.#clock = clock;
  }

  static async create(options: ApnsSenderOptions): Promise<ApnsSender> {
    if (options.credentials === undefined && options.tls?.cert === undefined && options.transport === undefined) {
      throw new InvalidArgumentError('APNs needs credentials: give `credentials` (token auth: keyId, teamId, privateKey) or `tls.cert` and `tls.key` (certificate auth)');
    }
    const clock = options.clock ?? systemClock;
    const signer = options.credentials ? await ApnsTokenSigner.create({ ...options.credentials, clock }) : undefined;
    const listener = options.listener ?? {};
    const transport =
      options.transport ??
      new Http2Pool({
        origin: options.url,
        ...(options.connections !== undefined && { connections: options.connections }),
        ...(options.maxInFlight !== undefined && { maxInFlight: options.maxInFlight }),
        ...(options.maxQueue !== undefined && { maxQueue: options.maxQueue }),
        ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
        ...(options.tls !== undefined && { tls: options.tls }),
        listener,
      });
    return new ApnsSender(transport, signer, listener, clock);
  }

  /** Sends one notification; resolves with its final outcome, never rejects. */
  async send(notification: ApnsNotification): Promise<Outcome> {
    checkApnsNotification(notification);
    const started = this.#clock.now();
    const authorization = this.#signer === undefined ? undefined : await this.#signer.authorization();
    this.#listener.onSent?.(notification.token, 1);
    const result = await this.transport.dispatch(buildApnsRequest(notification, authorization));
    const outcome = apnsOutcome(notification.token, result, 1);
    this.#listener.onOutcome?.(outcome, this.#clock.now() - started);
    return outcome;
  }

  stats(): TransportStats {
    return this.transport.stats();
  }

  /** Lets in-flight notifications finish, then closes connections. */
  close(): Promise<void> {
    return this.transport.close();
  }

  destroy(): Promise<void> {
    return this.transport.destroy();
  }
}
