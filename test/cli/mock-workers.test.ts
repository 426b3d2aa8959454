/**
 * `pushsim mock apns|fcm|webpush --workers N` through the built bin: TLS from two worker processes
 * with one CA and one signing key (APNs), one service account and access-token key (FCM), one set of
 * subscriptions (Web Push); one control API for the whole mock, the closing line summed over workers,
 * and a bad --workers refused with exit 2.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTestTimeout, expectUserError, pushsim, startMock } from './helpers.js';
import { deviceToken, signProviderToken } from '../simulator/apns/helpers.js';
import { open } from '../conformance/helpers.js';
import { fcmToken, h2, openH2, sendRequest, signAssertion, tokenForm } from '../simulator/fcm/helpers.js';
import { encryptFor, pathOf, vapidHeader } from '../simulator/webpush/helpers.js';

describe('pushsim mock apns --workers', { timeout: cliTestTimeout }, () => {
  it('serves TLS from 2 workers with one CA and key; the control API and the closing line count both', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-mock-workers-'));
    const mock = await startMock(['apns', '--workers', '2', '--tls', '--control-port', '0', '--credentials-dir', dir]);
    let stopped: { code: number | null; stderr: string } | undefined;
    try {
      expect(mock.stdout).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+ \(2 worker processes\)/);
      const info = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8'));
      const ca = await readFile(info.caFile, 'utf8');
      const jwt = await signProviderToken({ keyId: info.keyId, teamId: info.teamId, privateKey: await readFile(info.keyFile, 'utf8') });
      // Three connections: round-robin puts them on both workers; every one trusts the same CA and key.
      for (let n = 1; n <= 3; n++) {
        const connection = open(info.url, { ca });
        const answer = await connection.send({ path: `/3/device/${deviceToken(n)}`, headers: { authorization: `bearer ${jwt}`, 'apns-topic': 'com.example.app', 'apns-id': `5e3a07a4-2c1b-4b5e-9a2d-00000000000${n}` }, body: '{"aps":{}}' });
        expect(answer.status).toBe(200);
        connection.close();
      }
      const control = /control API on (\S+)/.exec(mock.stdout)?.[1];
      const ledger = (await (await fetch(`${control}/ledger`)).json()) as { delivered: number };
      expect(ledger.delivered).toBe(3);
    } finally {
      stopped = await mock.stop();
    }
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain('closed after 3 requests on 2 workers (delivered 3, duplicates 0)');
  });

  it.each([['apns', '0'], ['apns', '65'], ['apns', 'two'], ['apns', '1.5'], ['fcm', '0'], ['webpush', '65']])('refuses mock %s --workers %s with exit 2', async (provider, value) => {
    expectUserError(await pushsim('mock', provider, '--workers', value), 2, /--workers.*from 1 to 64/);
  });
});

describe('pushsim mock fcm --workers', { timeout: cliTestTimeout }, () => {
  it('serves from 2 workers that trust one service account and accept one access token; the closing line counts both', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-mock-fcm-workers-'));
    const mock = await startMock(['fcm', '--workers', '2', '--control-port', '0', '--credentials-dir', dir]);
    let stopped: { code: number | null; stderr: string } | undefined;
    try {
      expect(mock.stdout).toMatch(/pushsim mock fcm listening on http:\/\/127\.0\.0\.1:\d+ \(2 worker processes\)/);
      const info = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8'));
      const account = JSON.parse(await readFile(info.serviceAccountFile, 'utf8'));
      expect(account.token_uri).toBe(`${info.url}/token`);
      const tokenSession = openH2(info.url);
      const exchanged = await h2(tokenSession, tokenForm(await signAssertion(account)));
      tokenSession.close();
      expect(exchanged.status, exchanged.body).toBe(200);
      const bearer = JSON.parse(exchanged.body).access_token as string;
      // Three more connections: round-robin puts them on both workers; every one accepts the token.
      for (let n = 1; n <= 3; n++) {
        const session = openH2(info.url);
        const answer = await h2(session, sendRequest(info.projectId, bearer, { message: { token: fcmToken(n) } }));
        session.close();
        expect(answer.status, answer.body).toBe(200);
      }
      const control = /control API on (\S+)/.exec(mock.stdout)?.[1];
      expect(((await (await fetch(`${control}/ledger`)).json()) as { delivered: number }).delivered).toBe(3);
    } finally {
      stopped = await mock.stop();
    }
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain('closed after 3 requests on 2 workers (3 accepted, 0 rejected)');
  });
});

describe('pushsim mock webpush --workers', { timeout: cliTestTimeout }, () => {
  it('serves the subscriptions it wrote from 2 workers; the closing line counts both', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-mock-webpush-workers-'));
    const mock = await startMock(['webpush', '--workers', '2', '--subscriptions', '2', '--credentials-dir', dir]);
    let stopped: { code: number | null; stderr: string } | undefined;
    try {
      expect(mock.stdout).toMatch(/pushsim mock webpush listening on http:\/\/127\.0\.0\.1:\d+ \(2 worker processes\)/);
      const info = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8'));
      const vapid = JSON.parse(await readFile(info.vapidFile, 'utf8'));
      const subscriptions = JSON.parse(await readFile(info.subscriptionsFile, 'utf8'));
      expect(subscriptions).toHaveLength(2);
      const authorization = await vapidHeader(vapid, info.url);
      for (const to of [subscriptions[0], subscriptions[1], subscriptions[0]]) {
        const session = openH2(info.url);
        const answer = await h2(session, { path: pathOf(to.endpoint), headers: { ttl: '60', 'content-encoding': 'aes128gcm', authorization }, body: encryptFor(to, 'hi') });
        session.close();
        expect(answer.status, answer.body).toBe(201);
      }
    } finally {
      stopped = await mock.stop();
    }
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain('closed after 3 requests on 2 workers (3 created, 0 rejected)');
  });
});
