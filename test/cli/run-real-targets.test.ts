/**
 * `pushsim run` against real providers' host names — api.sandbox.push.apple.com, fcm.googleapis.com,
 * oauth2.googleapis.com, a browser push service — served by the mocks on this machine: the run's
 * process gets `--import pushsim/redirect` with PUSHSIM_REDIRECT (which refuses any other host that
 * is not loopback) and trusts the mocks' CA through NODE_EXTRA_CA_CERTS, so the scenario file is the
 * one a user would run against the real services. Credentials come from the environment, as in CI.
 */
import { createECDH } from 'node:crypto';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Result } from '../../reports/result.js';
import { makeFcmTokens, makeTokens } from '../../scenarios/tokens.js';
import { startMockApns, type MockApns } from '../../simulator/apns/server.js';
import { startMockFcm, type MockFcm } from '../../simulator/fcm/index.js';
import { generateCertificateAuthority } from '../../simulator/tls.js';
import { startMockWebPush, type MockWebPush } from '../../simulator/webpush/index.js';
import { repoRoot, runNode, type ChildResult } from '../helpers/child-node.js';
import { bin } from './helpers.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const redirectModule = join(repoRoot, 'dist/simulator/redirect/register.js');

let dir: string;
let apns: MockApns;
let fcm: MockFcm;
let push: MockWebPush;
/** The environment of the run: redirect, CA, and credentials as CI would export them. */
let env: Record<string, string>;
let secrets: string[];

/** VAPID keys whose private half is exactly 32 bytes (getPrivateKey drops leading zero bytes). */
function vapidKeys(): { publicKey: string; privateKey: string; subject: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const raw = ecdh.getPrivateKey();
  return { publicKey: ecdh.getPublicKey('base64url'), privateKey: Buffer.concat([Buffer.alloc(32 - raw.length), raw]).toString('base64url'), subject: 'mailto:ops@example.com' };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pushsim-real-'));
  const ca = await generateCertificateAuthority();
  // 10 recipients per provider (tokens.count 20, equal shares); the first of each is dead.
  apns = await startMockApns({ impersonate: true, ca, unregistered: [makeTokens(10, 0, 1).tokens[0] as string] });
  fcm = await startMockFcm({ impersonate: true, ca, unregistered: [makeFcmTokens(10, 0, 1).tokens[0] as string] });
  const vapid = vapidKeys();
  push = await startMockWebPush({ impersonate: true, ca, vapid, subscriptions: 3, decrypt: false });
  await writeFile(join(dir, 'ca.pem'), ca.cert);
  await writeFile(join(dir, 'AuthKey.p8'), apns.credentials.privateKey, { mode: 0o600 });
  // The token endpoint by its real name: the exchange goes through the redirect too.
  await writeFile(join(dir, 'service-account.json'), JSON.stringify({ ...fcm.serviceAccount, token_uri: 'https://oauth2.googleapis.com/token' }), { mode: 0o600 });
  await writeFile(join(dir, 'vapid.json'), JSON.stringify(vapid), { mode: 0o600 });
  await writeFile(join(dir, 'subscriptions.json'), JSON.stringify(push.subscriptions.list()));
  const port = (url: string): string => new URL(url).port;
  env = {
    NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
    PUSHSIM_REDIRECT: [
      `api.sandbox.push.apple.com=127.0.0.1:${port(apns.url)}`,
      `api.push.apple.com=127.0.0.1:${port(apns.url)}`,
      `fcm.googleapis.com=127.0.0.1:${port(fcm.url)}`,
      `oauth2.googleapis.com=127.0.0.1:${port(fcm.url)}`,
      `updates.push.services.mozilla.com=127.0.0.1:${port(push.url)}`,
    ].join(','),
    APNS_KEY_FILE: join(dir, 'AuthKey.p8'),
    APNS_KEY_ID: apns.credentials.keyId,
    APNS_TEAM_ID: apns.credentials.teamId,
    GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'service-account.json'),
  };
  // What must never appear in an output: the keys' base64 bodies (a line of each is enough).
  const bodyLine = (pem: string): string => pem.split('\n').find((line) => line.length > 40 && !line.startsWith('-----')) as string;
  secrets = [bodyLine(apns.credentials.privateKey), bodyLine(fcm.serviceAccount.private_key), vapid.privateKey];
});

afterAll(async () => {
  await Promise.all([apns?.close(), fcm?.close(), push?.close()]);
});

/**
 * `pushsim run …` with the redirect loaded, as `node --import pushsim/redirect` does. On a busy
 * machine pushsim may fall behind its schedule and judge the run no valid measurement (exit 97):
 * not what these tests check, so that verdict does not fail them.
 */
function run(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<ChildResult> {
  return runNode(['--import', redirectModule, bin, 'run', ...args, '--no-fail-on-overload'], { ...env, ...extraEnv }, 100_000);
}

async function scenario(name: string, text: string): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, text);
  return path;
}

/** Every file a run wrote, and what it printed, as one text to search for secrets. */
async function everything(out: string, result: ChildResult): Promise<string> {
  const files = await readdir(out);
  const texts = await Promise.all(files.map((file) => readFile(join(out, file), 'utf8')));
  return [result.stdout, result.stderr, ...texts].join('\n');
}

function expectNoSecrets(text: string): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
  // No signed token either: a provider JWT, a Google assertion or a VAPID JWT all start with eyJ.
  expect(text).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
  expect(text).not.toMatch(/ya29\.|access_token/);
}

const both = `name: real-smoke
target:
  apns: { url: https://api.sandbox.push.apple.com }
  fcm: { allowProduction: true }
load: { rate: 1000, count: 50000 }
tokens: { count: 20 }
notification: { topic: com.example.app }
`;

describe('pushsim run against real host names, redirected to the mocks', () => {
  it('APNs sandbox and FCM: exactly the capped count, no warm-up, the dead tokens to prune, real pushes stated, no secret in any output', async () => {
    const file = await scenario('both', both);
    const out = join(dir, 'out-both');
    const apnsBefore = apns.ledger.summary().delivered;
    const fcmBefore = fcm.ledger.summary().delivered;
    const result = await run([file, '--out', out, '--max-notifications', '40', '--max-rate', '200', '--allow-production', '--report', 'junit,html']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as Result;
    expect(json.counts.scheduled).toBe(40);
    expect(json.counts.accepted + json.counts.rejected).toBe(40);
    // No warm-up: the mocks delivered exactly what the run accepted, nothing before it.
    const delivered = apns.ledger.summary().delivered - apnsBefore + (fcm.ledger.summary().delivered - fcmBefore);
    expect(delivered).toBe(json.counts.accepted);
    expect(json.realPushes).toEqual({ sent: 40, dryRun: 0, byProvider: { apns: expect.any(Number), fcm: expect.any(Number) }, maxNotifications: 40, maxRate: 200 });
    expect(json.tokensToPrune?.map((t) => `${t.provider}:${t.token}`).sort()).toEqual([`apns:${makeTokens(10, 0, 1).tokens[0]}`, `fcm:${makeFcmTokens(10, 0, 1).tokens[0]}`].sort());
    expect(json.warnings?.join('\n')).toMatch(/measured notifications cut from 50000 to 40 .*rate \(\/s\) cut from 1000 to 200|rate \(\/s\) cut from 1000 to 200/s);
    expect(result.stdout).toMatch(/REAL PUSHES: 40 sent to real providers/);
    expectNoSecrets(await everything(out, result));
    // Read back by `pushsim report`, the count survives the result reader.
    const report = await runNode([bin, 'report', join(out, 'result.json')], {});
    expect(report.stdout).toMatch(/REAL PUSHES: 40 sent to real providers/);
  });

  it('a bad PUSHSIM_HEAP_GROWING_PERCENT is a usage error (exit 2) before anything is sent', async () => {
    const file = await scenario('heap', both);
    const before = apns.ledger.summary().delivered + fcm.ledger.summary().delivered;
    const result = await run([file, '--out', join(dir, 'out-heap'), '--allow-production'], { PUSHSIM_HEAP_GROWING_PERCENT: 'lots' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/PUSHSIM_HEAP_GROWING_PERCENT=lots: expected a whole number from 0/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(apns.ledger.summary().delivered + fcm.ledger.summary().delivered).toBe(before);
  });

  it('the shipped example scenarios/examples/sandbox.yaml runs as written: APNs sandbox and an FCM dry run, credentials from the environment', async () => {
    const out = join(dir, 'out-example');
    const result = await run([join(repoRoot, 'scenarios/examples/sandbox.yaml'), '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as Result;
    expect(json.counts.scheduled).toBe(20);
    expect(json.realPushes).toMatchObject({ maxNotifications: 20, maxRate: 5 });
    expect((json.realPushes?.sent ?? 0) + (json.realPushes?.dryRun ?? 0)).toBe(20);
    expect(json.realPushes?.dryRun).toBe(json.realPushes?.byProvider.fcm ?? 0);
  });

  it('FCM dry run (--dry-run): validate_only on every message, counted apart, nothing delivered; no --allow-production needed', async () => {
    const file = await scenario('fcm-dry', 'name: fcm-dry\ntarget: { fcm: {} }\nload: { rate: 100, count: 10 }\ntokens: { count: 5 }\n');
    const out = join(dir, 'out-dry');
    const before = fcm.ledger.summary().delivered;
    const result = await run([file, '--out', out, '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as Result;
    expect(json.realPushes).toMatchObject({ sent: 0, dryRun: 10, byProvider: { fcm: 10 } });
    expect(json.counts.accepted + json.counts.rejected).toBe(10);
    expect(fcm.ledger.summary().delivered - before).toBe(0);
    expect(result.stdout).toMatch(/REAL PUSHES: 0 sent to real providers · 10 dry-run/);
  });

  it('Web Push: refused without the opt-in, sent with --allow-push-services, VAPID from a file', async () => {
    const file = await scenario('webpush', `name: webpush\ntarget:\n  webpush: { vapidFile: vapid.json, subscriptionsFile: subscriptions.json }\nload: { rate: 100, count: 6 }\n`);
    const refused = await run([file, '--out', join(dir, 'out-wp-refused')]);
    expect(refused.code).toBe(104);
    expect(refused.stderr).toMatch(/subscriptions\.json.*updates\.push\.services\.mozilla\.com.*allowPushServices: true \(or pass --allow-push-services\)/s);
    const before = push.ledger.summary().delivered;
    const out = join(dir, 'out-wp');
    const result = await run([file, '--out', out, '--allow-push-services']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as Result;
    expect(json.counts.accepted).toBe(6);
    expect(json.realPushes).toMatchObject({ sent: 6, byProvider: { webpush: 6 } });
    expect(push.ledger.summary().delivered - before).toBe(6);
    expectNoSecrets(await everything(out, result));
  });

  it('a scenario written for the mocks, sent to real providers from the command line: --apns and --fcm keep its weights and drop its warm-up', async () => {
    const file = await scenario('mixed', 'name: mixed\ntarget: { mock: [apns, fcm] }\nload: { rate: 100, count: 20 }\nmix: { apns: 3, fcm: 1 }\ntokens: { count: 20 }\nwarmup: 500\n');
    const out = join(dir, 'out-mixed');
    const result = await run([file, '--out', out, '--apns', '--fcm', '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as Result;
    const { apns: toApns = 0, fcm: toFcm = 0 } = json.realPushes?.byProvider ?? {};
    expect(toApns + toFcm).toBe(20);
    expect(toApns).toBeGreaterThan(toFcm);
    expect(json.realPushes).toMatchObject({ sent: toApns, dryRun: toFcm });
    expect(json.targets).toEqual({ apns: 'https://api.sandbox.push.apple.com', fcm: 'https://fcm.googleapis.com' });
  });
});

describe('a fault proxy started from the scenario', () => {
  it('sits in front of the origin for the run: the sender goes through it, the scenario\'s faults fire there, the rest pass through', async () => {
    await writeFile(join(dir, 'proxy-faults.yaml'), 'seed: 7\nfaults:\n  - { kind: error, id: half-down, probability: 0.5, apns: ServiceUnavailable }\n');
    const file = await scenario(
      'proxied',
      `name: proxied\ntarget:\n  apns: { url: "${apns.url}", caFile: ca.pem, proxy: { faults: proxy-faults.yaml } }\nload: { rate: 200, count: 40 }\ntokens: { count: 10 }\nwarmup: 0\npolicies: { retry: false, circuitBreaker: false }\n`,
    );
    const out = join(dir, 'out-proxy');
    const before = apns.ledger.summary().delivered;
    const result = await run([file, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as Result;
    const injected = json.faults?.find((f) => f.id === 'half-down')?.injected ?? 0;
    expect(injected).toBeGreaterThan(0);
    expect(json.byReason['apns:ServiceUnavailable']).toBe(injected);
    // What the faults let through reached the origin and was answered by it.
    expect(apns.ledger.summary().delivered - before).toBe(json.counts.accepted);
    expect(json.counts.accepted + injected + (json.byReason['apns:Unregistered'] ?? 0)).toBe(40);
    expect(result.stderr + result.stdout).toMatch(/fault proxy → https:\/\/127\.0\.0\.1:/);
    // A loopback origin is not a real provider: no caps, no real pushes counted.
    expect(json.realPushes).toBeUndefined();
  });
});

describe('pushsim run refuses, before anything is sent', () => {
  const refuses = async (args: readonly string[], extraEnv: Record<string, string>, code: number, message: RegExp): Promise<void> => {
    const apnsBefore = apns.ledger.summary().delivered;
    const fcmBefore = fcm.ledger.summary().delivered;
    const result = await run(args, extraEnv);
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code, stderr: expect.stringMatching(message) });
    expect(result.stderr).not.toMatch(/\n\s+at |please report it/);
    expect(apns.ledger.summary().delivered).toBe(apnsBefore);
    expect(fcm.ledger.summary().delivered).toBe(fcmBefore);
    for (const secret of secrets) expect(result.stderr + result.stdout).not.toContain(secret);
  };

  it('production APNs without --allow-production, or without allowProduction in the file (exit 2)', async () => {
    const withFile = await scenario('prod', 'name: prod\ntarget: { apns: { url: production, allowProduction: true } }\nload: { rate: 10, count: 5 }\n');
    await refuses([withFile, '--out', join(dir, 'o1')], {}, 2, /production APNs \(api\.push\.apple\.com\) needs both target\.apns\.allowProduction: true in the scenario and --allow-production.*missing: --allow-production on the command line/);
    const withoutFile = await scenario('prod2', 'name: prod2\ntarget: { apns: { url: production } }\nload: { rate: 10, count: 5 }\n');
    await refuses([withoutFile, '--out', join(dir, 'o2'), '--allow-production'], {}, 2, /missing: target\.apns\.allowProduction: true in the scenario/);
  });

  it('FCM for real without consent: says how to dry-run instead (exit 2)', async () => {
    const file = await scenario('fcm-real', 'name: fcm-real\ntarget: { fcm: {} }\nload: { rate: 10, count: 5 }\n');
    await refuses([file, '--out', join(dir, 'o3')], {}, 2, /FCM for real .*--dry-run/);
  });

  it('a missing environment variable, an unreadable or malformed key file (exit 3), naming the variable or file', async () => {
    const file = await scenario('apns-env', 'name: apns-env\ntarget: { apns: {} }\nload: { rate: 10, count: 5 }\n');
    await refuses([file, '--out', join(dir, 'o4')], { APNS_TEAM_ID: '' }, 3, /target\.apns\.teamId is not given and the environment variable APNS_TEAM_ID is empty/);
    await refuses([file, '--out', join(dir, 'o5')], { APNS_KEY_FILE: join(dir, 'nope.p8') }, 3, /the APNs signing key file .*nope\.p8 (does not exist|.*ENOENT)/);
    await writeFile(join(dir, 'broken.p8'), '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n');
    await refuses([file, '--out', join(dir, 'o6')], { APNS_KEY_FILE: join(dir, 'broken.p8') }, 3, /broken\.p8 is not an APNs signing key/);
    const fcmFile = await scenario('fcm-env', 'name: fcm-env\ntarget: { fcm: { validateOnly: true } }\nload: { rate: 10, count: 5 }\n');
    await refuses([fcmFile, '--out', join(dir, 'o7')], { GOOGLE_APPLICATION_CREDENTIALS: '' }, 3, /GOOGLE_APPLICATION_CREDENTIALS/);
    await writeFile(join(dir, 'not-an-account.json'), JSON.stringify({ type: 'service_account', client_email: 'x@y' }));
    await refuses([fcmFile, '--out', join(dir, 'o8')], { GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'not-an-account.json') }, 3, /not-an-account\.json is not a service-account key: it has no private_key, project_id/);
  });

  it('an APNs key id Apple cannot have issued (not 10 characters), or a VAPID private key that is not the public key\'s (exit 3), naming the variable or file and the fix', async () => {
    const file = await scenario('apns-short-id', 'name: apns-short-id\ntarget: { apns: {} }\nload: { rate: 10, count: 5 }\n');
    await refuses([file, '--out', join(dir, 'o-kid')], { APNS_KEY_ID: 'K1' }, 3, /\$APNS_KEY_ID "K1" is 2 characters long: Apple's key ids are 10 characters .*Key ID shown next to the key/);
    const mine = vapidKeys();
    await writeFile(join(dir, 'vapid-mixed.json'), JSON.stringify({ ...mine, privateKey: vapidKeys().privateKey }), { mode: 0o600 });
    const webpush = await scenario('webpush-mixed', 'name: webpush-mixed\ntarget:\n  webpush: { vapidFile: vapid-mixed.json, subscriptionsFile: subscriptions.json, allowPushServices: true }\nload: { rate: 10, count: 2 }\n');
    const pushBefore = push.ledger.summary().delivered;
    await refuses([webpush, '--out', join(dir, 'o-vapid')], {}, 3, /the VAPID key file .*vapid-mixed\.json: the VAPID privateKey does not belong to publicKey: use the pair generated together/);
    expect(push.ledger.summary().delivered).toBe(pushBefore);
  });

  it('FCM whose OAuth token endpoint cannot be reached: stops at once as unreachable (exit 4), naming the endpoint, not a bare PUSHSIM_ERR_CREDENTIAL', async () => {
    await writeFile(join(dir, 'sa-nowhere.json'), JSON.stringify({ ...fcm.serviceAccount, token_uri: 'http://127.0.0.1:1/token' }), { mode: 0o600 });
    const file = await scenario('fcm-no-token', 'name: fcm-no-token\ntarget: { fcm: { validateOnly: true } }\nload: { rate: 10, count: 5 }\n');
    const out = join(dir, 'o-token');
    const result = await run([file, '--out', out, '--quiet'], { GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'sa-nowhere.json') });
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 4, stderr: expect.stringMatching(/target unreachable: .*credentials — cannot reach the OAuth token endpoint http:\/\/127\.0\.0\.1:1\/token: .*ECONNREFUSED/) });
    expect(result.stdout).toMatch(/TARGET UNREACHABLE/);
    expectNoSecrets(await everything(out, result));
  });

  it('a scenario asking for more than the ceiling (exit 104), and a bad ceiling in the environment (exit 2)', async () => {
    const file = await scenario('greedy', 'name: greedy\ntarget: { fcm: { validateOnly: true } }\nsafety: { maxNotifications: 5000 }\n');
    await refuses([file, '--out', join(dir, 'o9')], {}, 104, /safety\.maxNotifications is 5000, above the ceiling of 1000 .*--max-notifications/);
    await refuses([file, '--out', join(dir, 'o10')], { PUSHSIM_MAX_NOTIFICATIONS: 'lots' }, 2, /PUSHSIM_MAX_NOTIFICATIONS must be a whole number/);
  });
});
