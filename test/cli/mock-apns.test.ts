/**
 * `pushsim mock apns` flags, through the built bin (npm test builds dist/ first, see `pretest`):
 * TLS / mTLS, sandbox, --config, --max-streams, --key, --accept-all, and the exit codes of bad
 * input (usage 2, credential 3, invalid config 104).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTestTimeout, pushsim, startMock } from './helpers.js';
import { generateApnsSigningKey } from '../../simulator/apns/credentials.js';
import { deviceToken, signProviderToken } from '../simulator/apns/helpers.js';
import { open, remoteStreamLimit } from '../conformance/helpers.js';


describe('pushsim mock apns', { timeout: cliTestTimeout }, () => {
  it('--mtls --sandbox --config --max-streams --key: serves certificate and token auth as configured', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-mock-cli-'));
    const key = generateApnsSigningKey({ keyId: 'KEY0000001', teamId: 'TEAM000001' });
    await writeFile(join(dir, 'AuthKey.p8'), key.privateKey);
    await writeFile(join(dir, 'devices.yaml'), `expired: ['${deviceToken(9)}']\ntopics:\n  forbidden: [com.example.forbidden]\n`);
    const mock = await startMock(['apns', '--mtls', '--sandbox', '--max-streams', '7', '--config', join(dir, 'devices.yaml'), '--key', `KEY0000001:TEAM000001:${join(dir, 'AuthKey.p8')}`, '--credentials-dir', dir]);
    try {
      expect(mock.stdout).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+/);
      expect(mock.stdout).toContain('client certificate for com.example.app');
      expect(mock.stdout).not.toContain('PRIVATE KEY');
      const info = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8'));
      expect(info).toMatchObject({ environment: 'sandbox', keyId: 'KEY0000001', teamId: 'TEAM000001', bundleId: 'com.example.app' });
      const ca = await readFile(info.caFile, 'utf8');

      const withCert = open(info.url, { ca, cert: await readFile(info.clientCertFile, 'utf8'), key: await readFile(info.clientKeyFile, 'utf8') });
      const ok = await withCert.send({ path: `/3/device/${deviceToken(1)}`, body: '{"aps":{}}' });
      expect(ok.status).toBe(200);
      expect(ok.headers['apns-unique-id']).toBeDefined();
      const expired = await withCert.send({ path: `/3/device/${deviceToken(9)}`, body: '{"aps":{}}' });
      expect(JSON.parse(expired.body)).toEqual({ reason: 'ExpiredToken' });
      withCert.close();

      const withToken = open(info.url, { ca });
      const jwt = await signProviderToken(key);
      const forbidden = await withToken.send({ path: `/3/device/${deviceToken(1)}`, headers: { authorization: `bearer ${jwt}`, 'apns-topic': 'com.example.forbidden' }, body: '{"aps":{}}' });
      expect(JSON.parse(forbidden.body)).toEqual({ reason: 'Forbidden' });
      expect((await withToken.send({ path: `/3/device/${deviceToken(1)}`, headers: { authorization: `bearer ${jwt}`, 'apns-topic': 'com.example.app' }, body: '{"aps":{}}' })).status).toBe(200);
      await remoteStreamLimit(withToken.client, 7);
      withToken.close();
    } finally {
      expect((await mock.stop()).code).toBe(0);
    }
  });

  it('--accept-all says so and answers anything under /3/device/ with 200', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-mock-cli-'));
    const mock = await startMock(['apns', '--accept-all', '--credentials-dir', dir]);
    try {
      expect(mock.stdout).toContain('(accept-all: no validation)');
      const info = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8'));
      const connection = open(info.url);
      expect((await connection.send({ path: '/3/device/anything', body: 'not json' })).status).toBe(200);
      connection.close();
    } finally {
      expect((await mock.stop()).code).toBe(0);
    }
  });

  it('exits 2 on bad flags, 3 on unusable keys, 104 on a bad config, saying what to fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-mock-cli-'));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFile(join(dir, 'rsa.p8'), rsa);
    await writeFile(join(dir, 'bad.yaml'), 'expired: nope\nscript: { abc: Nope }\n');
    const cases: [string[], number, RegExp][] = [
      [['--tls', '--h2c'], 2, /'--tls' cannot be used with option '--h2c'/],
      [['--mtls', '--h2c'], 2, /cannot be used with/],
      [['--max-streams', '0'], 2, /--max-streams.*expected a whole number ≥ 1/s],
      [['--key', 'nocolons'], 2, /expected KEYID:TEAMID:path-to-key/],
      [['--key', `KEY0000001:TEAM000001:${join(dir, 'missing.p8')}`], 3, /missing\.p8 does not exist .*\(ENOENT\)/],
      [['--key', `KEY0000001:TEAM000001:${join(dir, 'rsa.p8')}`], 3, /must be EC P-256 \(ES256\), got rsa/],
      [['--config', join(dir, 'bad.yaml')], 104, /bad\.yaml has 2 problem\(s\):\n {2}- expired: .*\n {2}- script\.abc: "Nope"/],
      [['--config', join(dir, 'none.yaml')], 104, /none\.yaml has 1 problem\(s\):\n {2}- the file does not exist .*\(ENOENT\)/],
    ];
    for (const [args, code, message] of cases) {
      const result = await pushsim('mock', 'apns', ...args);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain('PRIVATE KEY');
    }
  });
});
