/**
 * `pushsim mock apns|fcm|webpush --faults FILE [--fault-seed N] [--control-port N]`, through the
 * built bin (npm test builds dist/ first): what it prints, the control API it starts, the faults it
 * injects, and exit 104 listing every problem of a bad spec file.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTestTimeout, pushsim, startMock } from './helpers.js';
import { openClient, payload, token } from '../simulator/proxy/helpers.js';


async function specFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-mock-faults-'));
  const file = join(dir, 'faults.yaml');
  await writeFile(file, text);
  return file;
}

describe('pushsim mock … --faults', { timeout: cliTestTimeout }, () => {
  it.each(['apns', 'fcm', 'webpush'])('%s: a bad spec file exits 104 and lists every problem, naming the file', async (provider) => {
    const file = await specFile('faults:\n  - kind: error\n  - kind: stall\n    holdMs: -1\n  - kind: nope\n');
    const result = await pushsim('mock', provider, '--faults', file);
    expect(result.code).toBe(104);
    expect(result.stderr).toContain(`${file} has 3 problem(s)`);
    for (const where of ['faults[0]', 'faults[1].holdMs', 'faults[2].kind']) expect(result.stderr).toContain(where);
    expect(result.stdout).not.toContain('listening on');
  });

  it('a bad --fault-seed is a usage error (exit 2)', async () => {
    expect((await pushsim('mock', 'apns', '--faults', 'x.yaml', '--fault-seed', 'abc')).code).toBe(2);
  });

  it('apns: prints how many faults loaded and where the control API listens; the faults apply; the token is never printed', async () => {
    const file = await specFile(`seed: 3\nfaults:\n  - kind: error\n    apns: Unregistered\n    match: { token: '1$' }\n  - kind: latency\n    startMs: 3600000\n    distribution: { kind: fixed, ms: 5 }\n`);
    const secret = 'a-control-token-0123456789';
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-mock-faults-creds-'));
    const mock = await startMock(['apns', '--faults', file, '--fault-seed', '9', '--control-port', '0', '--credentials-dir', dir, '--accept-all'], { PUSHSIM_CONTROL_TOKEN: secret });
    try {
      expect(mock.stdout).toContain(`faults: 2 loaded from ${file}, seed 9`);
      const control = /control API on (http:\/\/127\.0\.0\.1:\d+)/.exec(mock.stdout)?.[1];
      expect(control).toBeDefined();
      expect(mock.stdout).toContain('bearer token from PUSHSIM_CONTROL_TOKEN');
      expect(mock.stdout).not.toContain(secret);
      expect((await fetch(`${control}/faults`)).status).toBe(401);
      const listed = (await (await fetch(`${control}/faults`, { headers: { authorization: `Bearer ${secret}` } })).json()) as { faults: { id: string }[] };
      expect(listed.faults.map((f) => f.id)).toEqual(['error-0', 'latency-1']);
      const url = /listening on (\S+)/.exec(mock.stdout)?.[1] ?? '';
      const client = await openClient(url);
      expect(await client.request({ ':path': `/3/device/${token(1)}` }, payload)).toMatchObject({ status: 410, body: '{"reason":"Unregistered"}' });
      expect(await client.request({ ':path': `/3/device/${token(2)}` }, payload)).toMatchObject({ status: 200 });
      await client.close();
    } finally {
      const { code, stderr } = await mock.stop();
      expect(code).toBe(0);
      expect(stderr).toContain('delivered 1, duplicates 0');
    }
  });

  it.each(['fcm', 'webpush'])('%s: --faults and --control-port print the same lines', async (provider) => {
    const file = await specFile('faults:\n  - kind: outage\n');
    const mock = await startMock([provider, '--faults', file, '--control-port', '0']);
    try {
      expect(mock.stdout).toContain(`faults: 1 loaded from ${file}, seed 1`);
      const control = /control API on (http:\/\/127\.0\.0\.1:\d+)/.exec(mock.stdout)?.[1];
      expect(await (await fetch(`${control}/faults`)).json()).toMatchObject({ faults: [{ kind: 'outage' }] });
    } finally {
      expect((await mock.stop()).code).toBe(0);
    }
  });
});
