/**
 * `pushsim tune` through the built CLI: a tiny two-variant tuning, and its exit codes for bad flags
 * (2) and a bad scenario or grid (104).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TuneReport } from '../../reports/tune.js';
import { scenarioWithFlags } from '../../cli/commands/run-action.js';
import { bin, cliTestTimeout, pushsim } from './helpers.js';

async function scenarioDir(yaml: string): Promise<{ dir: string; scenario: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-tune-'));
  const scenario = join(dir, 'scenario.yaml');
  await writeFile(scenario, yaml);
  return { dir, scenario };
}

// Every token's first attempt meets a 503 (from --faults); the budget lets each one retry.
const flaky = 'name: flaky\ntarget: { mock: apns, worker: false }\nwarmup: 0\nload: { rate: 3000, count: 300 }\ntokens: { count: 100, unregisteredRatio: 0 }\npolicies: { retry: { budget: { ratio: 1 } }, circuitBreaker: false }\n';

describe('pushsim tune', { timeout: cliTestTimeout }, () => {
  it('runs each variant, ranks the retrying one first, prints its policies and writes tune.json', async () => {
    const { dir, scenario } = await scenarioDir(flaky);
    const faults = join(dir, 'faults.yaml');
    await writeFile(faults, 'faults:\n  - { kind: outage, id: first-try, firstNPerToken: 1 }\n');
    const out = join(dir, 'out');
    const ran = await pushsim('tune', scenario, '--retry-attempts', 'off,3', '--retry-base-delay', '1', '--faults', faults, '--out', out);
    expect(ran.code).toBe(0);
    expect(ran.stderr).toContain('pushsim: tuning scenario "flaky": 2 variant(s) of 300 notifications at 3000/s');
    expect(ran.stderr).toMatch(/^pushsim: \[1\/2\] retry off · breaker off: delivered 66\.67% · rejected 100 · undelivered 0 · duplicates 0/m);
    expect(ran.stderr).toMatch(/^pushsim: \[2\/2\] retry 3×1ms · breaker off: delivered 100\.00% · rejected 0/m);
    expect(ran.stdout).toMatch(/^1\s+retry 3×1ms · breaker off\s+100\.00%.*★ best$/m);
    expect(ran.stdout).toMatch(/^2\s+retry off · breaker off\s+66\.67%/m);
    const [, yaml = ''] = ran.stdout.split('paste into the scenario:\n');
    expect(parse(yaml)).toEqual({ policies: { retry: { budget: { ratio: 1 }, maxAttempts: 3, baseDelayMs: 1 }, circuitBreaker: false } });

    const file = JSON.parse(await readFile(join(out, 'tune.json'), 'utf8')) as TuneReport;
    expect(file).toMatchObject({ schema: 'pushsim.tune/1', scenario: 'flaky', planned: 2, ranking: [1, 0], best: { label: 'retry 3×1ms · breaker off' } });
    expect(file.variants.map((v) => v.label)).toEqual(['retry off · breaker off', 'retry 3×1ms · breaker off']);
    expect(file.variants[0]).not.toHaveProperty('result');
    const page = await readFile(join(out, 'tune.html'), 'utf8');
    expect(page).toContain('<h1>pushsim tune · flaky</h1>');
    expect(page).toContain('id="pushsim-tune-data"');
  });

  it('prints the report as JSON with --json, and nothing on stderr but the file it wrote with --quiet', async () => {
    const { dir, scenario } = await scenarioDir(flaky);
    const ran = await pushsim('tune', scenario, '--breaker', 'off,on', '--count', '200', '--json', '--quiet', '--out', dir);
    expect(ran.code).toBe(0);
    expect(ran.stderr).toBe(`pushsim: tune report written to ${join(dir, 'tune.json')} and ${join(dir, 'tune.html')}\n`);
    const report = JSON.parse(ran.stdout) as TuneReport;
    expect(report.variants.map((v) => [v.label, v.metrics.scheduled])).toEqual([
      ['retry 5×100ms · breaker off', 200],
      ['retry 5×100ms · breaker 0.5/5s', 200],
    ]);
    expect(report.variants[0]).not.toHaveProperty('result');
  });

  it('exits 2 for a bad list or --count on a ramp, naming what it expected', async () => {
    const { dir, scenario } = await scenarioDir(flaky);
    const attempts = await pushsim('tune', scenario, '--retry-attempts', '1,x', '--out', dir);
    expect(attempts.code).toBe(2);
    expect(attempts.stderr).toContain('expected a comma-separated list of whole numbers ≥ 1 or off, got "1,x"');
    const breaker = await pushsim('tune', scenario, '--breaker', 'on,on', '--out', dir);
    expect(breaker.code).toBe(2);
    expect(breaker.stderr).toContain('expected a comma-separated list of on or off without repeats, got "on,on"');
    const ramp = await scenarioDir('name: ramp\nload: { executor: ramping-arrival-rate, stages: [{ durationMs: 100, target: 10 }] }\n');
    const refused = await pushsim('tune', ramp.scenario, '--count', '10', '--out', dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('scenario "ramp" ramps (load.stages)');
  });

  it('exits 104 for a broken scenario file or a grid with bad values, listing every problem before running', async () => {
    const broken = await scenarioDir('name: broken\nwarmup: -2\ntokens: { unregisteredRatio: 2 }\n');
    const ran = await pushsim('tune', broken.scenario, '--retry-attempts', '1,3', '--out', broken.dir);
    expect(ran.code).toBe(104);
    expect(ran.stderr).toContain(`${broken.scenario} has 2 problem(s)`);
    expect(ran.stderr).toMatch(/- \S*scenario\.yaml:\d+:\d+: tokens\.unregisteredRatio must be[\s\S]*- \S*scenario\.yaml:\d+:\d+: warmup must be/);
    const { dir, scenario } = await scenarioDir(flaky);
    const grid = await pushsim('tune', scenario, '--breaker-error-rate', '0.5,2', '--retry-attempts', '200', '--out', dir);
    expect(grid.code).toBe(104);
    expect(grid.stderr).toContain('scenario "flaky" with its policy grid has 2 problem(s)');
    expect(grid.stderr).toContain('retry.maxAttempts[0]: retry maxAttempts must be an integer from 1 to 100, got 200');
    expect(grid.stderr).toContain('circuitBreaker.errorRate[1]: circuit breaker errorRate must be a number from 5e-324 to 1, got 2');
    expect(grid.stderr).not.toContain('[1/');
  });

  it('--recipients: a path from the working directory, sent to by every variant and named relative to the scenario file, as pushsim run does', async () => {
    const { dir } = await scenarioDir('');
    await mkdir(join(dir, 'data'));
    await mkdir(join(dir, 'scenarios'));
    const csv = join(dir, 'data', 'people.csv');
    await writeFile(csv, `apnsToken\n${'a'.repeat(63)}3\n`);
    const scenario = join(dir, 'scenarios', 'plain.yaml');
    await writeFile(scenario, 'name: plain\ntarget: { mock: apns, worker: false }\nload: { rate: 200, count: 4 }\nwarmup: 0\n');
    // Relative to this process's working directory, which the command inherits.
    const fromHere = relative(process.cwd(), csv);
    expect((await scenarioWithFlags(scenario, { out: dir, recipients: fromHere })).recipients).toEqual({ file: resolve(csv), name: join('..', 'data', 'people.csv') });
    const ran = await pushsim('tune', scenario, '--recipients', fromHere, '--retry-attempts', '3', '--breaker', 'off', '--json', '--quiet', '--out', join(dir, 'out'));
    expect(ran.code, ran.stderr).toBe(0);
    const report = JSON.parse(ran.stdout) as TuneReport;
    expect(report.variants.map((v) => [v.metrics.scheduled, v.metrics.accepted])).toEqual([[4, 4]]);
  });

  it.each([
    ['SIGINT', 1],
    ['SIGTERM', 1],
    ['SIGINT', 2],
  ] as const)('a %s stops the tuning on %i thread(s): what finished is written, the unfinished variants not ranked, and it exits 130 / 143 as an interrupted run does', async (signal, threads) => {
    // Hours of simulation if left alone: only the signal ends it.
    const { dir, scenario } = await scenarioDir('name: endless\ntarget: { mock: apns }\nload: { rate: 1000000, count: 100000000 }\n');
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [bin, 'tune', scenario, '--virtual', '--threads', String(threads), '--breaker', 'on,off', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('tuning scenario "endless"')) resolve();
      }),
    );
    child.kill(signal);
    expect(await exited, stderr).toBe(signal === 'SIGINT' ? 130 : 143);
    expect(stderr).toContain(`pushsim: ${signal}: stopping the tuning; the variants that finished are ranked and written`);
    // One thread reports the variant it cut short; on several, the threads' variants end unreported.
    if (threads === 1) expect(stderr).toMatch(new RegExp(`\\[1/2\\] retry 5×100ms · breaker 0\\.5/5s: interrupted by ${signal}, not ranked`));
    const report = JSON.parse(await readFile(join(out, 'tune.json'), 'utf8')) as TuneReport;
    expect(report).toMatchObject({ planned: 2, variants: [] });
  });
});

