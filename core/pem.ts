/**
 * Checks that text a user gave as a CA or certificate file is one: PEM `CERTIFICATE` blocks that
 * parse as X.509. An empty file, random bytes or a private key given by mistake would otherwise be
 * accepted and fail later as an opaque TLS error (or, for a key, be sent where a CA belongs).
 */
import { X509Certificate } from 'node:crypto';

const block = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** What is wrong with `pem` as certificates, or undefined when every block is a parseable certificate. */
export function certificateProblem(pem: string): string | undefined {
  if (pem.trim() === '') return 'is empty; give a PEM file with -----BEGIN CERTIFICATE----- blocks';
  const blocks = [...pem.matchAll(block)];
  if (blocks.some((m) => (m[1] ?? '').includes('PRIVATE KEY'))) return 'holds a private key, not a certificate: give the CA certificate (never a key) here';
  const certificates = blocks.filter((m) => m[1] === 'CERTIFICATE');
  if (certificates.length === 0) return 'is not a PEM certificate (no -----BEGIN CERTIFICATE----- block)';
  for (const [index, m] of certificates.entries()) {
    try {
      new X509Certificate(m[0]);
    } catch (error) {
      return `certificate ${index + 1} does not parse as X.509 (${(error as Error).message})`;
    }
  }
  return undefined;
}
