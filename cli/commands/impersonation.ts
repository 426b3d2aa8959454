/**
 * `--impersonate` of `pushsim mock apns|fcm|webpush` (and `pushsim proxy`): the CA that signs the
 * certificate for the real providers' names lives in the credentials directory — `ca.pem`, and
 * `ca-key.pem` (0600) — and is reused on the next start with the same `--credentials-dir`, so a
 * trust store (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, a Java truststore) is set up once. Then the
 * lines to paste: the environment for an unmodified Node app, and the hosts-file recipe for others.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CredentialError } from '../../core/errors.js';
import { writeFileAtomically } from '../../core/files.js';
import { newPrivateDir, prepareCredentialsDir } from '../output.js';
import { formatRedirects, redirectEnv, redirectsTo } from '../../simulator/redirect/spec.js';
import { generateCertificateAuthority, type PemKeyPair } from '../../simulator/tls.js';

export interface ImpersonationCa {
  readonly ca: PemKeyPair;
  readonly caFile: string;
  /** True when ca.pem and ca-key.pem were already there. */
  readonly reused: boolean;
}

/** Reads the CA of `dir`, or makes one and writes it there (the key owner-only). */
export async function impersonationCa(dir: string): Promise<ImpersonationCa> {
  const caFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'ca-key.pem');
  const [cert, key] = await Promise.all([readOptional(caFile), readOptional(keyFile)]);
  if (cert !== undefined && key !== undefined) return { ca: { cert, key }, caFile, reused: true };
  if (cert !== undefined || key !== undefined) {
    throw new CredentialError(`${dir} has ${cert === undefined ? 'ca-key.pem but no ca.pem' : 'ca.pem but no ca-key.pem'}: remove it, or put back the missing one, so pushsim can sign with that CA`);
  }
  const ca = await generateCertificateAuthority({ commonName: 'pushsim impersonation CA (testing only)' });
  // The key signs certificates any client trusting ca.pem accepts: owner-only, like every key pushsim writes.
  await writeFileAtomically(keyFile, ca.key, 0o600);
  await writeFileAtomically(caFile, ca.cert);
  return { ca, caFile, reused: false };
}

/** What `pushsim mock … --impersonate` prints: the exact environment and command lines to use. */
export function impersonationLines(names: readonly string[], url: string, caFile: string): string[] {
  const redirect = formatRedirects(redirectsTo(names, url));
  const { port } = new URL(url);
  const hostNames = names.filter((name) => !name.startsWith('*.'));
  return [
    `impersonating ${names.join(', ')} (certificate signed by ${caFile})`,
    'send an unmodified Node app here (README, "Test your own app"):',
    `  NODE_EXTRA_CA_CERTS=${caFile} ${redirectEnv}=${redirect} node --import ${redirectModule()} your-app.js`,
    `other languages: map the names to this address (hosts file: 127.0.0.1 ${hostNames.join(' ')}) and listen on ${port === '443' ? 'port 443' : '--port 443'}, and trust ${caFile}:`,
    `  Go: SSL_CERT_FILE=${caFile} · Java: keytool -importcert -noprompt -alias pushsim -file ${caFile} -keystore pushsim.jks -storepass changeit, then -Djavax.net.ssl.trustStore=pushsim.jks -Djavax.net.ssl.trustStorePassword=changeit`,
  ];
}

/** credentials.json's `impersonated` names and the `redirect` table (PUSHSIM_REDIRECT's value); nothing without impersonation. */
export function impersonationInfo(names: readonly string[], url: string): { impersonated?: readonly string[]; redirect?: string } {
  return names.length === 0 ? {} : { impersonated: names, redirect: formatRedirects(redirectsTo(names, url)) };
}

/** The redirect module as a path any `node --import` resolves, wherever the app's own node_modules are. */
function redirectModule(): string {
  return resolve(fileURLToPath(new URL('../../simulator/redirect/register.js', import.meta.url)));
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CredentialError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/**
 * A mock command's credentials directory, checked before the mock starts (a bad one is a usage error,
 * not a mock left listening), and with --impersonate the CA that lives in it — so with
 * --impersonate the directory is needed (a new private one under `prefix` if none was given).
 */
export async function mockCredentials(flags: { readonly credentialsDir?: string; readonly impersonate?: boolean }, prefix: string): Promise<{ dir: string | undefined; impersonation: ImpersonationCa | undefined }> {
  const given = flags.credentialsDir === undefined ? undefined : await prepareCredentialsDir(flags.credentialsDir);
  if (flags.impersonate !== true) return { dir: given, impersonation: undefined };
  const dir = given ?? (await newPrivateDir(prefix));
  return { dir, impersonation: await impersonationCa(dir) };
}
