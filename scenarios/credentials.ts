/**
 * The secrets of a real-provider target (config.ts ProvidersTarget), read when the run opens its
 * target and before anything is sent: each from the file the scenario names or from the
 * environment, checked for what the provider needs, and every problem a CredentialError (exit 3)
 * that names the file or variable and says what to fix. No message holds a secret: keys, passphrases
 * and service accounts are named by where they came from, never quoted.
 *
 *   APNs token         keyFile | keyEnv (PEM text) | $APNS_KEY_FILE   +  keyId | $APNS_KEY_ID, teamId | $APNS_TEAM_ID
 *   APNs certificate   certificateFile | $APNS_CERT_FILE (PKCS#12 or PEM)  +  $passphraseEnv | $APNS_CERT_PASSPHRASE
 *   FCM                serviceAccountFile | serviceAccountEnv (JSON text) | $GOOGLE_APPLICATION_CREDENTIALS (a path)
 *   Web Push           vapidFile | $VAPID_PUBLIC_KEY + $VAPID_PRIVATE_KEY (+ $VAPID_SUBJECT)
 */
import { createPrivateKey } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createSecureContext as tlsContext } from 'node:tls';
import { CredentialError, InvalidConfigError } from '../core/errors.js';
import { formatBytes, readTextFile, MiB } from '../core/files.js';
import { fileLimits } from '../core/limits.js';
import { certificateProblem } from '../core/pem.js';
import { isSystemError, pathProblem } from '../core/system-errors.js';
import { assertAppleIds, type ApnsTokenCredentials } from '../sender/auth/apns-token.js';
import type { ServiceAccount } from '../sender/auth/google-oauth.js';
import { vapidPairProblem, type VapidCredentials } from '../sender/auth/vapid.js';
import type { WebPushSubscription } from '../sender/providers/webpush.js';
import { apnsOrigin, type ApnsProviderTarget, type FcmProviderTarget, type WebPushProviderTarget } from './config.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The environment variables read when a scenario leaves a secret out (docs/targets.md). */
export const credentialEnv = {
  apnsKeyFile: 'APNS_KEY_FILE',
  apnsKeyId: 'APNS_KEY_ID',
  apnsTeamId: 'APNS_TEAM_ID',
  apnsCertFile: 'APNS_CERT_FILE',
  apnsCertPassphrase: 'APNS_CERT_PASSPHRASE',
  googleCredentials: 'GOOGLE_APPLICATION_CREDENTIALS',
  vapidPublicKey: 'VAPID_PUBLIC_KEY',
  vapidPrivateKey: 'VAPID_PRIVATE_KEY',
  vapidSubject: 'VAPID_SUBJECT',
} as const;

/** The mock Web Push service makes at most 100,000 subscriptions; a file of them is ~300 bytes each. */
export const subscriptionLimits = { count: 100_000, fileBytes: 64 * MiB } as const;

export type ApnsAuth =
  | { readonly kind: 'token'; readonly credentials: ApnsTokenCredentials; readonly from: string }
  | { readonly kind: 'certificate'; readonly tls: { readonly pfx?: Buffer; readonly cert?: string; readonly key?: string; readonly passphrase?: string }; readonly from: string };

/** A secret's text from a file, or from an environment variable; `what` names it in messages. */
async function secretText(source: { file?: string | undefined; env?: string | undefined }, env: Env, what: string, fix: string): Promise<{ text: string; from: string }> {
  if (source.file !== undefined) {
    const read = await readTextFile(source.file, fileLimits.credential);
    if (read.problem !== undefined) throw new CredentialError(`the ${what} file ${source.file} ${read.problem}; ${fix}`);
    return { text: read.text, from: `the ${what} file ${source.file}` };
  }
  const name = source.env as string;
  const text = env[name];
  if (text === undefined || text.trim() === '') throw new CredentialError(`the environment variable ${name} (the ${what}) is ${text === undefined ? 'not set' : 'empty'}; ${fix}`);
  return { text, from: `the ${what} in $${name}` };
}

/** A binary file of at most `maxBytes` (a PKCS#12 bundle is binary). */
async function readBytes(path: string, maxBytes: number): Promise<{ bytes: Buffer; problem?: undefined } | { problem: string }> {
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) return { problem: 'is a directory; give the path of a file' };
    if (!stats.isFile()) return { problem: 'is not a regular file; give the path of a file' };
    if (stats.size > maxBytes) return { problem: `is ${stats.size} bytes; the limit is ${formatBytes(maxBytes)}` };
    return { bytes: await readFile(path) };
  } catch (error) {
    return { problem: isSystemError(error) ? pathProblem(error) : `cannot be read: ${(error as Error).message}` };
  }
}

/** An APNs id from the scenario or the environment, and how to name where it came from. */
function required(value: string | undefined, env: Env, variable: string, field: string): { value: string; name: string } {
  const resolved = value ?? env[variable];
  if (resolved === undefined || resolved.trim() === '') throw new CredentialError(`target.apns.${field} is not given and the environment variable ${variable} is ${resolved === undefined ? 'not set' : 'empty'}; set one of them (it is in your Apple developer account, next to the key)`);
  return { value: resolved.trim(), name: value === undefined ? `$${variable}` : `target.apns.${field}` };
}

/** APNs token or certificate auth: certificate when the scenario names a certificate (or only $APNS_CERT_FILE is set). */
export async function loadApnsAuth(target: ApnsProviderTarget, env: Env): Promise<ApnsAuth> {
  const tokenNamed = target.keyFile !== undefined || target.keyEnv !== undefined;
  const certificateFile = target.certificateFile ?? (tokenNamed || env[credentialEnv.apnsKeyFile] !== undefined ? undefined : env[credentialEnv.apnsCertFile]);
  if (certificateFile !== undefined) return loadApnsCertificate(certificateFile, target.passphraseEnv ?? credentialEnv.apnsCertPassphrase, target.passphraseEnv !== undefined, env);
  const keyFile = target.keyFile ?? (target.keyEnv === undefined ? env[credentialEnv.apnsKeyFile] : undefined);
  if (keyFile === undefined && target.keyEnv === undefined) {
    throw new CredentialError(
      `target.apns has no credentials: set keyFile (token auth, a .p8 file) or certificateFile (a .p12), or the environment variable ${credentialEnv.apnsKeyFile} (with ${credentialEnv.apnsKeyId} and ${credentialEnv.apnsTeamId}) or ${credentialEnv.apnsCertFile}`,
    );
  }
  const { text, from } = await secretText({ file: keyFile, env: target.keyEnv }, env, 'APNs signing key', 'give the .p8 key Apple let you download (target.apns.keyFile, keyEnv or $APNS_KEY_FILE)');
  try {
    const key = createPrivateKey(text);
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('not a P-256 EC key');
  } catch {
    throw new CredentialError(`${from} is not an APNs signing key (a PEM "PRIVATE KEY" on the P-256 curve, as in AuthKey_KEYID.p8); give the .p8 file Apple let you download`);
  }
  const keyId = required(target.keyId, env, credentialEnv.apnsKeyId, 'keyId');
  const teamId = required(target.teamId, env, credentialEnv.apnsTeamId, 'teamId');
  const credentials = { keyId: keyId.value, teamId: teamId.value, privateKey: text };
  assertAppleIds(credentials, apnsOrigin(target.url), { keyId: keyId.name, teamId: teamId.name });
  return { kind: 'token', credentials, from };
}

async function loadApnsCertificate(file: string, passphraseVariable: string, passphraseNamed: boolean, env: Env): Promise<ApnsAuth> {
  const passphrase = env[passphraseVariable];
  if (passphraseNamed && passphrase === undefined) throw new CredentialError(`the environment variable ${passphraseVariable} (the passphrase of ${file}, target.apns.passphraseEnv) is not set; export it, or drop passphraseEnv for a certificate without one`);
  const read = await readBytes(file, fileLimits.credential);
  if (read.problem !== undefined) throw new CredentialError(`the APNs certificate file ${file} ${read.problem}; give the .p12 (or PEM) certificate of your app's push service (target.apns.certificateFile or $APNS_CERT_FILE)`);
  const text = read.bytes.toString('utf8');
  const pem = text.includes('-----BEGIN');
  // A PEM file holds both: its certificate blocks, and its one private key (encrypted or not).
  const certificates = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)?.join('\n') ?? '';
  const key = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/.exec(text)?.[0];
  if (pem && certificateProblem(certificates) !== undefined) {
    throw new CredentialError(`the APNs certificate file ${file} has no readable certificate; give a PEM file with the certificate and its private key, or the .p12 file Keychain exported`);
  }
  if (pem && key === undefined) throw new CredentialError(`the APNs certificate file ${file} has the certificate but no private key; put the key's PEM block in the same file, or export both from Keychain as .p12`);
  const tls = pem
    ? { cert: certificates, key: key as string, ...(passphrase !== undefined && { passphrase }) }
    : { pfx: read.bytes, ...(passphrase !== undefined && { passphrase }) };
  try {
    tlsContext(tls);
  } catch (error) {
    const message = (error as Error).message;
    const wrongPassphrase = /mac verify|bad decrypt|passphrase|decrypt/i.test(message);
    throw new CredentialError(
      wrongPassphrase
        ? `the APNs certificate file ${file} cannot be opened with the passphrase in $${passphraseVariable}${passphrase === undefined ? ' (not set)' : ''}: set it to the passphrase you exported the certificate with`
        : `the APNs certificate file ${file} is not a usable ${pem ? 'PEM certificate and private key' : 'PKCS#12 (.p12) bundle'} (${message}); export the certificate and its key from Keychain as .p12`,
    );
  }
  return { kind: 'certificate', tls, from: `the APNs certificate file ${file}` };
}

/** The service account FCM authenticates with, its token endpoint replaced by `tokenUrl` when given. */
export async function loadServiceAccount(target: FcmProviderTarget, env: Env): Promise<ServiceAccount> {
  const file = target.serviceAccountFile ?? (target.serviceAccountEnv === undefined ? env[credentialEnv.googleCredentials] : undefined);
  if (file === undefined && target.serviceAccountEnv === undefined) {
    throw new CredentialError(`target.fcm has no service account: set target.fcm.serviceAccountFile, or the environment variable ${credentialEnv.googleCredentials} to the path of the JSON key (Firebase console → Project settings → Service accounts → Generate new private key)`);
  }
  const source = file === undefined ? { env: target.serviceAccountEnv } : { file };
  const { text, from } = await secretText(source, env, 'service account', `set ${file === undefined ? `$${target.serviceAccountEnv}` : 'target.fcm.serviceAccountFile or $GOOGLE_APPLICATION_CREDENTIALS'} to the service-account JSON key`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CredentialError(`${from} is not JSON; give the service-account key file the Firebase console generated`);
  }
  const account = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const missing = ['client_email', 'private_key'].filter((field) => typeof account[field] !== 'string' || account[field] === '');
  if (target.projectId === undefined && (typeof account['project_id'] !== 'string' || account['project_id'] === '')) missing.push('project_id (or set target.fcm.projectId)');
  if (missing.length > 0) throw new CredentialError(`${from} is not a service-account key: it has no ${missing.join(', ')}; give the JSON key of a service account (its "type" is "service_account")`);
  try {
    createPrivateKey(account['private_key'] as string);
  } catch {
    throw new CredentialError(`${from}: its private_key is not a PEM private key; download a new key for the service account`);
  }
  return {
    client_email: account['client_email'] as string,
    private_key: account['private_key'] as string,
    project_id: target.projectId ?? (account['project_id'] as string),
    ...(typeof account['private_key_id'] === 'string' && { private_key_id: account['private_key_id'] }),
    ...((target.tokenUrl ?? account['token_uri']) !== undefined && { token_uri: (target.tokenUrl ?? account['token_uri']) as string }),
  };
}

/** The VAPID key pair and contact, from `vapidFile` or the environment. */
export async function loadVapid(target: WebPushProviderTarget, env: Env): Promise<VapidCredentials> {
  let publicKey: unknown;
  let privateKey: unknown;
  let subject: unknown;
  let from: string;
  if (target.vapidFile !== undefined) {
    const { text } = await secretText({ file: target.vapidFile }, env, 'VAPID key', 'give a JSON file { "publicKey", "privateKey", "subject" } (web-push generate-vapid-keys --json gives the keys)');
    from = `the VAPID key file ${target.vapidFile}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CredentialError(`${from} is not JSON; give { "publicKey": "…", "privateKey": "…", "subject": "mailto:you@example.com" }`);
    }
    ({ publicKey, privateKey, subject } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>);
  } else {
    from = `$${credentialEnv.vapidPublicKey} and $${credentialEnv.vapidPrivateKey}`;
    publicKey = env[credentialEnv.vapidPublicKey];
    privateKey = env[credentialEnv.vapidPrivateKey];
    subject = env[credentialEnv.vapidSubject];
    const unset = [credentialEnv.vapidPublicKey, credentialEnv.vapidPrivateKey].filter((name) => env[name] === undefined || env[name] === '');
    if (unset.length > 0) throw new CredentialError(`target.webpush has no VAPID keys: set target.webpush.vapidFile, or the environment variable(s) ${unset.join(' and ')} (base64url, as web-push generate-vapid-keys prints them)`);
  }
  subject = target.subject ?? subject ?? env[credentialEnv.vapidSubject];
  const bytes = (value: unknown): number => (typeof value === 'string' && /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64url').length : -1);
  if (bytes(publicKey) !== 65) throw new CredentialError(`${from}: the VAPID public key is not an uncompressed P-256 point (65 bytes, base64url)`);
  if (bytes(privateKey) !== 32) throw new CredentialError(`${from}: the VAPID private key is not 32 bytes of base64url`);
  const pair = vapidPairProblem(Buffer.from(publicKey as string, 'base64url'), Buffer.from(privateKey as string, 'base64url'));
  if (pair !== undefined) throw new CredentialError(`${from}: the VAPID ${pair}`);
  if (typeof subject !== 'string' || !/^(mailto:|https:)/.test(subject)) {
    throw new CredentialError(`${from}: the VAPID subject is ${subject === undefined ? 'missing' : 'not a mailto: or https: URL'}; set target.webpush.subject (or $${credentialEnv.vapidSubject}) to a contact such as mailto:ops@example.com (RFC 8292 §2.1)`);
  }
  return { publicKey: publicKey as string, privateKey: privateKey as string, subject };
}

/** The subscriptions to push to (a JSON list, as PushSubscription.toJSON() gives each); a broken one is named by its index. */
export async function loadSubscriptions(file: string): Promise<WebPushSubscription[]> {
  const read = await readTextFile(file, subscriptionLimits.fileBytes);
  if (read.problem !== undefined) throw new InvalidConfigError(file, [`the subscriptions file ${read.problem}; give target.webpush.subscriptionsFile a JSON list of push subscriptions`]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.text);
  } catch (error) {
    throw new InvalidConfigError(file, [`is not JSON (${(error as Error).message}); give a list of subscriptions: [{ "endpoint": "https://…", "keys": { "p256dh": "…", "auth": "…" } }]`]);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new InvalidConfigError(file, ['must be a non-empty JSON list of subscriptions: [{ "endpoint": "https://…", "keys": { "p256dh": "…", "auth": "…" } }]']);
  if (parsed.length > subscriptionLimits.count) throw new InvalidConfigError(file, [`holds ${parsed.length} subscriptions; at most ${subscriptionLimits.count}`]);
  const problems: string[] = [];
  parsed.forEach((entry: unknown, i) => {
    const s = entry as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } } | null;
    if (!isHttpUrl(s?.endpoint)) problems.push(`[${i}].endpoint must be the subscription's https URL`);
    else if (typeof s?.keys?.p256dh !== 'string' || typeof s.keys.auth !== 'string') problems.push(`[${i}].keys must hold p256dh and auth (base64url), as PushSubscription.toJSON() gives them`);
  });
  if (problems.length > 0) throw new InvalidConfigError(file, problems);
  return (parsed as WebPushSubscription[]).map((s) => ({ endpoint: s.endpoint, keys: { p256dh: s.keys.p256dh, auth: s.keys.auth } }));
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}
