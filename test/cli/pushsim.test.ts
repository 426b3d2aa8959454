/**
 * The CLI as users and CI call it: the built bin (npm test builds dist/ first, see `pretest`).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTestTimeout, pushsim, startMock } from './helpers.js';
import { readResult } from '../../reports/json.js';
import { checkInvariant } from '../../reports/result.js';
import { ApnsSender } from '../../sender/apns-sender.js';


describe('pushsim CLI', { timeout: cliTestTimeout }, () => {
  it('run: sends the default scenario (shortened), prints the summary and writes a result whose counts add up', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pushsim-cli-'));
    const { code, stdout, stderr } = await pushsim('run', '--count', '3000', '--rate', '3000', '--warmup', '0', '--no-fail-on-overload', '--out', out);
    expect(stderr).toContain('result written to');
    expect(code).toBe(0);
    expect(stdout).toMatch(/accepted/);
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
    expect(result.schema).toBe('pushsim.result/1');
    const c = result.counts;
    expect(c.scheduled).toBe(3000);
    expect(c.accepted + c.rejected + c.failed + c.expired + c.dropped).toBe(3000);
    expect(c.rejected).toBeGreaterThan(0);
    expect(result.byReason['apns:Unregistered']).toBe(c.rejected);
    const prune = JSON.parse(await readFile(join(out, 'tokens-to-prune.json'), 'utf8'));
    expect(prune.length).toBe(result.tokensToPrune.length);
    expect(prune.length).toBeGreaterThan(0);
    expect(prune[0]).toMatchObject({ provider: 'apns', reason: 'Unregistered', token: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('run mixed: sends to the mock APNs, FCM and Web Push at once and writes a valid result whose counts add up', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pushsim-mixed-'));
    const { code, stderr } = await pushsim('run', 'mixed', '--count', '600', '--rate', '1000', '--warmup', '0', '--no-fail-on-overload', '--out', out);
    expect(stderr).toContain('result written to');
    expect(code).toBe(0);
    expect(stderr).toMatch(/scenario "mixed" — 600 notifications at 1000\/s .*apns 60 % · fcm 30 % · webpush 10 %/);
    expect(stderr).toMatch(/target apns http:\/\/127\.0\.0\.1:\d+ · fcm http:\/\/127\.0\.0\.1:\d+ · webpush http:\/\/127\.0\.0\.1:\d+ \(mock apns worker · fcm in-process · webpush in-process\)/);
    // readResult checks the file against the result.json schema.
    const result = await readResult(join(out, 'result.json'));
    expect(checkInvariant(result)).toBeUndefined();
    expect(result).toMatchObject({ scenario: 'mixed', counts: { scheduled: 600, failed: 0, dropped: 0 } });
    expect(Object.keys(result.byReason).every((key) => /^(apns|fcm|webpush):/.test(key))).toBe(true);
  });

  it('run FILE: a YAML scenario whose threshold fails exits 99 and says which; a broken file exits 104 listing every problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-yaml-'));
    const failing = join(dir, 'strict.yaml');
    await writeFile(failing, ['name: strict', 'target: { mock: apns, worker: false }', 'load: { rate: 2000, count: 500 }', 'warmup: 0', 'thresholds: ["rate(accepted)>=0.999", "count(failed)==0"]'].join('\n'));
    const ran = await pushsim('run', failing, '--quiet', '--no-fail-on-overload', '--out', dir);
    expect(ran.code).toBe(99);
    expect(ran.stdout).toMatch(/rate\(accepted\)>=0\.999\s+0\.9\d+\s+✗ FAIL/);
    expect(ran.stdout).toMatch(/count\(failed\)==0\s+0\s+✓ pass/);
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'name: broken\nload: { rate: 0 }\nsender: { conections: 2 }\n');
    const bad = await pushsim('run', broken);
    expect(bad.code).toBe(104);
    expect(bad.stderr).toContain('broken.yaml has 2 problem(s)');
    expect(bad.stderr).toMatch(/load\.rate/);
    expect(bad.stderr).toMatch(/conections/);
  });

  it('run FILE with faults: the mock in its worker injects them after the warm-up; duplicates fail a threshold (99) and land in result.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-faults-'));
    const scenario = join(dir, 'lossy.yaml');
    await writeFile(
      scenario,
      [
        'name: lossy',
        'target: { mock: apns, latency: { kind: fixed, ms: 1 } }',
        'load: { rate: 2000, count: 1000 }',
        'tokens: { count: 500, unregisteredRatio: 0 }',
        'warmup: 200',
        // Every lost acknowledgement is retried however bursty a loaded machine makes the traffic, and
        // no breaker opens on a burst of them: the duplicates do not depend on the machine's timing.
        'policies: { retry: { budget: { ratio: 1 } }, circuitBreaker: false }',
        'faults: { seed: 9, faults: [{ kind: accept-then-fail, id: lost-acks, probability: 0.1 }] }',
        'thresholds: ["count(duplicates)==0", "rate(accepted)>=0.99"]',
      ].join('\n'),
    );
    const ran = await pushsim('run', scenario, '--quiet', '--no-fail-on-overload', '--out', dir);
    expect(ran.code).toBe(99);
    expect(ran.stdout).toMatch(/count\(duplicates\)==0\s+\d+\s+✗ FAIL/);
    expect(ran.stdout).toMatch(/^lost-acks\s+accept-then-fail\s+\d+$/m);
    const result = await readResult(join(dir, 'result.json'));
    const injected = result.faults?.[0]?.injected ?? 0;
    expect(injected).toBeGreaterThan(50);
    expect(result.counts.duplicates).toBeGreaterThan(50);
    expect(result.delivery).toMatchObject({ duplicates: result.counts.duplicates, unidentified: 0 });
    // The warm-up's 200 deliveries were forgotten: one delivery per notification, plus the duplicates.
    expect(result.delivery?.unique).toBe(1000);
    expect(checkInvariant(result)).toBeUndefined();
  });

  it('--help and --version exit 0', async () => {
    const help = await pushsim('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('run [options] [scenario]');
    const version = await pushsim('--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('each command is loaded on its own (start-up) yet every way to ask for help still finds it', async () => {
    // Only the named command's definition is loaded: its own help, and mock's subcommands, work alone.
    const reportHelp = await pushsim('report', '--help');
    expect(reportHelp.code).toBe(0);
    expect(reportHelp.stdout).toContain('Usage: pushsim report');
    const fcmHelp = await pushsim('mock', 'fcm', '--help');
    expect(fcmHelp.code).toBe(0);
    expect(fcmHelp.stdout).toContain('Usage: pushsim mock fcm');
    // `help report` and a mistyped name load every definition: help finds it, the typo gets a suggestion.
    const helpReport = await pushsim('help', 'report');
    expect(helpReport.code).toBe(0);
    expect(helpReport.stdout).toContain('Usage: pushsim report');
    const typo = await pushsim('reprt', 'result.json');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Did you mean report?');
  });

  it('bad flags exit 2 and say what is wrong; an unknown scenario exits 104', async () => {
    const badRate = await pushsim('run', '--rate', 'fast');
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toMatch(/--rate.*expected a number > 0, got "fast"/s);
    const unknown = await pushsim('frobnicate');
    expect(unknown.code).toBe(2);
    const scenario = await pushsim('run', 'nope');
    expect(scenario.code).toBe(104);
    expect(scenario.stderr).toContain('there is no built-in scenario named "nope"');
  });

  it('mock apns: prints its URL and credentials, serves the real sender, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-mock-'));
    const { stdout, stop } = await startMock(['apns', '--tls', '--credentials-dir', dir]);
    expect(stdout).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).not.toContain('PRIVATE KEY');
    const info = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8'));
    const sender = await ApnsSender.create({
      url: info.url,
      credentials: { keyId: info.keyId, teamId: info.teamId, privateKey: await readFile(info.keyFile, 'utf8') },
      tls: { ca: await readFile(info.caFile, 'utf8') },
    });
    const outcome = await sender.send({ token: 'ab'.repeat(32), topic: 'com.example', payload: { aps: { alert: 'hi' } } });
    await sender.close();
    expect(outcome.status).toBe('accepted');
    expect((await stop()).code).toBe(0);
  });
});
