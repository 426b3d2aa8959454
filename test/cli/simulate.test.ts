/**
 * `pushsim simulate` and `pushsim tune --virtual` through the built CLI: a virtual result that
 * report, compare and merge read, the same result.json for the same seed, recipients from a file
 * (fallback across providers; a bad file answered as `pushsim run` answers it), and the exit codes
 * for a target that cannot be simulated (104) and bad flags (2).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../reports/result.js';
import type { TuneReport } from '../../reports/tune.js';
import { cliTestTimeout, expectUserError, pushsim } from './helpers.js';

// A minute of virtual time: 30 s healthy, 30 s of 503s (outage), at 200/s.
const outage = `name: outage-minute
target: { mock: apns, latency: { kind: lognormal, medianMs: 20, sigma: 0.3 } }
load: { rate: 200, count: 12000 }
tokens: { count: 1000, unregisteredRatio: 0.01 }
policies: { retry: { maxAttempts: 3, baseDelayMs: 200 } }
faults:
  phases: [{ name: healthy, durationMs: 30000 }, { name: outage }]
  faults: [{ kind: outage, id: down, phase: outage }]
`;

async function scenarioFile(yaml: string): Promise<{ dir: string; scenario: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-simulate-'));
  const scenario = join(dir, 'scenario.yaml');
  await writeFile(scenario, yaml);
  return { dir, scenario };
}

const readResult = async (dir: string): Promise<Result> => JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as Result;

describe('pushsim simulate', { timeout: cliTestTimeout }, () => {
  it('writes a virtual result.json that report, compare and merge read, the same for the same seed', async () => {
    const { dir, scenario } = await scenarioFile(outage);
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    const first = await pushsim('simulate', scenario, '--seed', '5', '--out', a, '--report', 'html');
    expect(first.stderr).toContain('simulating scenario "outage-minute" on virtual time');
    expect(first.stdout).toContain('virtual time (pushsim simulate, seed 5)');
    // The outage fails what retries cannot carry past it: the run still ends, exit 0 without thresholds.
    expect(first.code).toBe(0);
    const result = await readResult(a);
    expect(result.virtual).toEqual({ durationMs: result.durationMs, seed: 5 });
    expect(result.durationMs).toBeGreaterThan(59_000);
    expect(result.counts.scheduled).toBe(12_000);
    expect(result.counts.accepted).toBeGreaterThan(5_500);
    expect(result.counts.accepted).toBeLessThan(6_100);
    expect(result.phases?.map((p) => p.name)).toEqual(['healthy', 'outage']);
    expect(result.validity).toBeUndefined();
    expect(await readFile(join(a, 'report.html'), 'utf8')).toContain('of virtual time');

    const second = await pushsim('simulate', scenario, '--seed', '5', '--out', b, '--quiet');
    expect(second.code).toBe(0);
    const strip = (text: string): string => text.replace(/"startedAt": "[^"]+"/, '');
    expect(strip(await readFile(join(b, 'result.json'), 'utf8'))).toBe(strip(await readFile(join(a, 'result.json'), 'utf8')));

    const report = await pushsim('report', join(a, 'result.json'));
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('virtual time');
    const compared = await pushsim('compare', join(a, 'result.json'), join(b, 'result.json'));
    expect(compared.code).toBe(0);
    const merged = join(dir, 'merged');
    const merging = await pushsim('merge', join(a, 'result.json'), join(b, 'result.json'), '--out', merged);
    expect(merging.code).toBe(0);
    const both = await readResult(merged);
    expect(both.counts.scheduled).toBe(24_000);
    expect(both.virtual).toEqual({ durationMs: result.durationMs, seed: 5 });
  });

  it('simulates the built-in default scenario (5,000/s) to its end: it spun for ever before (issue 17)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-simulate-default-'));
    for (const rate of ['5000', '4500']) {
      const out = join(dir, rate);
      const run = await pushsim('simulate', 'default', '--rate', rate, '--count', '2000', '--out', out, '--quiet');
      expect({ timedOut: run.timedOut, code: run.code }).toEqual({ timedOut: false, code: 0 });
      const result = await readResult(out);
      expect(result.counts.scheduled).toBe(2000);
      expect(result.counts.accepted + result.counts.rejected).toBe(2000);
    }
  });

  it('refuses a real-provider target with a config error (104), and bad flags with 2', async () => {
    const { dir, scenario } = await scenarioFile('name: real\ntarget: { url: "https://api.sandbox.push.apple.com", credentials: { keyId: ABCDE12345, teamId: ABCDE12345, keyFile: key.p8 } }\n');
    const real = await pushsim('simulate', scenario, '--out', join(dir, 'out'));
    expect(real.code).toBe(104);
    expect(real.stderr).toMatch(/a simulation runs the embedded mocks' logic on virtual time/);
    expect(real.stderr).not.toMatch(/\n\s+at /);
    const badSeed = await pushsim('simulate', scenario, '--seed', 'x');
    expect(badSeed.code).toBe(2);
  });

  it('simulates the outage-fallback example with its recipients file, and --recipients as pushsim run takes it', async () => {
    const { dir } = await scenarioFile('');
    const out = join(dir, 'fallback');
    const ran = await pushsim('simulate', 'scenarios/examples/outage-fallback.yaml', '--out', out, '--quiet');
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/delivered by apns \d+ · fcm \d+ \(fallbacks across providers: apns→fcm \d+\)/);
    const result = await readResult(out);
    expect(result.virtual).toBeDefined();
    expect(result.providerFallbacks?.['apns>fcm']).toBeGreaterThan(1900);
    expect(result.config?.recipients).toMatchObject({ file: 'outage-fallback-recipients.csv', rows: 200 });
    // --recipients replaces the scenario's, recorded relative to the scenario file as by pushsim run.
    const csv = join(dir, 'one.csv');
    await writeFile(csv, `apnsToken,name\n${'ab'.repeat(32)},Ada\n`);
    const replaced = await pushsim('simulate', 'scenarios/examples/outage-fallback.yaml', '--recipients', csv, '--count', '50', '--out', join(dir, 'one'), '--quiet');
    expect(replaced.code, replaced.stderr).toBe(99); // the example's count(fallbacks)>=1500 fails: one APNs-only recipient cannot fall back
    const one = await readResult(join(dir, 'one'));
    expect(one.config?.recipients).toMatchObject({ rows: 1 });
    expect(one.config?.recipients?.file).toMatch(/one\.csv$/);
    expect(one.deliveredBy).toEqual({ apns: 50 });
  });

  it('answers a missing, misnamed, malformed or piped recipients file with the messages and exit codes of pushsim run', async () => {
    const { dir } = await scenarioFile('');
    await writeFile(join(dir, 'bad.csv'), `apnsToken,name\n${'ab'.repeat(32)}\nnot-hex,Cy\n`);
    await writeFile(join(dir, 'users.txt'), `apnsToken\n${'ab'.repeat(32)}\n`);
    execFileSync('mkfifo', [join(dir, 'pipe.csv')]);
    const cases = [
      { file: 'missing.csv', code: 104, message: /missing\.csv does not exist; recipients\.file is relative to the scenario file/ },
      { file: 'users.txt', code: 2, message: /recipients\.format is needed: the file name .*users\.txt does not end in \.csv/ },
      { file: 'bad.csv', code: 104, message: /bad\.csv:2:1: line 2: 1 field\(s\), the header has 2.*\n.*bad\.csv:3:1: line 3: apnsToken "not-hex" is not a device token/s },
      { file: 'pipe.csv', code: 104, message: /pipe\.csv is not a regular file \(a pipe, device or socket\)/ },
    ];
    for (const { file, code, message } of cases) {
      const args = ['default', '--recipients', join(dir, file), '--count', '5', '--quiet'];
      const simulated = await pushsim('simulate', ...args, '--out', join(dir, 'never-simulated'));
      expectUserError(simulated, code, message);
      const real = await pushsim('run', ...args, '--out', join(dir, 'never-run'));
      expect({ code: simulated.code, stderr: simulated.stderr }, file).toEqual({ code: real.code, stderr: real.stderr });
    }
  });

  it('tune --virtual ranks the variants of a grid on virtual time', async () => {
    const { dir, scenario } = await scenarioFile(outage.replace('count: 12000', 'count: 4000').replace('durationMs: 30000', 'durationMs: 10000'));
    const out = join(dir, 'tune');
    const ran = await pushsim('tune', scenario, '--virtual', '--threads', '1', '--retry-attempts', 'off,3', '--breaker', 'on,off', '--out', out);
    expect(ran.code).toBe(0);
    expect(ran.stderr).toContain('4 variant(s) of 4000 notifications at 200/s (constant arrival rate, ~20.0 s), one after the other, each simulated on virtual time');
    const report = JSON.parse(await readFile(join(out, 'tune.json'), 'utf8')) as TuneReport;
    expect(report.planned).toBe(4);
    expect(report.variants).toHaveLength(4);
    // The outage's 503s are retried by the retrying variants only, and the breaker keeps many of those retries in.
    const retries = (label: string): number => report.variants.find((v) => v.label.startsWith(label))?.metrics.retriesPerNotification ?? NaN;
    expect(retries('retry off')).toBe(0);
    expect(retries('retry 3')).toBeGreaterThan(0);
    // On worker threads: the same tune.json, variant for variant.
    const threaded = await pushsim('tune', scenario, '--virtual', '--threads', '2', '--retry-attempts', 'off,3', '--breaker', 'on,off', '--out', join(dir, 'threads'));
    expect(threaded.code).toBe(0);
    expect(threaded.stderr).toContain('4 variant(s) of 4000 notifications at 200/s (constant arrival rate, ~20.0 s), each simulated on virtual time, 2 at a time on worker threads');
    expect(threaded.stderr.match(/^pushsim: \[\d\/4\] /gm)).toHaveLength(4);
    expect(await readFile(join(dir, 'threads', 'tune.json'), 'utf8')).toBe(await readFile(join(out, 'tune.json'), 'utf8'));
    const noVirtual = await pushsim('tune', scenario, '--seed', '3', '--out', join(dir, 'x'));
    expect(noVirtual.code).toBe(2);
    const threadsWithoutVirtual = await pushsim('tune', scenario, '--threads', '2', '--out', join(dir, 'y'));
    expect(threadsWithoutVirtual.code).toBe(2);
    expect(threadsWithoutVirtual.stderr).toMatch(/--threads spreads the simulations of --virtual/);
  });
});
