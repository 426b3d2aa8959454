/**
 * Options of the mock APNs server, checked once at start: a bad option throws InvalidArgumentError
 * naming the option and how to fix it (core/errors.ts rule), so nothing is discovered mid-run.
 */
import { randomInt } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { maxTimerMs, systemClock } from '../../core/clock.js';
import { InvalidArgumentError, assertInteger } from '../../core/errors.js';
import type { LatencySampler, LatencySpec } from '../distributions.js';
import { createSampler, validateLatencySpec } from '../distributions.js';
import { createRandom } from '../random.js';
import type { ApnsReason } from '../../core/reasons.js';
import type { ApnsSigningKey } from './credentials.js';
import type { MockApnsConfig } from './config.js';
import { parseMockApnsConfig } from './config.js';
import type { TrustedSigningKey } from './jwt-verifier.js';
import { resolveKeys, type ApnsTrustedKey } from './options-keys.js';
import { checkMockFaultOptions, mockFaultOptionNames, pickMockFaultOptions, type MockFaultOptions } from '../mock-faults.js';
import { impersonationOptionNames, resolveImpersonation, type ImpersonationOptions, type ResolvedImpersonation } from '../impersonate.js';
import type { DeviceRateLimit } from './rate-limit.js';
import type { ValidatedPush } from './validate.js';
import { defaultDeviceTokenPattern } from './validate.js';

export type { ApnsTrustedKey } from './options-keys.js';

/** The CA whose client certificates the mock accepts for certificate-based auth. */
export interface MockApnsMtlsMaterial {
  /** PEM of the trusted CA; with its `key`, the mock also issues a ready client certificate. */
  readonly ca: { readonly cert: string; readonly key?: string };
}

/**
 * Pushy-style push handler, in-process only: called for a push that passed every check; return a
 * reason to reject it, nothing to accept it. Throwing answers 500 InternalServerError (§5.1).
 */
export type ApnsPushHandler = (push: ValidatedPush) => ApnsReason | undefined | void;

export interface MockApnsTlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** Returned as `MockApns.ca` for clients to trust. */
  readonly ca?: string;
}

/** `faults`, `faultSeed`, `ledgerRecords`, `control` and `faultsPaused` are documented in simulator/mock-faults.ts. */
export interface MockApnsOptions extends MockFaultOptions, ImpersonationOptions {
  /** Default '127.0.0.1'. */
  readonly host?: string;
  /** Default 0: a free port chosen by the OS. */
  readonly port?: number;
  /** false (default): cleartext h2c. true: TLS with a certificate generated at start. Or bring your own. */
  readonly tls?: boolean | MockApnsTlsMaterial;
  /**
   * Serve a certificate valid for APNs' own host names too (api.push.apple.com,
   * api.sandbox.push.apple.com, api.development.push.apple.com), or for the names given, so an
   * unmodified client can be sent here by name (README, "Test your own app"); implies `tls`.
   * `ca` ({ cert, key }) signs the generated certificates instead of a new CA.
   */
  readonly impersonate?: boolean | readonly string[];
  /** Trusted provider-token keys. Unless one of them is a `.p8`, a key is generated and trusted too (see `MockApns.credentials`). */
  readonly keys?: readonly ApnsTrustedKey[];
  /** Tokens answered with 410 Unregistered: token → timestamp (ms), or a list (timestamp = start time). */
  readonly unregistered?: Readonly<Record<string, number>> | readonly string[];
  /** Delay added before each answer. A function is accepted in-process only (not across a worker). */
  readonly latency?: LatencySpec | LatencySampler;
  /** Seed of the latency sampler; random when absent (read it back from `MockApns.seed`). */
  readonly seed?: number;
  /** Time source for JWT age and default unregister timestamps. */
  readonly clock?: Clock;
  /**
   * SETTINGS_MAX_CONCURRENT_STREAMS of a connection once authenticated (a valid provider token, or
   * a client certificate), default 1000 (observed APNs value, protocols.md §1.11). See `initialStreams`.
   */
  readonly maxConcurrentStreams?: number;
  /** Development environment: add `apns-unique-id` to successful responses (protocols.md §1.5). */
  readonly sandbox?: boolean;
  /** Device token shape, default 64 hex characters (Pushy's rule; real length unconfirmed, protocols.md §7). */
  readonly deviceTokenPattern?: RegExp;
  /**
   * GOAWAY `{"reason":"IdleTimeout"}` to a connection that opened no stream for this long; 0 = never.
   * Default 600 000 (APNs' own value is unpublished, §7). Measured on `clock`.
   */
  readonly idleTimeoutMs?: number;
  /** Fastify's (pino) request logging, default off: it would dominate a load test. */
  readonly logger?: boolean;
  /**
   * Certificate-based auth (mutual TLS, protocols.md §1.10); implies `tls`. `true`: the mock makes a
   * CA and a client certificate for `bundleId` (see `MockApns.clientCertificate`). `'apple'`: the
   * same, shaped like Apple's — an RSA CA, RSA client certificates with Apple's environment and
   * topics extensions (tls.ts `apple`) — so a client's own certificate checks run (node-apn's
   * environment check). Clients without a certificate still use token auth.
   */
  readonly mtls?: boolean | 'apple' | MockApnsMtlsMaterial;
  /** Bundle id of the generated client certificate (its subject UID), default 'com.example.app'. */
  readonly bundleId?: string;
  /**
   * 'validated' (default): the full APNs validation. 'accept-all': every request to /3/device/ is
   * answered 200 without checks, like Pushy's BenchmarkApnsServer, to measure a client, not the mock.
   */
  readonly profile?: 'validated' | 'accept-all';
  /**
   * SETTINGS_MAX_CONCURRENT_STREAMS of a token-auth connection until its first valid provider
   * token, then `maxConcurrentStreams` (protocols.md §1.9 "Streams before auth"). Default 1.
   */
  readonly initialStreams?: number;
  /** Oldest accepted provider token, default 3 600 000 (1 h, §1.9). */
  readonly maxTokenAgeMs?: number;
  /** How far a token's iat may be ahead of the clock, default 60 000 (Apple's rule is unpublished). */
  readonly maxClockSkewMs?: number;
  /** A new provider token on a connection sooner than this after the last → 429 TooManyProviderTokenUpdates. Default 1 200 000 (20 min, §1.9). */
  readonly tokenUpdateWindowMs?: number;
  /** Devices, expired tokens, topic rules and scripted reasons (config.ts; the CLI's --config). */
  readonly config?: MockApnsConfig;
  /** 429 TooManyRequests when a device token gets more than `max` pushes in `windowMs`. Default off (Apple's limit is unpublished). */
  readonly deviceRateLimit?: DeviceRateLimit;
  /** Called for each push that passed validation; in-process only (a function cannot cross into a worker). */
  readonly onPush?: ApnsPushHandler;
}

export interface ResolvedMockApnsOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: false | 'generate' | MockApnsTlsMaterial;
  readonly trustedKeys: readonly TrustedSigningKey[];
  readonly credentials: ApnsSigningKey;
  readonly unregistered: ReadonlyMap<string, number>;
  readonly latency: LatencySampler | undefined;
  readonly seed: number;
  readonly clock: Clock;
  readonly maxConcurrentStreams: number;
  readonly sandbox: boolean;
  readonly deviceTokenPattern: RegExp;
  readonly idleTimeoutMs: number;
  readonly logger: boolean;
  readonly mtls: false | 'generate' | 'apple' | MockApnsMtlsMaterial;
  readonly bundleId: string;
  readonly profile: 'validated' | 'accept-all';
  readonly initialStreams: number;
  readonly maxTokenAgeMs: number;
  readonly maxClockSkewMs: number;
  readonly tokenUpdateWindowMs: number;
  readonly config: MockApnsConfig;
  readonly deviceRateLimit: DeviceRateLimit | undefined;
  readonly onPush: ApnsPushHandler | undefined;
  readonly impersonation: ResolvedImpersonation;
  /** Checked here; built by createMockFaults at start. */
  readonly faultOptions: MockFaultOptions;
}

const knownOptions: ReadonlySet<string> = new Set([
  'host', 'port', 'tls', 'keys', 'unregistered', 'latency', 'seed', 'clock',
  'maxConcurrentStreams', 'sandbox', 'deviceTokenPattern', 'idleTimeoutMs', 'logger', 'mtls', 'bundleId',
  'profile', 'initialStreams', 'maxTokenAgeMs', 'maxClockSkewMs', 'tokenUpdateWindowMs', 'config',
  'deviceRateLimit', 'onPush', ...mockFaultOptionNames, ...impersonationOptionNames,
]);
const maxStreams = 2 ** 32 - 1;

export function resolveMockApnsOptions(options: MockApnsOptions = {}): ResolvedMockApnsOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(`options must be an object, got ${String(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!knownOptions.has(name)) {
      throw new InvalidArgumentError(`unknown option '${name}'; known options: ${[...knownOptions].join(', ')}`);
    }
  }
  const clock = options.clock ?? systemClock;
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
    throw new InvalidArgumentError('clock must be an object with a now() method returning epoch ms');
  }
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw new InvalidArgumentError(`host must be a non-empty string, got ${String(host)}`);
  const seed = options.seed === undefined ? randomInt(2 ** 31) : assertInteger('seed', options.seed, 0);

  const { trustedKeys, credentials } = resolveKeys(options.keys);
  const mtls = resolveMtls(options.mtls);
  if (mtls !== false && options.tls === false) {
    throw new InvalidArgumentError('mtls needs TLS: remove tls: false (mtls turns TLS on), or drop mtls');
  }
  const maxConcurrentStreams = assertInteger('maxConcurrentStreams', options.maxConcurrentStreams ?? 1000, 1, maxStreams);
  const profile = options.profile ?? 'validated';
  if (profile !== 'validated' && profile !== 'accept-all') throw new InvalidArgumentError(`profile must be 'validated' or 'accept-all', got ${String(profile)}`);
  if (options.onPush !== undefined && typeof options.onPush !== 'function') throw new InvalidArgumentError('onPush must be a function (push) => reason | undefined');
  checkMockFaultOptions(options);
  const impersonation = resolveImpersonation('apns', options);
  const generate = (mtls !== false || impersonation.generate) && (options.tls === undefined || options.tls === true);
  return {
    host,
    port: assertInteger('port', options.port ?? 0, 0, 65_535),
    tls: generate ? 'generate' : resolveTls(options.tls),
    impersonation,
    trustedKeys,
    credentials,
    unregistered: resolveUnregistered(options.unregistered, clock.now()),
    latency: resolveLatency(options.latency, seed),
    seed,
    clock,
    maxConcurrentStreams,
    sandbox: assertBoolean('sandbox', options.sandbox ?? false),
    deviceTokenPattern: resolvePattern(options.deviceTokenPattern),
    idleTimeoutMs: assertInteger('idleTimeoutMs', options.idleTimeoutMs ?? 600_000, 0, maxTimerMs),
    logger: assertBoolean('logger', options.logger ?? false),
    mtls,
    bundleId: resolveBundleId(options.bundleId),
    profile,
    // accept-all checks no token, so there is nothing to wait for before allowing every stream.
    initialStreams: profile === 'accept-all' ? maxConcurrentStreams : Math.min(assertInteger('initialStreams', options.initialStreams ?? 1, 1, maxStreams), maxConcurrentStreams),
    maxTokenAgeMs: assertInteger('maxTokenAgeMs', options.maxTokenAgeMs ?? 3_600_000, 1),
    maxClockSkewMs: assertInteger('maxClockSkewMs', options.maxClockSkewMs ?? 60_000, 0),
    tokenUpdateWindowMs: assertInteger('tokenUpdateWindowMs', options.tokenUpdateWindowMs ?? 1_200_000, 0),
    config: options.config === undefined ? {} : parseMockApnsConfig(options.config, 'the config option'),
    deviceRateLimit: resolveRateLimit(options.deviceRateLimit),
    onPush: options.onPush,
    faultOptions: pickMockFaultOptions(options),
  };
}

function resolveMtls(mtls: MockApnsOptions['mtls']): ResolvedMockApnsOptions['mtls'] {
  if (mtls === undefined || mtls === false) return false;
  if (mtls === true) return 'generate';
  if (mtls === 'apple') return 'apple';
  const ca = typeof mtls === 'object' && mtls !== null ? (mtls as Partial<MockApnsMtlsMaterial>).ca : undefined;
  if (typeof ca === 'object' && ca !== null && typeof ca.cert === 'string' && (ca.key === undefined || typeof ca.key === 'string')) return { ca };
  throw new InvalidArgumentError("mtls must be true, 'apple', false or { ca: { cert, key? } } with PEM strings (generateCertificateAuthority() makes one)");
}

function resolveBundleId(bundleId: unknown): string {
  if (bundleId === undefined) return 'com.example.app';
  if (typeof bundleId !== 'string' || !/^[A-Za-z0-9.-]+$/.test(bundleId)) {
    throw new InvalidArgumentError(`bundleId must be a bundle id like com.example.app, got ${String(bundleId)}`);
  }
  return bundleId;
}

function resolveRateLimit(limit: MockApnsOptions['deviceRateLimit']): DeviceRateLimit | undefined {
  if (limit === undefined) return undefined;
  if (typeof limit !== 'object' || limit === null) throw new InvalidArgumentError('deviceRateLimit must be { max, windowMs }');
  return {
    max: assertInteger('deviceRateLimit.max', limit.max, 0),
    windowMs: assertInteger('deviceRateLimit.windowMs', limit.windowMs, 1),
  };
}

function resolveTls(tls: MockApnsOptions['tls']): ResolvedMockApnsOptions['tls'] {
  if (tls === undefined || tls === false) return false;
  if (tls === true) return 'generate';
  if (typeof tls === 'object' && tls !== null && typeof tls.cert === 'string' && typeof tls.key === 'string' &&
      (tls.ca === undefined || typeof tls.ca === 'string')) {
    return tls;
  }
  throw new InvalidArgumentError('tls must be true, false or { cert, key, ca? } with PEM strings (see simulator/tls.ts to make them)');
}

function resolveUnregistered(unregistered: MockApnsOptions['unregistered'], now: number): Map<string, number> {
  const result = new Map<string, number>();
  if (unregistered === undefined) return result;
  if (Array.isArray(unregistered)) {
    for (const token of unregistered as readonly unknown[]) {
      if (typeof token !== 'string') throw new InvalidArgumentError(`unregistered must list device tokens as strings, got ${String(token)}`);
      result.set(token, now);
    }
    return result;
  }
  if (typeof unregistered !== 'object' || unregistered === null) {
    throw new InvalidArgumentError('unregistered must be a list of tokens or a { token: timestampMs } object');
  }
  for (const [token, timestamp] of Object.entries(unregistered)) {
    result.set(token, assertInteger(`unregistered['${token}'] (timestamp, ms since epoch)`, timestamp, 0));
  }
  return result;
}

function resolveLatency(latency: MockApnsOptions['latency'], seed: number): LatencySampler | undefined {
  if (latency === undefined) return undefined;
  if (typeof latency === 'function') return latency;
  const problems = validateLatencySpec(latency);
  if (problems.length > 0) throw new InvalidArgumentError(`invalid latency option: ${problems.join('; ')}`);
  return createSampler(latency, createRandom(seed));
}

function resolvePattern(pattern: RegExp | undefined): RegExp {
  if (pattern === undefined) return defaultDeviceTokenPattern;
  if (!(pattern instanceof RegExp)) throw new InvalidArgumentError('deviceTokenPattern must be a RegExp, e.g. /^[0-9a-f]{64}$/i');
  // A global or sticky RegExp keeps lastIndex between test() calls and would alternate verdicts.
  if (pattern.global || pattern.sticky) return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  return pattern;
}

function assertBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(`${name} must be true or false, got ${String(value)}`);
  return value;
}
