/**
 * `pushsim mock … --impersonate`: the CA is written next to the credentials (its key 0600) and
 * reused on the next start, and the lines the command prints are the ones that work — here the
 * printed environment runs the README's firebase-admin recipe, unmodified, against the mock.
 */
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { lastJson, runNode } from '../helpers/child-node.js';
import { pushsim, startMock } from './helpers.js';

// Starts the CLI several times and a firebase-admin app: room for a busy machine.
vi.setConfig({ testTimeout: 120_000 });

/** The environment of the printed `NODE_EXTRA_CA_CERTS=… PUSHSIM_REDIRECT=… node --import MODULE your-app.js` line. */
function printedCommand(stdout: string): { env: Record<string, string>; module: string } {
  const line = stdout.split('\n').find((l) => l.trim().startsWith('NODE_EXTRA_CA_CERTS=')) ?? '';
  const match = /^NODE_EXTRA_CA_CERTS=(\S+) PUSHSIM_REDIRECT=(\S+) node --import (\S+) your-app\.js$/.exec(line.trim());
  if (match === null) throw new Error(`no redirect line in:\n${stdout}`);
  return { env: { NODE_EXTRA_CA_CERTS: match[1] as string, PUSHSIM_REDIRECT: match[2] as string }, module: match[3] as string };
}

describe('pushsim mock --impersonate', () => {
  it('fcm: prints the lines that send an unmodified firebase-admin app to it, and keeps its CA for the next start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-impersonate-'));
    const mock = await startMock(['fcm', '--impersonate', '--credentials-dir', dir]);
    let caBefore: string;
    try {
      const { env, module } = printedCommand(mock.stdout);
      expect(env['PUSHSIM_REDIRECT']).toMatch(/^fcm\.googleapis\.com=127\.0\.0\.1:\d+,oauth2\.googleapis\.com=127\.0\.0\.1:\d+$/);
      expect(mock.stdout).toContain(`firebase-admin: GOOGLE_APPLICATION_CREDENTIALS=${join(dir, 'service-account.json')}`);
      expect((await stat(join(dir, 'ca-key.pem'))).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8'))).toMatchObject({ impersonated: ['fcm.googleapis.com', 'oauth2.googleapis.com'], redirect: env['PUSHSIM_REDIRECT'] });
      caBefore = await readFile(join(dir, 'ca.pem'), 'utf8');

      const run = await runNode(['--import', module, 'examples/own-app/firebase-admin.mjs', `t-${'a'.repeat(40)}`], {
        ...env,
        GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'service-account.json'),
      });
      expect(run.code, run.stderr).toBe(0);
      expect(lastJson(run)).toMatchObject({ successCount: 1, failures: [] });
    } finally {
      await mock.stop();
    }
    const again = await startMock(['fcm', '--impersonate', '--credentials-dir', dir]);
    await again.stop();
    expect(await readFile(join(dir, 'ca.pem'), 'utf8')).toBe(caBefore);
  });

  it('apns and webpush print their names; a half-present CA is a credential problem (exit 3)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-impersonate-'));
    const apns = await startMock(['apns', '--impersonate', '--credentials-dir', dir]);
    await apns.stop();
    expect(printedCommand(apns.stdout).env['PUSHSIM_REDIRECT']).toMatch(/^api\.push\.apple\.com=127\.0\.0\.1:\d+,api\.sandbox\.push\.apple\.com=127\.0\.0\.1:\d+,api\.development\.push\.apple\.com=/);
    expect(apns.stdout).toMatch(/hosts file: 127\.0\.0\.1 api\.push\.apple\.com api\.sandbox\.push\.apple\.com api\.development\.push\.apple\.com/);
    const push = await startMock(['webpush', '--impersonate', '--credentials-dir', dir]);
    await push.stop();
    expect(printedCommand(push.stdout).env['PUSHSIM_REDIRECT']).toMatch(/^updates\.push\.services\.mozilla\.com=127\.0\.0\.1:\d+$/);

    const broken = await mkdtemp(join(tmpdir(), 'pushsim-impersonate-'));
    await writeFile(join(broken, 'ca.pem'), 'x');
    const result = await pushsim('mock', 'apns', '--impersonate', '--credentials-dir', broken);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/has ca\.pem but no ca-key\.pem/);
  });
});
