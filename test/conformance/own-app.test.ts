/**
 * "Test your own app" (README): unmodified programs using firebase-admin, @parse/node-apn and
 * web-push reach the mocks by the providers' real host names — each run as a child process with
 * `node --import pushsim/redirect` and environment variables only: PUSHSIM_REDIRECT (name → mock),
 * NODE_EXTRA_CA_CERTS (the mock's CA), and the app's own credentials. The programs under
 * examples/own-app/ are the README's recipes, verbatim; nothing here reaches the internet.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:http2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startMockApns } from '../../simulator/apns/server.js';
import { startMockFcmCluster, startMockWebPushCluster } from '../../simulator/cluster/primary.js';
import { startMockFcm, type MockFcm } from '../../simulator/fcm/server.js';
import { formatRedirects, redirectsTo } from '../../simulator/redirect/spec.js';
import { startMockWebPush } from '../../simulator/webpush/server.js';
import { lastJson, repoRoot, runNode } from '../helpers/child-node.js';
import { deviceToken } from '../simulator/apns/helpers.js';

// Each test starts Node programs that load firebase-admin or node-apn: room for a busy machine.
vi.setConfig({ testTimeout: 120_000 });

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const readme = readFile(join(repoRoot, 'README.md'), 'utf8');

/** Runs the README's web-push program, unmodified, on `subscriptions` against `push` (the Mozilla push service's name redirected to it). */
async function webPushApp(push: { url: string; ca: string | undefined; vapid: { publicKey: string; privateKey: string; subject: string } }, subscriptions: readonly unknown[]): Promise<Awaited<ReturnType<typeof runNode>>> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-own-app-'));
  const subscriptionsFile = join(dir, 'subscriptions.json');
  await writeFile(subscriptionsFile, JSON.stringify(subscriptions));
  const env = {
    ...(await routeTo({ ...push, impersonated: ['updates.push.services.mozilla.com'] }, dir)),
    VAPID_PUBLIC_KEY: push.vapid.publicKey,
    VAPID_PRIVATE_KEY: push.vapid.privateKey,
    VAPID_SUBJECT: push.vapid.subject,
  };
  return runNode(['--import', 'pushsim/redirect', 'examples/own-app/web-push.mjs', subscriptionsFile], env);
}

/** The mock's CA in a file, and the redirect of `names` to the mock: the two variables every recipe sets. */
async function routeTo(mock: { url: string; ca: string | undefined; impersonated: readonly string[] }, dir: string): Promise<Record<string, string>> {
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, mock.ca ?? '');
  return { NODE_EXTRA_CA_CERTS: caFile, PUSHSIM_REDIRECT: formatRedirects(redirectsTo(mock.impersonated, mock.url)) };
}

async function fcmApp(options: Parameters<typeof startMockFcm>[0] = {}): Promise<{ fcm: MockFcm; env: Record<string, string> }> {
  const fcm = await startMockFcm({ impersonate: true, deviceQuotas: false, ...options });
  cleanups.push(() => fcm.close());
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-own-app-'));
  const credentials = join(dir, 'service-account.json');
  await writeFile(credentials, JSON.stringify(fcm.serviceAccount), { mode: 0o600 });
  return { fcm, env: { ...(await routeTo(fcm, dir)), GOOGLE_APPLICATION_CREDENTIALS: credentials } };
}

const fcmToken = (n: number): string => `app-token-${n}-${'x'.repeat(100)}`;

describe('firebase-admin, unmodified, against the mock FCM by name', () => {
  it('the README recipe: send() and sendEach() over its default HTTP/2 transport, the dead token reported as such', async () => {
    const dead = fcmToken(0);
    const { fcm, env } = await fcmApp({ unregistered: [dead] });
    const run = await runNode(['--import', 'pushsim/redirect', 'examples/own-app/firebase-admin.mjs', fcmToken(1), fcmToken(2), dead], env);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson(run)).toEqual({
      first: expect.stringMatching(/^projects\/pushsim-test\/messages\/0:/),
      successCount: 2,
      failures: [{ token: dead, code: 'messaging/registration-token-not-registered' }],
    });
    // send() goes over HTTP/1.1, sendEach() over HTTP/2 (firebase-admin's Http2SessionHandler).
    expect(fcm.stats()).toMatchObject({ accepted: 3, http1Requests: 1, http2Requests: 3 });
    expect(fcm.ledger.summary().delivered).toBe(3);
    expect(await readme).toContain(await readFile(join(repoRoot, 'examples/own-app/firebase-admin.mjs'), 'utf8'));
  });

  it('dry run, sendEach of 500, each FCM error code as firebase-admin maps it, and a 503 retried', async () => {
    // Retry-After 1 s on the scripted 503: firebase-admin waits for it, then retries (protocols.md §2.9).
    const { fcm, env } = await fcmApp({ retryAfterSeconds: 1 });
    const failing = {
      INVALID_ARGUMENT: 'messaging/invalid-argument',
      UNREGISTERED: 'messaging/registration-token-not-registered',
      SENDER_ID_MISMATCH: 'messaging/mismatched-credential',
      QUOTA_EXCEEDED: 'messaging/message-rate-exceeded',
      INTERNAL: 'messaging/internal-error',
      THIRD_PARTY_AUTH_ERROR: 'messaging/third-party-auth-error',
      UNSPECIFIED_ERROR: 'messaging/unknown-error',
    } as const;
    const tokens = Object.fromEntries(Object.keys(failing).map((code, i) => [code, fcmToken(100 + i)]));
    for (const [code, token] of Object.entries(tokens)) fcm.faults.script(token, [code as keyof typeof failing]);
    fcm.faults.script(fcmToken(200), ['UNAVAILABLE']);
    const plan = { ok: fcmToken(1), failing: tokens, retried: fcmToken(200) };
    const run = await runNode(['--import', 'pushsim/redirect', 'test/conformance/programs/firebase-admin-cases.mjs', JSON.stringify(plan)], env);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson(run)).toEqual({
      dryRun: 'projects/pushsim-test/messages/fake_message_id',
      successCount: 500,
      failureCount: 0,
      errors: failing,
      retried: expect.stringMatching(/^projects\/pushsim-test\/messages\/0:/),
    });
    // The dry run delivered nothing; the 503 was answered once and the retry delivered.
    expect(fcm.ledger.summary().delivered).toBe(501);
    expect(fcm.stats().byErrorCode).toMatchObject({ UNAVAILABLE: 1, INTERNAL: 1, QUOTA_EXCEEDED: 1 });
    expect(fcm.stats().http2Requests).toBeGreaterThanOrEqual(500);
  });

  it('its HTTP/2 `:scheme: https:` is what node:http2 refuses, so without the redirect module the workaround is enableLegacyHttpTransport()', async () => {
    const { fcm, env } = await fcmApp();
    // What firebase-admin's HTTP/2 transport sends (`url.parse().protocol`), straight to the mock: refused by nghttp2.
    const session = connect(fcm.url, { ca: fcm.ca });
    session.on('error', () => {});
    const refused = await new Promise<string>((resolve) => {
      const stream = session.request({ ':method': 'POST', ':scheme': 'https:', ':path': '/token' });
      stream.on('response', () => resolve('answered'));
      stream.on('error', (error) => resolve(error.message));
      stream.end();
    });
    session.destroy();
    expect(refused).toMatch(/PROTOCOL_ERROR/);
    // The documented workaround: firebase-admin's HTTP/1.1 transport, which sendEach then uses too.
    // 50, not 500: over HTTP/1.1 each concurrent message is a TLS connection of its own.
    const plan = { ok: fcmToken(1), failing: {}, retried: fcmToken(2), batch: 50, legacy: true };
    const run = await runNode(['--import', 'pushsim/redirect', 'test/conformance/programs/firebase-admin-cases.mjs', JSON.stringify(plan)], env);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson(run)).toMatchObject({ successCount: 50, failureCount: 0 });
    expect(fcm.stats()).toMatchObject({ http2Requests: 0 });
  });
});

describe('@parse/node-apn and web-push, unmodified, by name', () => {
  it('node-apn (the README recipe): production: true goes to api.push.apple.com, here the mock', async () => {
    const dead = deviceToken(0x410);
    const apns = await startMockApns({ impersonate: true, initialStreams: 100, unregistered: { [dead]: 1_458_114_061_260 } });
    cleanups.push(() => apns.close());
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-own-app-'));
    const keyFile = join(dir, `AuthKey_${apns.credentials.keyId}.p8`);
    await writeFile(keyFile, apns.credentials.privateKey, { mode: 0o600 });
    const env = { ...(await routeTo(apns, dir)), APNS_KEY_FILE: keyFile, APNS_KEY_ID: apns.credentials.keyId, APNS_TEAM_ID: apns.credentials.teamId, APNS_TOPIC: 'com.example.app' };
    const run = await runNode(['--import', 'pushsim/redirect', 'examples/own-app/node-apn.mjs', deviceToken(1), deviceToken(2), dead], env);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson(run)).toEqual({ sent: 2, failed: [{ device: dead, status: 410, reason: 'Unregistered' }] });
    expect(apns.ledger.summary().delivered).toBe(2);
    expect(await readme).toContain(await readFile(join(repoRoot, 'examples/own-app/node-apn.mjs'), 'utf8'));
  });

  it('web-push (the README recipe): subscriptions on updates.push.services.mozilla.com reach the mock, which decrypts them', async () => {
    const push = await startMockWebPush({ impersonate: true, subscriptions: 2 });
    cleanups.push(() => push.close());
    const [live, gone] = push.subscriptions.list();
    expect(live?.endpoint).toMatch(/^https:\/\/updates\.push\.services\.mozilla\.com\/push\//);
    push.subscriptions.expire(gone?.endpoint ?? '');
    const run = await webPushApp(push, [live, gone]);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson(run)).toEqual([
      { endpoint: live?.endpoint, status: 201 },
      { endpoint: gone?.endpoint, status: 410 },
    ]);
    expect(push.subscriptions.messages(live?.endpoint ?? '')[0]?.payload?.toString('utf8')).toBe('{"title":"Hello from web-push"}');
    expect(await readme).toContain(await readFile(join(repoRoot, 'examples/own-app/web-push.mjs'), 'utf8'));
  });
});

describe('firebase-admin and web-push, unmodified, against a mock on 2 worker processes', () => {
  // The workers run the .ts sources through the test shim; the built command uses dist/simulator/cluster/worker.js.
  const workerUrl = new URL('../simulator/fixtures/ts-cluster-worker.mjs', import.meta.url);

  it('firebase-admin (the README recipe): its token from one worker is accepted by the other, the dead token reported as such', async () => {
    const dead = fcmToken(0);
    const fcm = await startMockFcmCluster({ impersonate: true, deviceQuotas: false, unregistered: [dead] }, 2, { workerUrl });
    cleanups.push(() => fcm.close());
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-own-app-'));
    const credentials = join(dir, 'service-account.json');
    await writeFile(credentials, JSON.stringify(fcm.serviceAccount), { mode: 0o600 });
    const env = { ...(await routeTo(fcm, dir)), GOOGLE_APPLICATION_CREDENTIALS: credentials };
    const run = await runNode(['--import', 'pushsim/redirect', 'examples/own-app/firebase-admin.mjs', fcmToken(1), fcmToken(2), dead], env);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson(run)).toEqual({ first: expect.stringMatching(/^projects\/pushsim-test\/messages\/0:/), successCount: 2, failures: [{ token: dead, code: 'messaging/registration-token-not-registered' }] });
    const workers = await fcm.workerStats();
    // One worker issued the one access token; the other accepted messages sent with it.
    expect(workers.map((w) => w.tokensIssued).sort()).toEqual([0, 1]);
    expect(workers.find((w) => w.tokensIssued === 0)?.accepted).toBeGreaterThan(0);
    expect(await fcm.stats()).toMatchObject({ accepted: 3, rejected: 1 });
    expect((await fcm.ledgerSummary()).delivered).toBe(3);
  });

  it('web-push (the README recipe): both workers know the subscriptions and decrypt their messages', async () => {
    const push = await startMockWebPushCluster({ impersonate: true, subscriptions: 2 }, 2, { workerUrl });
    cleanups.push(() => push.close());
    const [first, second] = push.subscriptions;
    expect(first?.endpoint).toMatch(/^https:\/\/updates\.push\.services\.mozilla\.com\/push\//);
    const unknown = { ...first, endpoint: 'https://updates.push.services.mozilla.com/push/no-such-subscription' };
    const run = await webPushApp(push, [first, second, unknown]);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson(run)).toEqual([
      { endpoint: first?.endpoint, status: 201 },
      { endpoint: second?.endpoint, status: 201 },
      { endpoint: unknown.endpoint, status: 410 },
    ]);
    // Three connections at once: round-robin gives both workers some; each decrypted what it accepted.
    const workers = await push.workerStats();
    expect(workers.every((w) => w.requests > 0)).toBe(true);
    expect(await push.stats()).toMatchObject({ created: 2, rejected: 1, decryptFailures: 0 });
  });
});

describe('the redirect module lets nothing leave the machine', () => {
  it('refuses (throws) a connection to a name it does not map and to a non-loopback address, from fetch, https and net alike', async () => {
    const program = `
      const https = require('node:https'), net = require('node:net');
      const tryIt = (f) => { try { f(); return 'connected'; } catch (e) { return e.message; } };
      (async () => {
        const fetched = await fetch('https://example.com/').then(() => 'fetched', (e) => (e.cause ?? e).message);
        console.log(JSON.stringify({
          fetched,
          https: tryIt(() => https.get('https://www.googleapis.com/')),
          net: tryIt(() => net.connect(443, '10.1.2.3')),
          loopback: tryIt(() => net.connect(9, '127.0.0.1').on('error', () => {})),
        }));
      })();`;
    const run = await runNode(['--import', 'pushsim/redirect', '-e', program], { PUSHSIM_REDIRECT: 'api.push.apple.com=127.0.0.1:9' });
    expect(run.code, run.stderr).toBe(0);
    const result = lastJson<Record<string, string>>(run);
    expect(result['fetched']).toMatch(/refusing a connection to example\.com:443/);
    expect(result['https']).toMatch(/refusing a connection to www\.googleapis\.com:443/);
    expect(result['net']).toMatch(/refusing a connection to 10\.1\.2\.3:443/);
    expect(result['loopback']).toBe('connected');
  });

  it('exits 2 with a message when PUSHSIM_REDIRECT is missing or unreadable, before the app runs', async () => {
    const missing = await runNode(['--import', 'pushsim/redirect', '-e', 'console.log("app ran")'], {});
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(/PUSHSIM_REDIRECT is not set/);
    const bad = await runNode(['--import', 'pushsim/redirect', '-e', 'console.log("app ran")'], { PUSHSIM_REDIRECT: 'api.push.apple.com' });
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/cannot read "api\.push\.apple\.com"; each entry is name\[:port\]=address:port/);
  });
});
