/**
 * A real-provider target's secrets: read from files or the environment, checked for what the
 * provider needs, every problem a CredentialError that names the file or variable and never quotes
 * the secret. APNs certificate auth runs end to end against the mock APNs asking for client
 * certificates, from a PKCS#12 bundle (made by openssl, as Keychain exports one) and from PEM.
 */
import { execFileSync } from 'node:child_process';
import { createECDH } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CredentialError } from '../../core/errors.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { loadApnsAuth, loadServiceAccount, loadSubscriptions, loadVapid } from '../../scenarios/credentials.js';
import { ScenarioRun } from '../../scenarios/runner.js';
import { startMockApns, type MockApns } from '../../simulator/apns/server.js';
import { startMockFcm } from '../../simulator/fcm/index.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let dir: string;
let apns: MockApns;
const passphrase = 'correct horse';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pushsim-credentials-'));
  apns = await startMockApns({ mtls: true, bundleId: 'com.example.app' });
  const client = apns.clientCertificate as { cert: string; key: string };
  await writeFile(join(dir, 'client.pem'), `${client.cert}\n${client.key}`, { mode: 0o600 });
  await writeFile(join(dir, 'cert.pem'), client.cert);
  await writeFile(join(dir, 'key.pem'), client.key, { mode: 0o600 });
  await writeFile(join(dir, 'ca.pem'), apns.ca as string);
  execFileSync('openssl', ['pkcs12', '-export', '-in', join(dir, 'cert.pem'), '-inkey', join(dir, 'key.pem'), '-out', join(dir, 'client.p12'), '-passout', `pass:${passphrase}`]);
});

afterAll(async () => {
  await apns?.close();
});

/** A VAPID key pair made together, its private half padded to 32 bytes (getPrivateKey drops leading zeros). */
function vapidPair(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const raw = ecdh.getPrivateKey();
  return { publicKey: ecdh.getPublicKey('base64url'), privateKey: Buffer.concat([Buffer.alloc(32 - raw.length), raw]).toString('base64url') };
}

const message = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialError);
  return (error as Error).message;
};

describe('APNs credentials', () => {
  it('certificate auth from a PKCS#12 bundle with its passphrase from the environment, and from PEM, sends and is accepted', async () => {
    const small = (certificateFile: string): ScenarioConfig => ({
      ...defaultScenario,
      target: { kind: 'providers', apns: { url: apns.url, certificateFile, caFile: join(dir, 'ca.pem') } },
      notification: { ...defaultScenario.notification, topic: 'com.example.app' },
      load: { executor: 'constant-arrival-rate', rate: 200, count: 10 },
      tokens: { ...defaultScenario.tokens, count: 5 },
      warmup: 0,
    });
    const p12 = await new ScenarioRun(small(join(dir, 'client.p12')), { env: { APNS_CERT_PASSPHRASE: passphrase } }).execute();
    expect(p12.counts.accepted).toBe(10);
    const pem = await new ScenarioRun(small(join(dir, 'client.pem')), { env: {} }).execute();
    expect(pem.counts.accepted).toBe(10);
  });

  it('a wrong or missing passphrase, a file that is no certificate: named, with what to do', async () => {
    expect(await message(loadApnsAuth({ certificateFile: join(dir, 'client.p12') }, { APNS_CERT_PASSPHRASE: 'wrong' }))).toMatch(/client\.p12 cannot be opened with the passphrase in \$APNS_CERT_PASSPHRASE/);
    expect(await message(loadApnsAuth({ certificateFile: join(dir, 'client.p12'), passphraseEnv: 'MY_PASS' }, {}))).toMatch(/MY_PASS .* is not set/);
    expect(await message(loadApnsAuth({ certificateFile: join(dir, 'key.pem') }, {}))).toMatch(/key\.pem has no readable certificate/);
    expect(await message(loadApnsAuth({ certificateFile: join(dir, 'cert.pem') }, {}))).toMatch(/cert\.pem has the certificate but no private key/);
    const noSecret = await message(loadApnsAuth({ certificateFile: join(dir, 'client.p12') }, { APNS_CERT_PASSPHRASE: 'wrong' }));
    expect(noSecret).not.toContain('wrong');
  });

  it('token auth: the key from a file or a variable, its ids from the scenario or the environment', async () => {
    const key = apns.credentials.privateKey;
    await writeFile(join(dir, 'AuthKey.p8'), key, { mode: 0o600 });
    const fromEnv = await loadApnsAuth({}, { APNS_KEY_FILE: join(dir, 'AuthKey.p8'), APNS_KEY_ID: 'KEY1234567', APNS_TEAM_ID: 'TEAM123456' });
    expect(fromEnv).toMatchObject({ kind: 'token', credentials: { keyId: 'KEY1234567', teamId: 'TEAM123456', privateKey: key } });
    const fromVariable = await loadApnsAuth({ keyEnv: 'CI_APNS_KEY', keyId: 'KEY2345678', teamId: 'TEAM234567' }, { CI_APNS_KEY: key });
    expect(fromVariable).toMatchObject({ kind: 'token', credentials: { keyId: 'KEY2345678', teamId: 'TEAM234567' } });
    expect(await message(loadApnsAuth({}, {}))).toMatch(/target\.apns has no credentials: set keyFile .* APNS_KEY_FILE/);
    expect(await message(loadApnsAuth({ keyEnv: 'CI_APNS_KEY' }, {}))).toMatch(/CI_APNS_KEY \(the APNs signing key\) is not set/);
    // An RSA key is a private key, but not an APNs one.
    await writeFile(join(dir, 'rsa.p8'), (await startMockFcm().then(async (fcm) => (await fcm.close(), fcm.serviceAccount.private_key))));
    expect(await message(loadApnsAuth({ keyFile: join(dir, 'rsa.p8'), keyId: 'K', teamId: 'T' }, {}))).toMatch(/rsa\.p8 is not an APNs signing key .*P-256/);
  });

  it('a key or team id Apple cannot have issued (not 10 characters) is refused before anything is sent when the target is Apple, named by where it came from', async () => {
    const keyFile = join(dir, 'AuthKey.p8');
    await writeFile(keyFile, apns.credentials.privateKey, { mode: 0o600 });
    expect(await message(loadApnsAuth({}, { APNS_KEY_FILE: keyFile, APNS_KEY_ID: 'K1', APNS_TEAM_ID: 'TEAM123456' }))).toMatch(/^\$APNS_KEY_ID "K1" is 2 characters long: Apple's key ids are 10 characters .*Key ID shown next to the key/);
    expect(await message(loadApnsAuth({ keyFile, url: 'production', keyId: 'KEY1234567', teamId: 'TEAM12345678' }, {}))).toMatch(/^target\.apns\.teamId "TEAM12345678" is 12 characters long: Apple's team ids are 10/);
    // A mock (or a proxy in front of one) on this machine knows its own ids: the mock answers an unknown one as APNs would.
    expect(await loadApnsAuth({ keyFile, url: apns.url, keyId: 'K1', teamId: 'T1' }, {})).toMatchObject({ credentials: { keyId: 'K1', teamId: 'T1' } });
  });
});

describe('FCM, Web Push credentials and subscriptions', () => {
  it('a service account from a variable holding its JSON, with the project and token endpoint overridden', async () => {
    const fcm = await startMockFcm();
    await fcm.close();
    const account = await loadServiceAccount({ serviceAccountEnv: 'SA_JSON', projectId: 'other', tokenUrl: 'https://oauth2.example/token' }, { SA_JSON: JSON.stringify(fcm.serviceAccount) });
    expect(account).toMatchObject({ client_email: fcm.serviceAccount.client_email, project_id: 'other', token_uri: 'https://oauth2.example/token' });
    expect(await message(loadServiceAccount({ serviceAccountEnv: 'SA_JSON' }, { SA_JSON: '{ not json' }))).toMatch(/service account in \$SA_JSON is not JSON/);
    expect(await message(loadServiceAccount({}, {}))).toMatch(/GOOGLE_APPLICATION_CREDENTIALS to the path of the JSON key/);
  });

  it('VAPID keys from the environment; a short key or a missing subject is named', async () => {
    const { publicKey, privateKey } = vapidPair();
    expect(await loadVapid({ subscriptionsFile: 'x' }, { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey, VAPID_SUBJECT: 'mailto:a@b.c' })).toEqual({ publicKey, privateKey, subject: 'mailto:a@b.c' });
    expect(await message(loadVapid({ subscriptionsFile: 'x' }, { VAPID_PUBLIC_KEY: publicKey }))).toMatch(/VAPID_PRIVATE_KEY/);
    expect(await message(loadVapid({ subscriptionsFile: 'x' }, { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: 'abc' }))).toMatch(/private key is not 32 bytes/);
    expect(await message(loadVapid({ subscriptionsFile: 'x' }, { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey }))).toMatch(/subject is missing/);
  });

  it('a VAPID pair whose public key is not the private key\'s is refused up front, naming where the keys came from', async () => {
    const mine = vapidPair();
    const other = vapidPair();
    const env = { VAPID_PUBLIC_KEY: mine.publicKey, VAPID_PRIVATE_KEY: other.privateKey, VAPID_SUBJECT: 'mailto:a@b.c' };
    const fromEnv = await message(loadVapid({ subscriptionsFile: 'x' }, env));
    expect(fromEnv).toMatch(/^\$VAPID_PUBLIC_KEY and \$VAPID_PRIVATE_KEY: the VAPID privateKey does not belong to publicKey: use the pair generated together/);
    expect(fromEnv).not.toContain(other.privateKey);
    await writeFile(join(dir, 'vapid-mixed.json'), JSON.stringify({ publicKey: mine.publicKey, privateKey: other.privateKey, subject: 'mailto:a@b.c' }), { mode: 0o600 });
    expect(await message(loadVapid({ vapidFile: join(dir, 'vapid-mixed.json'), subscriptionsFile: 'x' }, {}))).toMatch(/the VAPID key file .*vapid-mixed\.json: the VAPID privateKey does not belong to publicKey/);
    // A 65-byte public key that is no uncompressed point (0x04 first) is not a key at all.
    const notAPoint = Buffer.from(mine.publicKey, 'base64url');
    notAPoint[0] = 0x05;
    expect(await message(loadVapid({ subscriptionsFile: 'x' }, { ...env, VAPID_PUBLIC_KEY: notAPoint.toString('base64url'), VAPID_PRIVATE_KEY: mine.privateKey }))).toMatch(/publicKey must be an uncompressed P-256 point/);
  });

  it('a subscriptions file: each broken entry named by its index', async () => {
    await writeFile(join(dir, 'subs.json'), JSON.stringify([{ endpoint: 'https://push.example/1', keys: { p256dh: 'a', auth: 'b' } }, { endpoint: 'nope' }, { endpoint: 'https://push.example/3' }]));
    await expect(loadSubscriptions(join(dir, 'subs.json'))).rejects.toThrow(/\[1\]\.endpoint must be .*\n.*\[2\]\.keys must hold p256dh and auth/);
  });
});
