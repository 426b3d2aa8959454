/**
 * Options of the mock APNs server, checked once at start: a bad option throws InvalidArgumentError
 * naming the option and how to fix it (core/errors.ts rule), so nothing is discovered mid-run.
 */
import { randomInt } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { InvalidArgumentError, assertInteger } from '../../core/errors.js';
import type { LatencySampler, LatencySpec } from '../distributions.js';
import { createSampler, validateLatencySpec } from '../distributions.js';
import { createRandom } from '../random.js';
import type { ApnsSigningKey } from './credentials.js';
import { generateApnsSigningKey, isPrivateKeyPem, loadApnsVerificationKey } from './credentials.js';
import type { TrustedSigningKey } from './jwt-verifier.js';
import { defaultDeviceTokenPattern } from './validate.js';

/** A signing key the mock trusts: `key` is a `.p8` (PKCS#8 private key PEM) or an EC public key PEM. */
export interface ApnsTrustedKey {
  readonly keyId: string;
  readonly teamId: string;
  readonly key: string;
}

export interface MockApnsTlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** Returned as `MockApns.ca` for clients to trust. */
  readonly ca?: string;
}

export interface MockApnsOptions {
  /** Default '127.0.0.1'. */
  readonly host?: string;
  /** Default 0: a free port chosen by the OS. */
  readonly port?: number;
  /** false (default): cleartext h2c. true: TLS with a certificate generated at start. Or bring your own. */
  readonly tls?: boolean | MockApnsTlsMaterial;
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
  /** SETTINGS_MAX_CONCURRENT_STREAMS advertised per connection, default 1000 (observed APNs value, protocols.md §1.11). */
  readonly maxConcurrentStreams?: number;
  /** Development environment: add `apns-unique-id` to successful responses (protocols.md §1.5). */
  readonly sandbox?: boolean;
  /** Device token shape, default 64 hex characters (Pushy's rule; real length unconfirmed, protocols.md §7). */
  readonly deviceTokenPattern?: RegExp;
  /** Close a connection after this long without traffic; 0 = never. Default 600 000 (APNs' own value is unpublished, §7). */
  readonly idleTimeoutMs?: number;
  /** Fastify's (pino) request logging, default off: it would dominate a load test. */
  readonly logger?: boolean;
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
}

const knownOptions: ReadonlySet<string> = new Set([
  'host', 'port', 'tls', 'keys', 'unregistered', 'latency', 'seed', 'clock',
  'maxConcurrentStreams', 'sandbox', 'deviceTokenPattern', 'idleTimeoutMs', 'logger',
]);

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
  return {
    host,
    port: assertInteger('port', options.port ?? 0, 0, 65_535),
    tls: resolveTls(options.tls),
    trustedKeys,
    credentials,
    unregistered: resolveUnregistered(options.unregistered, clock.now()),
    latency: resolveLatency(options.latency, seed),
    seed,
    clock,
    maxConcurrentStreams: assertInteger('maxConcurrentStreams', options.maxConcurrentStreams ?? 1000, 1, 2 ** 32 - 1),
    sandbox: assertBoolean('sandbox', options.sandbox ?? false),
    deviceTokenPattern: resolvePattern(options.deviceTokenPattern),
    idleTimeoutMs: assertInteger('idleTimeoutMs', options.idleTimeoutMs ?? 600_000, 0, 2 ** 31 - 1),
    logger: assertBoolean('logger', options.logger ?? false),
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

/**
 * Trusted keys plus the credentials handed back to the caller: the first `.p8` given, else a key
 * generated here and trusted too (so `MockApns.credentials` is always usable, even when only
 * public keys were given).
 */
function resolveKeys(keys: MockApnsOptions['keys']): Pick<ResolvedMockApnsOptions, 'trustedKeys' | 'credentials'> {
  if (keys !== undefined && !Array.isArray(keys)) throw new InvalidArgumentError('keys must be an array of { keyId, teamId, key }');
  const trustedKeys: TrustedSigningKey[] = [];
  let credentials: ApnsSigningKey | undefined;
  const seen = new Set<string>();
  (keys ?? []).forEach((entry: Partial<ApnsTrustedKey> | null, index) => {
    const where = `keys[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new InvalidArgumentError(`${where} must be { keyId, teamId, key }`);
    const { keyId, teamId, key } = entry;
    if (typeof keyId !== 'string' || keyId === '') throw new InvalidArgumentError(`${where}.keyId must be a non-empty string (the JWT kid)`);
    if (typeof teamId !== 'string' || teamId === '') throw new InvalidArgumentError(`${where}.teamId must be a non-empty string (the JWT iss)`);
    if (typeof key !== 'string') throw new InvalidArgumentError(`${where}.key must be a PEM string (.p8 contents or public key)`);
    if (seen.has(keyId)) throw new InvalidArgumentError(`${where}.keyId '${keyId}' is listed twice; key ids must be unique`);
    seen.add(keyId);
    try {
      trustedKeys.push({ keyId, teamId, verificationKey: loadApnsVerificationKey(key) });
      if (credentials === undefined && isPrivateKeyPem(key)) credentials = { keyId, teamId, privateKey: key };
    } catch (cause) {
      throw new InvalidArgumentError(`${where}.key (keyId '${keyId}') is not usable: ${(cause as Error).message}`, { cause });
    }
  });
  if (credentials === undefined) {
    let generated = generateApnsSigningKey();
    while (seen.has(generated.keyId)) generated = generateApnsSigningKey();
    trustedKeys.push({ keyId: generated.keyId, teamId: generated.teamId, verificationKey: loadApnsVerificationKey(generated.privateKey) });
    credentials = generated;
  }
  return { trustedKeys, credentials };
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
