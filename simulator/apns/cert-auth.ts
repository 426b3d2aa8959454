/**
 * Certificate-based auth (protocols.md §1.10, Pushy's TlsAuthenticationValidatingPushNotificationHandler
 * §5.1): the client presents a TLS certificate; its subject UID is the app's bundle id, and pushes
 * may go to the bundle id, `<bundle>.voip` or `<bundle>.complication` (a universal certificate);
 * any other topic → 400 BadTopic.
 *
 * The mock's rules, since Apple's checks are not public:
 *  - BadCertificate: the certificate is not signed by the CA the mock trusts, has expired or is not
 *    yet valid, or has no subject UID.
 *  - BadCertificateEnvironment: the environment marker contradicts the mock's environment. The
 *    marker is Apple's extension 1.2.840.113635.100.6.3.1 (development) and/or .2 (production) when
 *    the certificate has them (tls.ts `apple`), else the subject CN prefix, after Apple's names:
 *      "Apple Development IOS Push Services: …" or "Apple Sandbox Push Services: …"  → sandbox only
 *      "Apple Production IOS Push Services: …"                                       → production only
 *      anything else (e.g. "Apple Push Services: …", a universal certificate)        → both
 * A connection whose certificate fails answers every push with that reason (403), so clients see
 * it in APNs framing rather than as a failed handshake.
 */
import type { TLSSocket } from 'node:tls';
import { clientCertificateNamePrefixes } from '../tls.js';
import type { Authenticate } from './token-auth.js';

export type ApnsEnvironment = 'sandbox' | 'production';
export type CertificateEnvironment = ApnsEnvironment | 'both';

export type CertificateIdentity =
  | { readonly ok: true; readonly bundleId: string; readonly environment: CertificateEnvironment }
  | { readonly ok: false; readonly reason: 'BadCertificate' | 'BadCertificateEnvironment' };

/** The environment a certificate's subject CN marks, by the rule above. */
export function certificateEnvironment(commonName: string | undefined): CertificateEnvironment {
  if (commonName === undefined) return 'both';
  if (commonName.startsWith(clientCertificateNamePrefixes.sandbox) || commonName.startsWith('Apple Sandbox Push Services')) return 'sandbox';
  if (commonName.startsWith(clientCertificateNamePrefixes.production)) return 'production';
  return 'both';
}

/** undefined when the client sent no certificate (the connection uses token auth). */
export function identifyClientCertificate(socket: TLSSocket, environment: ApnsEnvironment): CertificateIdentity | undefined {
  const cert = socket.getPeerCertificate();
  if (cert === null || typeof cert !== 'object' || Object.keys(cert).length === 0) return undefined;
  // rejectUnauthorized is off so that a bad certificate gets an APNs answer; `authorized` still
  // says whether it chains to the trusted CA and is within its validity period.
  if (!socket.authorized) return { ok: false, reason: 'BadCertificate' };
  const subject = cert.subject as unknown as Record<string, string | string[] | undefined> | undefined;
  const uid = subject?.['UID'];
  if (typeof uid !== 'string' || uid === '') return { ok: false, reason: 'BadCertificate' };
  const cn = subject?.['CN'];
  const marked = appleEnvironment(cert.raw) ?? certificateEnvironment(typeof cn === 'string' ? cn : undefined);
  if (marked !== 'both' && marked !== environment) return { ok: false, reason: 'BadCertificateEnvironment' };
  return { ok: true, bundleId: uid, environment: marked };
}

/** DER of the OIDs 1.2.840.113635.100.6.3.1 and .2 (tag, length, value). */
const developmentOid = Buffer.from('060a2a864886f76364060301', 'hex');
const productionOid = Buffer.from('060a2a864886f76364060302', 'hex');

/** The environment Apple's extensions mark, or undefined when the certificate has neither. */
export function appleEnvironment(der: Buffer | undefined): CertificateEnvironment | undefined {
  if (der === undefined) return undefined;
  const development = der.includes(developmentOid);
  const production = der.includes(productionOid);
  if (development && production) return 'both';
  if (development) return 'sandbox';
  return production ? 'production' : undefined;
}

export function createCertificateAuthenticator(identity: CertificateIdentity): Authenticate {
  if (!identity.ok) {
    const { reason } = identity;
    return () => reason;
  }
  const allowed = new Set([identity.bundleId, `${identity.bundleId}.voip`, `${identity.bundleId}.complication`]);
  return (_authorization, topic) => (allowed.has(topic) ? undefined : 'BadTopic');
}
