/**
 * Certificates the mock needs at start: its server certificate (TLS, protocols.md §1.1) and, for
 * certificate-based auth (§1.10), the CA it trusts for client certificates plus a ready client
 * certificate for `bundleId`. When the mock generates both, one CA signs everything, so a client
 * trusts `MockApns.ca` and presents `MockApns.clientCertificate`.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { serverHosts } from '../impersonate.js';
import { generateCertificateAuthority, generateClientCertificate, generateServerCertificate, type ClientCertificateOptions, type PemKeyPair } from '../tls.js';
import type { MockApnsTlsMaterial, ResolvedMockApnsOptions } from './options.js';

/** A client certificate for certificate-based auth, ready for `http2.connect(url, { cert, key, ca })`. */
export interface ApnsClientCertificate extends PemKeyPair {
  /** The certificate's subject UID: the topic (bundle id) it may push to. */
  readonly bundleId: string;
}

export interface MockTlsMaterial {
  readonly server: MockApnsTlsMaterial | undefined;
  /** PEM of the CA whose client certificates are trusted; undefined without mtls. */
  readonly clientCa: string | undefined;
  readonly clientCertificate: ApnsClientCertificate | undefined;
  /** Issues more client certificates; undefined when the CA's key is unknown. */
  readonly issue: ((options: ClientCertificateOptions) => Promise<PemKeyPair>) | undefined;
}

export async function prepareTlsMaterial(resolved: ResolvedMockApnsOptions): Promise<MockTlsMaterial> {
  if (resolved.tls === false) return { server: undefined, clientCa: undefined, clientCertificate: undefined, issue: undefined };
  const generate = resolved.tls === 'generate' || resolved.mtls === 'generate';
  const sharedCa = generate ? (resolved.impersonation.ca ?? (await generateCertificateAuthority({ commonName: 'pushsim mock APNs CA' }))) : undefined;
  const server =
    resolved.tls === 'generate' && sharedCa !== undefined
      ? await generateServerCertificate({ hosts: serverHosts(resolved.host, resolved.impersonation.hosts), ca: sharedCa })
      : (resolved.tls as MockApnsTlsMaterial);
  if (resolved.mtls === false) return { server, clientCa: undefined, clientCertificate: undefined, issue: undefined };

  // 'apple': client certificates come from an RSA CA, as Apple's WWDR CA is, shaped like Apple's (tls.ts `apple`).
  const apple = resolved.mtls === 'apple';
  const ca = resolved.mtls === 'generate' ? sharedCa : apple ? await generateCertificateAuthority({ commonName: 'pushsim Apple-like client CA', rsa: true }) : resolved.mtls.ca;
  if (ca === undefined) throw new InvalidArgumentError('mtls: no CA to trust for client certificates');
  const caKey = ca.key;
  const issue =
    caKey === undefined ? undefined : (options: ClientCertificateOptions) => generateClientCertificate({ cert: ca.cert, key: caKey }, apple ? { apple, ...options } : options);
  const clientCertificate = issue === undefined ? undefined : { ...(await issue({ uid: resolved.bundleId })), bundleId: resolved.bundleId };
  return { server, clientCa: ca.cert, clientCertificate, issue };
}

