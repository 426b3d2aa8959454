/**
 * Impersonation: a mock can serve a certificate valid for the real provider's host names, signed
 * by a CA the client trusts, so that code which hard-codes `api.push.apple.com` or
 * `fcm.googleapis.com` (firebase-admin, node-apn, apns2, Pushy) reaches the mock unmodified — sent
 * there by the redirect module (`node --import pushsim/redirect`) or a hosts-file entry, and trusting
 * the CA through NODE_EXTRA_CA_CERTS, SSL_CERT_FILE or a Java truststore (README, "Test your own app").
 *
 *   impersonate: true              the provider's names below
 *   impersonate: ['push.example']  these names instead
 *   ca: { cert, key }              sign with this CA (one your trust store already has); else a new one
 */
import { InvalidArgumentError } from '../core/errors.js';
import { defaultServerHosts, type PemKeyPair } from './tls.js';

/**
 * The providers' own host names (protocols.md §1.1, §2.1, §2.2, §3): APNs production, sandbox and
 * the older sandbox alias; FCM's send endpoint and Google's OAuth token endpoint (served by the same
 * mock); the Web Push services of Chrome (FCM), Firefox (Mozilla autopush), Edge (WNS) and Safari.
 */
export const providerHosts = {
  apns: ['api.push.apple.com', 'api.sandbox.push.apple.com', 'api.development.push.apple.com'],
  fcm: ['fcm.googleapis.com', 'oauth2.googleapis.com'],
  webpush: ['updates.push.services.mozilla.com', 'fcm.googleapis.com', '*.notify.windows.com', 'web.push.apple.com'],
} as const satisfies Record<string, readonly string[]>;

export type ImpersonatedProvider = keyof typeof providerHosts;

/** The `impersonate` and `ca` options every mock takes. */
export interface ImpersonationOptions {
  /**
   * Also serve a certificate valid for the provider's real host names (`true`), or for the names
   * given; implies `tls`. @default false
   */
  readonly impersonate?: boolean | readonly string[];
  /** The CA (certificate and key, PEM) that signs the generated server certificate; a new one when absent. */
  readonly ca?: PemKeyPair;
}

export const impersonationOptionNames: readonly string[] = ['impersonate', 'ca'];

export interface ResolvedImpersonation {
  /** Host names beyond the loopback ones the certificate covers; empty without impersonation. */
  readonly hosts: readonly string[];
  readonly ca: PemKeyPair | undefined;
  /** True when the mock must generate its server certificate (impersonation or a CA given). */
  readonly generate: boolean;
}

const hostName = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Checks `impersonate` and `ca` against the mock's `tls` option: impersonation needs a certificate
 * the mock generates, so it turns `tls` on and cannot go with `tls: false` or a certificate of your own.
 */
export function resolveImpersonation(provider: ImpersonatedProvider, options: ImpersonationOptions & { readonly tls?: unknown }): ResolvedImpersonation {
  const { impersonate, ca } = options;
  let hosts: readonly string[] = [];
  if (impersonate === true) hosts = providerHosts[provider];
  else if (Array.isArray(impersonate)) {
    const names = impersonate as readonly unknown[];
    const bad = names.filter((name) => typeof name !== 'string' || !hostName.test(name));
    if (names.length === 0 || bad.length > 0) {
      throw new InvalidArgumentError(`impersonate must be true or a non-empty list of host names (e.g. ['${providerHosts[provider][0]}']), got ${JSON.stringify(impersonate)}`);
    }
    hosts = names as string[];
  } else if (impersonate !== undefined && impersonate !== false) {
    throw new InvalidArgumentError(`impersonate must be true, false or a list of host names, got ${String(impersonate)}`);
  }
  if (ca !== undefined && (typeof ca !== 'object' || ca === null || typeof ca.cert !== 'string' || typeof ca.key !== 'string')) {
    throw new InvalidArgumentError('ca must be { cert, key } with PEM strings (generateCertificateAuthority() makes one)');
  }
  const generate = hosts.length > 0 || ca !== undefined;
  const what = hosts.length > 0 ? 'impersonate' : 'ca';
  if (generate && options.tls === false) throw new InvalidArgumentError(`${what} needs TLS: drop tls: false (${what} turns TLS on)`);
  if (generate && typeof options.tls === 'object' && options.tls !== null) {
    throw new InvalidArgumentError(`${what} is for the certificate the mock generates: give either tls: { cert, key } or ${what}, not both`);
  }
  return { hosts, ca, generate };
}

/** Names a generated certificate covers: the loopback names, the listen host, and the impersonated names. */
export function serverHosts(listenHost: string, impersonated: readonly string[] = []): string[] {
  const unspecified = listenHost === '0.0.0.0' || listenHost === '::';
  const listen = unspecified || defaultServerHosts.includes(listenHost) ? [] : [listenHost.replace(/^\[|\]$/g, '')];
  return [...new Set([...defaultServerHosts, ...listen, ...impersonated])];
}

