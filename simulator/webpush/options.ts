/** Options of the mock Web Push service, checked once at start (InvalidArgumentError names the option and the fix). */
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { InvalidArgumentError, assertInteger } from '../../core/errors.js';
import { resolveSharedSecret } from '../secret.js';
import { resolveRateLimit, type RateLimit } from '../fcm/quota.js';
import { checkMockFaultOptions, mockFaultOptionNames, pickMockFaultOptions, type MockFaultOptions } from '../mock-faults.js';
import { impersonationOptionNames, providerHosts, resolveImpersonation, type ImpersonationOptions, type ResolvedImpersonation } from '../impersonate.js';
import type { VapidKeys } from './keys.js';

/** `faults`, `faultSeed`, `ledgerRecords`, `control` and `faultsPaused` are documented in simulator/mock-faults.ts. */
export interface MockWebPushOptions extends MockFaultOptions, ImpersonationOptions {
  /** Default '127.0.0.1'. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** false (default): cleartext (h2c and HTTP/1.1 on one port). true: TLS with a generated certificate. Or bring your own. */
  readonly tls?: boolean | { readonly cert: string; readonly key: string; readonly ca?: string };
  /**
   * Serve a certificate valid for the push services' host names too (updates.push.services.mozilla.com,
   * fcm.googleapis.com, *.notify.windows.com, web.push.apple.com), or for the names given; implies
   * `tls`. Subscriptions then show endpoints on `endpointOrigin`. `ca` ({ cert, key }) signs the certificate.
   */
  readonly impersonate?: boolean | readonly string[];
  /**
   * Origin of the subscriptions' endpoints, e.g. `https://updates.push.services.mozilla.com`: the
   * VAPID `aud` a sender signs for them. @default the mock's url; with `impersonate`, Mozilla's
   * push service (an FCM mock may already answer for fcm.googleapis.com)
   */
  readonly endpointOrigin?: string;
  /** The application server's VAPID keys; generated when absent (see `MockWebPush.vapid`). */
  readonly vapid?: VapidKeys;
  /** Subscriptions created at start, restricted to `vapid`'s key. @default 1 */
  readonly subscriptions?: number;
  /**
   * Derive every subscription's endpoint and keys from this secret (at least 32 bytes, base64url)
   * instead of random ones: mocks given one secret (the processes of `--workers`) make the same
   * subscriptions. @default random subscriptions
   */
  readonly subscriptionSecret?: string;
  /** Status for an expired or unknown subscription: 404 (RFC 8030) or 410 (what services send in practice). @default 410 */
  readonly goneStatus?: 404 | 410;
  /** Messages per subscription per window; absent = unlimited. 429 with Retry-After beyond it. */
  readonly subscriptionQuota?: RateLimit;
  /** Retry-After (seconds) with scripted 429 / 503 answers. @default 10 */
  readonly retryAfterSeconds?: number;
  /** Longest TTL kept; a longer one is shortened and the response's TTL says so (RFC 8030 §5.2). @default 2419200 */
  readonly maxTtlSeconds?: number;
  /** Decrypt every payload (RFC 8291) and keep it for `messages()`. @default true */
  readonly decrypt?: boolean;
  /** Messages kept per subscription. @default 100 */
  readonly keepMessages?: number;
  readonly clock?: Clock;
  /** @default 1000 */
  readonly maxConcurrentStreams?: number;
  /** GOAWAY after this long without traffic; 0 = never. @default 240000 */
  readonly idleTimeoutMs?: number;
  /** GOAWAY once a connection is this old; 0 = never. @default 3600000 */
  readonly maxConnectionAgeMs?: number;
  readonly logger?: boolean;
}

export type ResolvedMockWebPushOptions = Required<Omit<MockWebPushOptions, 'vapid' | 'subscriptionQuota' | 'subscriptionSecret' | 'tls' | 'endpointOrigin' | keyof MockFaultOptions | keyof ImpersonationOptions>> & {
  readonly impersonation: ResolvedImpersonation;
  /** undefined: the mock's own url. */
  readonly endpointOrigin: string | undefined;
  readonly faultOptions: MockFaultOptions;
  readonly vapid: VapidKeys | undefined;
  readonly subscriptionQuota: RateLimit | undefined;
  readonly subscriptionSecret: Buffer | undefined;
  readonly tls: false | 'generate' | { readonly cert: string; readonly key: string; readonly ca?: string };
};

const known = new Set(['host', 'port', 'tls', 'vapid', 'subscriptions', 'subscriptionSecret', 'goneStatus', 'subscriptionQuota', 'retryAfterSeconds', 'maxTtlSeconds', 'decrypt', 'keepMessages', 'clock', 'maxConcurrentStreams', 'idleTimeoutMs', 'maxConnectionAgeMs', 'logger', 'endpointOrigin', ...mockFaultOptionNames, ...impersonationOptionNames]);

export function resolveMockWebPushOptions(options: MockWebPushOptions = {}): ResolvedMockWebPushOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`options must be an object, got ${String(options)}`);
  for (const name of Object.keys(options)) {
    if (!known.has(name)) throw new InvalidArgumentError(`unknown option '${name}' of startMockWebPush; known options: ${[...known].join(', ')}`);
  }
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== 'function') throw new InvalidArgumentError('clock must be an object with a now() method returning epoch ms');
  const goneStatus = options.goneStatus ?? 410;
  if (goneStatus !== 404 && goneStatus !== 410) throw new InvalidArgumentError(`goneStatus must be 404 or 410, got ${String(goneStatus)}`);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw new InvalidArgumentError(`host must be a non-empty string, got ${String(host)}`);
  const vapid = options.vapid;
  if (vapid !== undefined && (typeof vapid?.publicKey !== 'string' || typeof vapid.privateKey !== 'string' || typeof vapid.subject !== 'string')) {
    throw new InvalidArgumentError('vapid must be { publicKey, privateKey, subject } (base64url keys, e.g. from web-push generateVAPIDKeys())');
  }
  const tls = options.tls;
  if (tls !== undefined && typeof tls !== 'boolean' && (typeof tls?.cert !== 'string' || typeof tls.key !== 'string')) {
    throw new InvalidArgumentError('tls must be true, false or { cert, key, ca? } with PEM strings (see simulator/tls.ts to make them)');
  }
  checkMockFaultOptions(options);
  const impersonation = resolveImpersonation('webpush', options);
  return {
    host,
    port: assertInteger('port', options.port ?? 0, 0, 65_535),
    tls: impersonation.generate || tls === true ? 'generate' : tls === undefined || tls === false ? false : tls,
    impersonation,
    endpointOrigin: resolveEndpointOrigin(options.endpointOrigin, impersonation.hosts.length > 0),
    vapid,
    subscriptions: assertInteger('subscriptions', options.subscriptions ?? 1, 0, 100_000),
    subscriptionSecret: resolveSharedSecret('subscriptionSecret', options.subscriptionSecret),
    goneStatus,
    subscriptionQuota: options.subscriptionQuota === undefined ? undefined : resolveRateLimit('subscriptionQuota', options.subscriptionQuota),
    retryAfterSeconds: assertInteger('retryAfterSeconds', options.retryAfterSeconds ?? 10, 0, 86_400),
    maxTtlSeconds: assertInteger('maxTtlSeconds', options.maxTtlSeconds ?? 2_419_200, 0),
    decrypt: options.decrypt ?? true,
    keepMessages: assertInteger('keepMessages', options.keepMessages ?? 100, 0),
    clock,
    maxConcurrentStreams: assertInteger('maxConcurrentStreams', options.maxConcurrentStreams ?? 1000, 1, 2 ** 31 - 1),
    idleTimeoutMs: assertInteger('idleTimeoutMs', options.idleTimeoutMs ?? 240_000, 0, 2 ** 31 - 1),
    maxConnectionAgeMs: assertInteger('maxConnectionAgeMs', options.maxConnectionAgeMs ?? 3_600_000, 0, 2 ** 31 - 1),
    logger: options.logger ?? false,
    faultOptions: pickMockFaultOptions(options),
  };
}


function resolveEndpointOrigin(origin: string | undefined, impersonating: boolean): string | undefined {
  if (origin === undefined) return impersonating ? `https://${providerHosts.webpush[0]}` : undefined;
  let url: URL | undefined;
  try {
    url = typeof origin === 'string' ? new URL(origin) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || url.protocol !== 'https:' || url.origin !== origin) {
    throw new InvalidArgumentError(`endpointOrigin must be an https origin without a path, e.g. https://updates.push.services.mozilla.com, got ${String(origin)}`);
  }
  return origin;
}
