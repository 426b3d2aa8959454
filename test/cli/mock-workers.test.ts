/**
 * `pushsim mock apns --workers N` through the built bin: TLS from two worker processes with one CA
 * and one signing key, one control API for the whole mock, the closing line summed over workers, and
 * a bad --workers refused with exit 2.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTestTimeout, expectUserError, pushsim, startMock } from './helpers.js';
import { deviceToken, signProviderToken } from '../simulator/apns/helpers.js';
import { open } from '../conformance/helpers.js';

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

  it.each([['0'], ['65'], ['two'], ['1.5']])('refuses --workers %s with exit 2', async (value) => {
    expectUserError(await pushsim('mock', 'apns', '--workers', value), 2, /--workers.*from 1 to 64/);
  });
});
