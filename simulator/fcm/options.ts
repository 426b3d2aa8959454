/**
 * Options of the mock FCM server, checked once at start: a bad option throws InvalidArgumentError
 * naming it and how to fix it (core/errors.ts rule). Defaults follow protocols.md §2.6-2.7.
 */
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { InvalidArgumentError, assertInteger } from '../../core/errors.js';
import { resolveSharedSecret } from '../secret.js';
import type { FcmReason } from '../../core/reasons.js';
import { checkMockFaultOptions, mockFaultOptionNames, pickMockFaultOptions, type MockFaultOptions } from '../mock-faults.js';
import { impersonationOptionNames, resolveImpersonation, type ImpersonationOptions, type ResolvedImpersonation } from '../impersonate.js';
import type { ServiceAccountJson } from './credentials.js';
import { resolveRateLimit, type RateLimit } from './quota.js';

export interface MockFcmTlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** Returned as `MockFcm.ca` for clients to trust. */
  readonly ca?: string;
}

/** `faults`, `faultSeed`, `ledgerRecords`, `control` and `faultsPaused` are documented in simulator/mock-faults.ts. */
export interface MockFcmOptions extends MockFaultOptions, ImpersonationOptions {
  /** Default '127.0.0.1'. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** false (default): cleartext (h2c and HTTP/1.1 on one port). true: TLS with a generated certificate (ALPN h2 and http/1.1). */
  readonly tls?: boolean | MockFcmTlsMaterial;
  /**
   * Serve a certificate valid for fcm.googleapis.com and oauth2.googleapis.com too (both endpoints
   * are served by this mock), or for the names given, so an unmodified firebase-admin can be sent
   * here by name (README, "Test your own app"); implies `tls`. `ca` ({ cert, key }) signs it instead of a new CA.
   */
  readonly impersonate?: boolean | readonly string[];
  /** The project the generated service account belongs to. @default 'pushsim-test' */
  readonly projectId?: string;
  /** Time source for access-token expiry and quotas. */
  readonly clock?: Clock;
  /** Lifetime of issued access tokens in seconds. @default 3599 */
  readonly accessTokenTtlSeconds?: number;
  /**
   * The service account the mock trusts (and returns as `serviceAccount`, its `token_uri` set to this
   * mock's), instead of generating one; its `project_id` is the mock's project. Mocks given the same
   * account and `accessTokenSecret` accept each other's access tokens (the processes of `--workers`).
   */
  readonly serviceAccount?: ServiceAccountJson;
  /** Key (at least 32 bytes, base64url) of the access tokens' MAC. @default 32 random bytes */
  readonly accessTokenSecret?: string;
  /** Messages per project per window; false = unlimited. @default { limit: 600000, windowMs: 60000 } */
  readonly projectQuota?: RateLimit | false;
  /** Messages per registration token, all must have room; false = unlimited. @default 240/min and 5000/h */
  readonly deviceQuotas?: readonly RateLimit[] | false;
  /** Tokens answered 404 UNREGISTERED. */
  readonly unregistered?: readonly string[];
  /** Registration token shape. @default /^[\w:.-]{8,4096}$/ (real tokens are ~160 such characters) */
  readonly tokenPattern?: RegExp;
  /** Retry-After (seconds) sent with scripted UNAVAILABLE / INTERNAL answers; 0 = none. @default 10 */
  readonly retryAfterSeconds?: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS. @default 100 (FCM's observed limit, §2.7) */
  readonly maxConcurrentStreams?: number;
  /** GOAWAY after this long without traffic; 0 = never. @default 240000 (4 min) */
  readonly idleTimeoutMs?: number;
  /** GOAWAY once a connection is this old; 0 = never. @default 3600000 (1 h) */
  readonly maxConnectionAgeMs?: number;
  /** Fastify request logging. @default false */
  readonly logger?: boolean;
}

export interface ResolvedMockFcmOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: false | 'generate' | MockFcmTlsMaterial;
  readonly projectId: string;
  readonly clock: Clock;
  readonly accessTokenTtlSeconds: number;
  readonly serviceAccount: ServiceAccountJson | undefined;
  readonly accessTokenSecret: Buffer | undefined;
  readonly projectQuota: RateLimit | undefined;
  readonly deviceQuotas: readonly RateLimit[];
  readonly unregistered: readonly string[];
  readonly tokenPattern: RegExp;
  readonly retryAfterSeconds: number;
  readonly maxConcurrentStreams: number;
  readonly idleTimeoutMs: number;
  readonly maxConnectionAgeMs: number;
  readonly logger: boolean;
  readonly impersonation: ResolvedImpersonation;
  readonly faultOptions: MockFaultOptions;
}

export const defaultTokenPattern = /^[\w:.-]{8,4096}$/;
/** FCM's per-project quota (protocols.md §2.6). */
export const defaultProjectQuota: RateLimit = { limit: 600_000, windowMs: 60_000 };
const projectIdPattern = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const knownOptions: ReadonlySet<string> = new Set([
  'host', 'port', 'tls', 'projectId', 'clock', 'accessTokenTtlSeconds', 'serviceAccount', 'accessTokenSecret', 'projectQuota', 'deviceQuotas', 'unregistered',
  'tokenPattern', 'retryAfterSeconds', 'maxConcurrentStreams', 'idleTimeoutMs', 'maxConnectionAgeMs', 'logger', ...mockFaultOptionNames, ...impersonationOptionNames,
]);

export function resolveMockFcmOptions(options: MockFcmOptions = {}): ResolvedMockFcmOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`options must be an object, got ${String(options)}`);
  for (const name of Object.keys(options)) {
    if (!knownOptions.has(name)) throw new InvalidArgumentError(`unknown option '${name}' of startMockFcm; known options: ${[...knownOptions].join(', ')}`);
  }
  const clock = options.clock ?? systemClock;
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
    throw new InvalidArgumentError('clock must be an object with a now() method returning epoch ms');
  }
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw new InvalidArgumentError(`host must be a non-empty string, got ${String(host)}`);
  const serviceAccount = resolveServiceAccount(options.serviceAccount);
  if (serviceAccount !== undefined && options.projectId !== undefined && options.projectId !== serviceAccount.project_id) {
    throw new InvalidArgumentError(`projectId ${JSON.stringify(options.projectId)} differs from the serviceAccount's project_id ${JSON.stringify(serviceAccount.project_id)}; give one of them`);
  }
  const projectId = serviceAccount?.project_id ?? options.projectId ?? 'pushsim-test';
  if (typeof projectId !== 'string' || !projectIdPattern.test(projectId)) {
    throw new InvalidArgumentError(`projectId must be a Google Cloud project id (6-30 characters: lower-case letters, digits, hyphens; starts with a letter), got ${JSON.stringify(projectId)}`);
  }
  checkMockFaultOptions(options);
  const impersonation = resolveImpersonation('fcm', options);
  return {
    host,
    port: assertInteger('port', options.port ?? 0, 0, 65_535),
    tls: impersonation.generate ? 'generate' : resolveTls(options.tls),
    impersonation,
    projectId,
    clock,
    accessTokenTtlSeconds: assertInteger('accessTokenTtlSeconds', options.accessTokenTtlSeconds ?? 3599, 1, 86_400),
    serviceAccount,
    accessTokenSecret: resolveSharedSecret('accessTokenSecret', options.accessTokenSecret),
    projectQuota: options.projectQuota === false ? undefined : resolveRateLimit('projectQuota', options.projectQuota ?? defaultProjectQuota),
    deviceQuotas: resolveDeviceQuotas(options.deviceQuotas),
    unregistered: resolveTokens(options.unregistered),
    tokenPattern: resolvePattern(options.tokenPattern),
    retryAfterSeconds: assertInteger('retryAfterSeconds', options.retryAfterSeconds ?? 10, 0, 86_400),
    maxConcurrentStreams: assertInteger('maxConcurrentStreams', options.maxConcurrentStreams ?? 100, 1, 2 ** 31 - 1),
    idleTimeoutMs: assertInteger('idleTimeoutMs', options.idleTimeoutMs ?? 240_000, 0, 2 ** 31 - 1),
    maxConnectionAgeMs: assertInteger('maxConnectionAgeMs', options.maxConnectionAgeMs ?? 3_600_000, 0, 2 ** 31 - 1),
    logger: assertBoolean('logger', options.logger ?? false),
    faultOptions: pickMockFaultOptions(options),
  };
}

/** A scripted code must be one the table knows; used by `faults.script` callers through the CLI too. */
export function assertFcmReasons(codes: readonly string[], known: Readonly<Record<string, unknown>>): asserts codes is readonly FcmReason[] {
  for (const code of codes) {
    if (!Object.hasOwn(known, code)) throw new InvalidArgumentError(`unknown FCM error code '${code}'; known: ${Object.keys(known).join(', ')}`);
  }
}

function resolveTls(tls: MockFcmOptions['tls']): ResolvedMockFcmOptions['tls'] {
  if (tls === undefined || tls === false) return false;
  if (tls === true) return 'generate';
  if (typeof tls === 'object' && tls !== null && typeof tls.cert === 'string' && typeof tls.key === 'string' && (tls.ca === undefined || typeof tls.ca === 'string')) return tls;
  throw new InvalidArgumentError('tls must be true, false or { cert, key, ca? } with PEM strings (see simulator/tls.ts to make them)');
}

function resolveServiceAccount(account: unknown): ServiceAccountJson | undefined {
  if (account === undefined) return undefined;
  const fields = (typeof account === 'object' && account !== null ? account : {}) as Record<string, unknown>;
  const missing = ['project_id', 'private_key_id', 'private_key', 'client_email'].filter((name) => typeof fields[name] !== 'string' || fields[name] === '');
  if (missing.length > 0) throw new InvalidArgumentError(`serviceAccount must be a service-account JSON object (type, project_id, private_key_id, private_key, client_email); missing ${missing.join(', ')}`);
  return account as ServiceAccountJson;
}


function resolveDeviceQuotas(quotas: MockFcmOptions['deviceQuotas']): readonly RateLimit[] {
  if (quotas === false) return [];
  if (quotas === undefined) return [{ limit: 240, windowMs: 60_000 }, { limit: 5_000, windowMs: 3_600_000 }];
  if (!Array.isArray(quotas)) throw new InvalidArgumentError('deviceQuotas must be a list of { limit, windowMs } or false');
  return quotas.map((q, i) => resolveRateLimit(`deviceQuotas[${i}]`, q));
}

function resolveTokens(tokens: MockFcmOptions['unregistered']): readonly string[] {
  if (tokens === undefined) return [];
  if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string')) throw new InvalidArgumentError('unregistered must be a list of registration tokens (strings)');
  return tokens;
}

function resolvePattern(pattern: RegExp | undefined): RegExp {
  if (pattern === undefined) return defaultTokenPattern;
  if (!(pattern instanceof RegExp)) throw new InvalidArgumentError('tokenPattern must be a RegExp, e.g. /^[\\w:-]{100,}$/');
  // A global or sticky RegExp keeps lastIndex between test() calls and would alternate verdicts.
  return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern;
}

function assertBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(`${name} must be true or false, got ${String(value)}`);
  return value;
}
