/**
 * `pushsim simulate` and `pushsim tune --virtual` through the built CLI: a virtual result that
 * report, compare and merge read, the same result.json for the same seed, and the exit codes for a
 * target that cannot be simulated (104) and bad flags (2).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../reports/result.js';
import type { TuneReport } from '../../reports/tune.js';
import { cliTestTimeout, pushsim } from './helpers.js';

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

  it('refuses a real-provider target with a config error (104), and bad flags with 2', async () => {
    const { dir, scenario } = await scenarioFile('name: real\ntarget: { url: "https://api.sandbox.push.apple.com", credentials: { keyId: ABCDE12345, teamId: ABCDE12345, keyFile: key.p8 } }\n');
    const real = await pushsim('simulate', scenario, '--out', join(dir, 'out'));
    expect(real.code).toBe(104);
    expect(real.stderr).toMatch(/a simulation runs the embedded mocks' logic on virtual time/);
    expect(real.stderr).not.toMatch(/\n\s+at /);
    const badSeed = await pushsim('simulate', scenario, '--seed', 'x');
    expect(badSeed.code).toBe(2);
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
