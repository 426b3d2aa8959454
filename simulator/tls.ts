/**
 * Certificates made at runtime, so the mock can speak TLS (APNs is h2 over TLS only, protocols.md
 * §1.1) without key files in the repository. Everything is EC P-256 / ECDSA-SHA256, signed by a
 * throw-away CA that the client is told to trust (`ca` option of tls/http2 `connect`).
 *
 * @peculiar/x509 is loaded lazily: it needs the `reflect-metadata` polyfill (its dependency tsyringe
 * throws at import without one) and costs ~100 ms to import, which only TLS users should pay.
 */
import { isIP } from 'node:net';
import { randomBytes, webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';
import { InvalidArgumentError, assertInteger } from '../core/errors.js';

/** A certificate and its private key, both PEM (key in PKCS#8). */
export interface PemKeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface ServerCertificate extends PemKeyPair {
  /** PEM of the CA that signed `cert`: what a client passes as `ca` to trust the server. */
  readonly ca: string;
}

export interface ServerCertificateOptions {
  /** Signs the certificate; a fresh CA is generated when absent. */
  readonly ca?: PemKeyPair;
  /** DNS names and IP addresses the certificate is valid for (IPs become IP SANs, which Node checks when connecting by address). */
  readonly hosts?: readonly string[];
  readonly validityDays?: number;
}

export interface ClientCertificateOptions {
  /** Subject UID: for an APNs provider certificate, the app's bundle id (protocols.md §1.10). */
  readonly uid: string;
  /**
   * The environment the certificate is marked for, through its subject CN as Apple names them
   * (apns/cert-auth.ts): 'sandbox' → "Apple Development IOS Push Services: <uid>", 'production' →
   * "Apple Production IOS Push Services: <uid>", 'both' (default) → "Apple Push Services: <uid>".
   * Ignored when `commonName` is given.
   */
  readonly environment?: 'sandbox' | 'production' | 'both';
  readonly commonName?: string;
  readonly validityDays?: number;
  /** Make a certificate that expired yesterday (to test BadCertificate). */
  readonly expired?: boolean;
  /**
   * Shaped like Apple's APNs certificates, so a client's own checks of them run (node-apn reads the
   * environment from them): an RSA 2048 key, and Apple's extensions — 1.2.840.113635.100.6.3.1
   * (development) and/or .2 (production) by `environment`, and for 'both' (a universal certificate)
   * 1.2.840.113635.100.6.3.6 listing the topics `uid`, `uid.voip`, `uid.complication`. A client
   * that checks the signature algorithm too needs the CA to be RSA (`generateCertificateAuthority({ rsa: true })`).
   */
  readonly apple?: boolean;
}

/** Apple's APNs certificate extensions (the WWDR certificate policy; @parse/node-apn lib/credentials/certificate/oids.js). */
export const appleCertificateOids = {
  development: '1.2.840.113635.100.6.3.1',
  production: '1.2.840.113635.100.6.3.2',
  topics: '1.2.840.113635.100.6.3.6',
} as const;

/** Subject CN prefixes of Apple's APNs certificates per environment (apns/cert-auth.ts reads them back). */
export const clientCertificateNamePrefixes = {
  sandbox: 'Apple Development IOS Push Services',
  production: 'Apple Production IOS Push Services',
  both: 'Apple Push Services',
} as const;

export const defaultServerHosts: readonly string[] = ['localhost', '127.0.0.1', '::1'];

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
type KeyAlgorithm = typeof ecdsa | typeof rsa;
// x509's Name parser does not know "UID" (RFC 4519 userid); give it the OID.
const uidOid = '0.9.2342.19200300.100.1.1';
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

let x509Module: Promise<typeof X509> | undefined;
function loadX509(): Promise<typeof X509> {
  x509Module ??= import('reflect-metadata').then(() => import('@peculiar/x509'));
  return x509Module;
}

/** `rsa`: an RSA 2048 CA (as Apple's WWDR CA is), for clients that check the signature algorithm of Apple-shaped certificates. */
export async function generateCertificateAuthority(options: { commonName?: string; validityDays?: number; rsa?: boolean } = {}): Promise<PemKeyPair> {
  const x509 = await loadX509();
  const algorithm = options.rsa === true ? rsa : ecdsa;
  const keys = await generateKeys(algorithm);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(),
      name: new x509.Name([{ CN: [options.commonName ?? 'pushsim test CA'] }]),
      ...validity(options.validityDays ?? 365),
      keys,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return { cert: cert.toString('pem'), key: await exportPrivateKey(x509, keys.privateKey) };
}

export async function generateServerCertificate(options: ServerCertificateOptions = {}): Promise<ServerCertificate> {
  const hosts = options.hosts ?? defaultServerHosts;
  if (hosts.length === 0 || hosts.some((host) => typeof host !== 'string' || host.length === 0)) {
    throw new InvalidArgumentError(`hosts must be a non-empty list of host names or IP addresses, got ${JSON.stringify(hosts)}`);
  }
  const x509 = await loadX509();
  const ca = options.ca ?? (await generateCertificateAuthority());
  const firstHost = hosts[0] ?? 'localhost';
  const cert = await issue(x509, ca, new x509.Name([{ CN: [firstHost] }]), options.validityDays ?? 30, [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(hosts.map((host) => ({ type: isIP(host) === 0 ? 'dns' : 'ip', value: host }))),
  ]);
  return { ...cert, ca: ca.cert };
}

/** A TLS client certificate, e.g. for certificate-based APNs auth (mutual TLS). */
export async function generateClientCertificate(ca: PemKeyPair, options: ClientCertificateOptions): Promise<PemKeyPair> {
  if (typeof options.uid !== 'string' || options.uid.length === 0) {
    throw new InvalidArgumentError('uid must be a non-empty string (the bundle id, e.g. com.example.app)');
  }
  const environment = options.environment ?? 'both';
  if (!Object.hasOwn(clientCertificateNamePrefixes, environment)) {
    throw new InvalidArgumentError(`environment must be 'sandbox', 'production' or 'both', got ${String(environment)}`);
  }
  const x509 = await loadX509();
  const commonName = options.commonName ?? `${clientCertificateNamePrefixes[environment]}: ${options.uid}`;
  const subject = new x509.Name([{ [uidOid]: [options.uid] }, { CN: [commonName] }]);
  const extensions: X509.Extension[] = [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])];
  if (options.apple === true) extensions.push(...appleExtensions(x509, options.uid, environment));
  return issue(x509, ca, subject, options.validityDays ?? 30, extensions, options.expired === true, options.apple === true ? rsa : ecdsa);
}

/** The environment markers (ASN.1 NULL) and, for a universal certificate, the topics extension. */
function appleExtensions(x509: typeof X509, uid: string, environment: 'sandbox' | 'production' | 'both'): X509.Extension[] {
  const none = new Uint8Array([0x05, 0x00]);
  const extensions: X509.Extension[] = [];
  if (environment !== 'production') extensions.push(new x509.Extension(appleCertificateOids.development, false, none));
  if (environment !== 'sandbox') extensions.push(new x509.Extension(appleCertificateOids.production, false, none));
  if (environment === 'both') {
    // SEQUENCE { UTF8String topic, SEQUENCE { UTF8String kind }, … } — the shape Pushy's test certificates carry.
    const topics = [[uid, 'app'], [`${uid}.voip`, 'voip'], [`${uid}.complication`, 'complication']].flatMap(([topic, kind]) => [utf8(topic as string), der(0x30, utf8(kind as string))]);
    extensions.push(new x509.Extension(appleCertificateOids.topics, false, der(0x30, Buffer.concat(topics))));
  }
  return extensions;
}

function utf8(text: string): Buffer {
  return der(0x0c, Buffer.from(text, 'utf8'));
}

/** One DER TLV (definite length, short or long form). */
function der(tag: number, content: Uint8Array): Buffer {
  const length = content.length;
  const header = length < 0x80 ? [tag, length] : length < 0x100 ? [tag, 0x81, length] : [tag, 0x82, length >> 8, length & 0xff];
  return Buffer.concat([Buffer.from(header), content]);
}

async function issue(
  x509: typeof X509,
  ca: PemKeyPair,
  subject: X509.Name,
  validityDays: number,
  extensions: readonly X509.Extension[],
  expired = false,
  keyAlgorithm: KeyAlgorithm = ecdsa,
): Promise<PemKeyPair> {
  const caCert = new x509.X509Certificate(ca.cert);
  const { key: caKey, algorithm: signingAlgorithm } = await importPrivateKey(x509, ca.key);
  const keys = await generateKeys(keyAlgorithm);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject,
      issuer: caCert.subjectName,
      ...(expired ? expiredYesterday() : validity(validityDays)),
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        ...extensions,
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
        await x509.AuthorityKeyIdentifierExtension.create(caCert, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return { cert: cert.toString('pem'), key: await exportPrivateKey(x509, keys.privateKey) };
}

function generateKeys(algorithm: KeyAlgorithm = ecdsa): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function exportPrivateKey(x509: typeof X509, key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A CA's signing key: EC P-256 (pushsim's default) or RSA (an Apple-like CA). */
async function importPrivateKey(x509: typeof X509, pem: string): Promise<{ key: CryptoKey; algorithm: KeyAlgorithm }> {
  let der: ArrayBuffer;
  try {
    der = x509.PemConverter.decodeFirst(pem);
  } catch (cause) {
    throw new InvalidArgumentError('ca.key must be a PKCS#8 PEM private key (EC P-256 or RSA)', { cause });
  }
  for (const algorithm of [ecdsa, rsa]) {
    try {
      return { key: await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']), algorithm };
    } catch {
      // not this kind of key: try the next
    }
  }
  throw new InvalidArgumentError('ca.key must be a PKCS#8 PEM private key (EC P-256 or RSA)');
}

/** Back-dated an hour so a client whose clock is a little behind still accepts the certificate. */
function validity(days: number): { notBefore: Date; notAfter: Date } {
  assertInteger('validityDays', days, 1, 3650);
  const now = Date.now();
  return { notBefore: new Date(now - hourMs), notAfter: new Date(now + days * dayMs) };
}

function expiredYesterday(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - 2 * dayMs), notAfter: new Date(now - dayMs) };
}

/** 16 random bytes, top bit cleared so the DER INTEGER stays positive (RFC 5280 §4.1.2.2). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}
