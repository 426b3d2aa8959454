/**
 * What every worker of one mock must share, made once in the primary so a client sees one service
 * whichever worker its connection lands on; options that cannot cross a process are refused here.
 *
 *   every provider  the CA that signs each worker's certificate (TLS, impersonation), the fault spec
 *   apns            the provider-token signing key, the latency seed
 *   fcm             the service account the OAuth endpoint trusts, the access tokens' MAC key
 *   webpush         the VAPID keys, the secret every subscription's endpoint and keys derive from
 */
import { randomInt } from 'node:crypto';
import { InvalidArgumentError } from '../../core/errors.js';
import { generateApnsSigningKey, isPrivateKeyPem } from '../apns/credentials.js';
import type { MockApnsWorkerOptions } from '../apns/worker-protocol.js';
import { FaultEngine } from '../faults/engine.js';
import { generateServiceAccount } from '../fcm/credentials.js';
import { resolveMockFcmOptions } from '../fcm/options.js';
import { newSharedSecret } from '../secret.js';
import { generateCertificateAuthority } from '../tls.js';
import { generateVapidKeys } from '../webpush/keys.js';
import { resolveMockWebPushOptions } from '../webpush/options.js';
import type { ClusterOptions, ClusterProvider, MockFcmWorkerOptions, MockWebPushWorkerOptions } from './protocol.js';

export async function sharedOptions<P extends ClusterProvider>(provider: P, options: ClusterOptions[P]): Promise<ClusterOptions[P]> {
  refuseInProcessObjects(options as Record<string, unknown>);
  if (provider === 'fcm') return (await sharedFcmOptions(options as MockFcmWorkerOptions)) as ClusterOptions[P];
  if (provider === 'webpush') return (await sharedWebPushOptions(options as MockWebPushWorkerOptions)) as ClusterOptions[P];
  return (await sharedApnsOptions(options as MockApnsWorkerOptions)) as ClusterOptions[P];
}

function refuseInProcessObjects(given: Record<string, unknown>): void {
  if (given['clock'] !== undefined || typeof given['latency'] === 'function' || given['onPush'] !== undefined || given['ledger'] !== undefined) {
    throw new InvalidArgumentError('clock, onPush, ledger and a latency function cannot cross into worker processes (functions and objects with state do not serialise); use a LatencySpec and config.script, or one worker');
  }
  if (given['faults'] instanceof FaultEngine) throw new InvalidArgumentError('a FaultEngine cannot cross into worker processes; give faults as a spec (or a spec file path): every worker builds its engine');
}

/** A CA for the workers' certificates when each would otherwise make its own (TLS or impersonation without a CA or certificate given). */
async function sharedCa(options: { readonly tls?: unknown; readonly ca?: unknown; readonly impersonate?: unknown }, extraTls: boolean, commonName: string): Promise<{ ca?: Awaited<ReturnType<typeof generateCertificateAuthority>> }> {
  const ownCertificate = typeof options.tls === 'object' && options.tls !== null;
  const generate = !ownCertificate && options.ca === undefined && (options.tls === true || extraTls || (options.impersonate !== undefined && options.impersonate !== false));
  return generate ? { ca: await generateCertificateAuthority({ commonName }) } : {};
}

async function sharedApnsOptions(options: MockApnsWorkerOptions): Promise<MockApnsWorkerOptions> {
  if (options.mtls === 'apple') throw new InvalidArgumentError("mtls: 'apple' makes its CA in each worker; with workers give mtls: { ca: { cert, key } } instead");
  if (options.mtls === true && typeof options.tls === 'object' && options.tls !== null) throw new InvalidArgumentError('mtls: true with tls: { cert, key } makes a client CA in each worker; with workers give mtls: { ca: { cert, key } } instead');
  const keys = options.keys ?? [];
  const trusted = (key: ReturnType<typeof generateApnsSigningKey>) => ({ keyId: key.keyId, teamId: key.teamId, key: key.privateKey });
  return {
    ...options,
    ...(!keys.some((key) => typeof key?.key === 'string' && isPrivateKeyPem(key.key)) && { keys: [...keys, trusted(generateApnsSigningKey())] }),
    ...(await sharedCa(options, options.mtls === true, 'pushsim mock APNs CA')),
    seed: options.seed ?? randomInt(0, 2 ** 31 - 1),
  };
}

async function sharedFcmOptions(options: MockFcmWorkerOptions): Promise<MockFcmWorkerOptions> {
  // Checked here, so a bad option is one error before any worker starts.
  const resolved = resolveMockFcmOptions(options as Parameters<typeof resolveMockFcmOptions>[0]);
  return {
    ...options,
    // Every worker answers on the same port: each sets token_uri to its (the one) URL.
    serviceAccount: options.serviceAccount ?? generateServiceAccount(resolved.projectId, 'https://oauth2.googleapis.com/token'),
    accessTokenSecret: options.accessTokenSecret ?? newSharedSecret(),
    ...(await sharedCa(options, false, 'pushsim mock FCM CA')),
  };
}

async function sharedWebPushOptions(options: MockWebPushWorkerOptions): Promise<MockWebPushWorkerOptions> {
  resolveMockWebPushOptions(options as Parameters<typeof resolveMockWebPushOptions>[0]);
  return {
    ...options,
    vapid: options.vapid ?? generateVapidKeys(),
    subscriptionSecret: options.subscriptionSecret ?? newSharedSecret(),
    ...(await sharedCa(options, false, 'pushsim mock Web Push CA')),
  };
}
