/** `pushsim run --record-profile FILE`, and a scenario's mock target replaying it with `profile:`. */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../simulator/profile.js';
import { bin, cliTestTimeout, expectUserError, pushsim } from './helpers.js';
import type { CliResult } from './helpers.js';

describe('pushsim run --record-profile', { timeout: cliTestTimeout }, () => {
  it('writes a profile of the run that a scenario file replays (path relative to it)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-profile-'));
    const file = join(dir, 'apns.profile.json');
    // 0.8 s of sending: time for dozens of round-trip probes (one every 20 ms).
    const ran = await pushsim('run', '--count', '400', '--rate', '500', '--warmup', '0', '--no-fail-on-overload', '--quiet', '--out', dir, '--record-profile', file);
    expect(ran.code).toBe(0);
    expect(ran.stderr).toContain(`answered attempt(s) written to ${file}`);
    const profile = parseProfile(await readFile(file, 'utf8'), file);
    expect(profile.source?.scenario).toBe('default');
    const apns = profile.providers.apns;
    expect(apns?.latencyMs.count).toBe(apns?.answers.reduce((sum, a) => sum + a.count, 0));
    expect(apns?.answers.map((a) => a.status)).toContain(200);
    // This machine's round trip was probed and taken off the wire times, which are kept beside.
    const local = profile.localRoundTripMs;
    expect(local?.method).toBe('loopback-probe');
    expect(local?.subtractedMs).toBe(local?.mean);
    expect(apns?.wireLatencyMs?.count).toBe(apns?.latencyMs.count);

    const scenario = join(dir, 'replay.yaml');
    await writeFile(scenario, 'name: replay\ntarget: { mock: apns, profile: apns.profile.json }\nwarmup: 0\nload: { rate: 2000, count: 300 }\ntokens: { unregisteredRatio: 0 }\n');
    const replay = await pushsim('run', scenario, '--quiet', '--no-fail-on-overload', '--out', dir);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/^profile-answers\s+recorded-answers\s+\d+$/m);
  });

  it('refuses a directory that does not exist and several workers before sending (exit 2)', async () => {
    expectUserError(await pushsim('run', '--record-profile', '/nonexistent-pushsim-dir/p.json', '--quiet'), 2, /--record-profile \/nonexistent-pushsim-dir\/p\.json: the directory \/nonexistent-pushsim-dir does not exist/);
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-profile-'));
    expectUserError(await pushsim('run', '--record-profile', join(dir, 'p.json'), '--workers', '2', '--quiet', '--out', dir), 2, /--record-profile records every answer in the sending thread: drop --workers 2/);
  });

  it('refuses a path that is a directory, or no path, before sending (exit 2), not after the run with a temporary file\'s name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-profile-'));
    const isDir = await pushsim('run', '--record-profile', dir, '--count', '5', '--warmup', '0', '--quiet', '--out', join(dir, 'out'));
    expectUserError(isDir, 2, new RegExp(`--record-profile ${dir.replaceAll('.', '\\.')} is a directory; give the path of the profile file to write, such as .*apns\\.profile\\.json`));
    expect(isDir.stdout).not.toMatch(/accepted/);
    const empty = await pushsim('run', '--record-profile', '', '--count', '5', '--warmup', '0', '--quiet', '--out', join(dir, 'out2'));
    expectUserError(empty, 2, /--record-profile needs the path of the profile file to write/);
    expect(empty.stdout).not.toMatch(/accepted/);
  });

  it('refuses a directory it cannot write before sending (exit 2), not after the run with a temporary file\'s name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-profile-'));
    await chmod(dir, 0o755);
    const readOnly = join(dir, 'read-only');
    await mkdir(readOnly);
    await chmod(readOnly, 0o555);
    const out = join(dir, 'out');
    await mkdir(out);
    await chmod(out, 0o777);
    // root writes anywhere: run as nobody then (setpriv, util-linux), as a user would be.
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
    const result = await new Promise<CliResult>((done) => {
      execFile(asUser[0] as string, [...asUser.slice(1), bin, 'run', '--record-profile', join(readOnly, 'p.json'), '--count', '5', '--warmup', '0', '--quiet', '--out', out], { timeout: 60_000 }, (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number; killed?: boolean }) | null;
        done({ code: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null, stdout, stderr, timedOut: failure?.killed === true });
      });
    });
    expectUserError(result, 2, /--record-profile .*read-only\/p\.json: the directory .*read-only cannot be written \(permission denied\)/);
    expect(result.stdout).not.toMatch(/accepted/);
  });

  it('names a bad profile in a scenario by file and field (exit 104)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-profile-'));
    const scenario = join(dir, 'bad.yaml');
    await writeFile(join(dir, 'bad.profile.json'), JSON.stringify({ schema: 'pushsim.profile/1', recordedAt: 'now', providers: { apns: { attempts: 1 } } }));
    await writeFile(scenario, 'name: bad\ntarget: { mock: apns, profile: bad.profile.json }\n');
    const bad = await pushsim('run', scenario, '--quiet', '--out', dir);
    expectUserError(bad, 104, /target\.profile: profile .*bad\.profile\.json: recordedAt must be an ISO 8601 time, got 'now'/);
    expect(bad.stderr).toContain('providers.apns.latencyMs must be an object');
    await writeFile(scenario, 'name: both\ntarget: { mock: apns, profile: bad.profile.json, latency: { kind: fixed, ms: 1 } }\n');
    expectUserError(await pushsim('run', scenario, '--quiet', '--out', dir), 104, /target\.latency and target\.profile both set the mock's latency/);
  });
});
