/**
 * The commands that listen (`mock apns|fcm|webpush`, `proxy`): a port in use, an address this
 * machine does not have, a credentials directory that is a file, an upstream CA that is not one —
 * each ends the process by itself (no server left listening) with the documented exit code and a
 * message naming the flag: no stack trace, no "please report it".
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUserError, pushsimWithin, startMock } from './helpers.js';

const budget = 25_000;
const testTimeout = 180_000;
const cli = (...args: string[]) => pushsimWithin(budget, args);

let dir: string;
let file: string;
let busy: Server;
let busyPort: number;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pushsim-errors-servers-'));
  file = join(dir, 'a-file');
  await writeFile(file, 'not a directory');
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => busy.close(() => resolve()));
});

describe.each(['apns', 'fcm', 'webpush'])('pushsim mock %s', (provider) => {
  it('a port in use, an address not on this machine, a host name that does not resolve: exit 2 naming the flag', async () => {
    expectUserError(await cli('mock', provider, '--port', String(busyPort)), 2, new RegExp(`port ${busyPort} on 127\\.0\\.0\\.1 is in use; choose another with --port`));
    expectUserError(await cli('mock', provider, '--host', '192.0.2.1'), 2, /192\.0\.2\.1 is not an address of this machine \(--host\)/);
    expectUserError(await cli('mock', provider, '--host', '::2'), 2, /::2 is not an address of this machine \(--host\)/);
    expectUserError(await cli('mock', provider, '--host', 'no-such-host.invalid'), 2, /no-such-host\.invalid \(--host\) is not a host name this machine can resolve/);
    expectUserError(await cli('mock', provider, '--control-port', String(busyPort)), 2, new RegExp(`port ${busyPort} on 127\\.0\\.0\\.1 is in use; choose another with --control-port`));
  }, testTimeout);

  it('--credentials-dir that is a file, or under one: exit 2 before the mock starts', async () => {
    expectUserError(await cli('mock', provider, '--credentials-dir', file), 2, /--credentials-dir .*a-file already exists and is not a directory \(EEXIST\)/);
    expectUserError(await cli('mock', provider, '--credentials-dir', join(file, 'x')), 2, /--credentials-dir .*a-file\/x goes through a file where a directory belongs \(ENOTDIR\)/);
  }, testTimeout);
});

describe('pushsim proxy', () => {
  it('--ca-dir that is a file, --listen in use, --host not on this machine: exit 2', async () => {
    const upstream = ['--upstream', 'http://127.0.0.1:9'];
    expectUserError(await cli('proxy', '--listen', '0', ...upstream, '--ca-dir', file), 2, /--ca-dir .*a-file already exists and is not a directory/);
    expectUserError(await cli('proxy', '--listen', String(busyPort), ...upstream), 2, new RegExp(`port ${busyPort} on 127\\.0\\.0\\.1 is in use; choose another with --listen`));
    expectUserError(await cli('proxy', '--listen', '0', '--host', '192.0.2.1', ...upstream), 2, /192\.0\.2\.1 is not an address of this machine \(--host\)/);
    expectUserError(await cli('proxy', '--listen', '0', '--control-port', String(busyPort), ...upstream), 2, /in use; choose another with --control-port/);
  }, testTimeout);

  it('--upstream-ca that is empty, not PEM, a private key or missing: exit 3', async () => {
    const upstream = ['--listen', '0', '--upstream', 'http://127.0.0.1:9'];
    await writeFile(join(dir, 'empty.pem'), '');
    await writeFile(join(dir, 'junk.pem'), 'hello, I am not a certificate\n');
    await writeFile(join(dir, 'rsa.pem'), generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    await writeFile(join(dir, 'broken.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const cases: [string, RegExp][] = [
      ['empty.pem', /--upstream-ca .*empty\.pem is empty/],
      ['junk.pem', /--upstream-ca .*junk\.pem is not a PEM certificate/],
      ['rsa.pem', /--upstream-ca .*rsa\.pem holds a private key, not a certificate/],
      ['broken.pem', /--upstream-ca .*broken\.pem certificate 1 does not parse as X\.509/],
      ['missing.pem', /--upstream-ca .*missing\.pem does not exist/],
    ];
    for (const [name, message] of cases) {
      const result = await cli('proxy', ...upstream, '--upstream-ca', join(dir, name));
      expectUserError(result, 3, message);
    }
  }, testTimeout);
});

describe('secrets', () => {
  it('keys are written 0600 even over an existing 0644 file, and a credentials directory made here is 0700', async () => {
    const existing = await mkdtemp(join(tmpdir(), 'pushsim-secrets-'));
    for (const name of ['service-account.json', 'vapid.json', 'subscriptions.json', 'client-key.pem']) await writeFile(join(existing, name), 'old', { mode: 0o644 });
    const fresh = join(dir, 'made-here');
    for (const args of [['fcm'], ['webpush'], ['apns', '--mtls']]) {
      for (const credentialsDir of [existing, fresh]) {
        const mock = await startMock([...args, '--credentials-dir', credentialsDir]);
        expect((await mock.stop()).code).toBe(0);
      }
    }
    const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);
    const key = (await readdir(existing)).find((name) => name.startsWith('AuthKey_')) as string;
    for (const name of ['service-account.json', 'vapid.json', 'subscriptions.json', 'client-key.pem', key]) {
      expect({ name, mode: await mode(join(existing, name)) }).toEqual({ name, mode: '600' });
    }
    expect(await mode(fresh)).toBe('700');
    // Written whole and renamed: no temporary file is left behind.
    expect((await readdir(existing)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, testTimeout);
});
