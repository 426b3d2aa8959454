/**
 * `pushsim run --shard` as a Kubernetes Indexed Job runs it, played on this machine: the Job's own
 * args and env (deploy/k8s/job.yaml), one process of the built CLI per completion index with
 * JOB_COMPLETION_INDEX set as Kubernetes sets it, then the merge Job's own command
 * (deploy/k8s/merge-job.yaml), compared with one run of the whole scenario with the same seed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { initHistograms } from '../../reports/histogram.js';
import { readResult } from '../../reports/json.js';
import type { Result } from '../../reports/result.js';
import { bin, expectUserError, pushsim, pushsimWithin } from './helpers.js';
import type { CliResult } from './helpers.js';

const k8s = join(import.meta.dirname, '../../deploy/k8s');

interface Container {
  args: string[];
  env: { name: string; value?: string }[];
}

/** The first container of a Job manifest, with `${START_AT}` filled in as the README's envsubst does. */
async function container(file: string, startAt = ''): Promise<Container> {
  const text = (await readFile(join(k8s, file), 'utf8')).replaceAll('${START_AT}', startAt);
  const job = parse(text) as { spec: { template: { spec: { containers: Container[] } } } };
  return job.spec.template.spec.containers[0] as Container;
}

/** `sh -c COMMAND`, killed after `timeoutMs`. */
function shell(command: string, timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const failure = error as (Error & { code?: number; killed?: boolean }) | null;
      resolve({ code: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null, stdout, stderr, timedOut: failure?.killed === true });
    });
  });
}

/**
 * Small and modest, so the test holds on a busy two-core machine: 3 × 2,000 at 600/s in all, 10 s,
 * long enough that a pause at a shard's end cannot take 2 % off the rate.
 */
const small = ['--rate', '600', '--count', '6000', '--warmup', '0', '--no-fail-on-overload', '--quiet'];
const runTimeoutMs = 90_000;

beforeAll(async () => {
  await initHistograms();
});

describe('pushsim run --shard: the Indexed Job contract', { timeout: 4 * runTimeoutMs }, () => {
  it('3 shards with JOB_COMPLETION_INDEX, merged by the merge Job, equal one run of the whole: counts exactly, rate within 2 %', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-shards-'));
    const results = join(dir, 'results');
    // Far enough ahead for three processes to start their mocks on a loaded machine.
    const startAt = new Date(Date.now() + 8000).toISOString();
    const job = await container('job.yaml', startAt);
    const env = Object.fromEntries(job.env.flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])));
    const shards = Number(env['PUSHSIM_SHARDS']);
    expect(shards).toBe(3);
    expect(env['PUSHSIM_START_AT']).toBe(startAt);

    const runs = await Promise.all(
      Array.from({ length: shards }, (_, index) => {
        const args = job.args.map((arg) => arg.replaceAll('$(JOB_COMPLETION_INDEX)', String(index)).replace(/^\/results/, results));
        return pushsimWithin(runTimeoutMs, [...args, ...small], { ...env, JOB_COMPLETION_INDEX: String(index) });
      }),
    );
    for (const run of runs) expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('result written to') as unknown });
    const parts = await Promise.all(runs.map((_, index) => readResult(join(results, `shard-${index}`, 'result.json'))));
    parts.forEach((part, index) => {
      expect(part.shard).toMatchObject({ index, count: 3, startAt });
      expect(part.counts.scheduled).toBe(2000);
    });

    const merge = await container('merge-job.yaml');
    const command = (merge.args[0] as string).replaceAll('/results', results).replace('node dist/cli/bin.js', `"${process.execPath}" "${bin}"`);
    const merged = await shell(command, runTimeoutMs);
    expect({ code: merged.code, stderr: merged.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('3 result(s) merged') as unknown });
    const whole = await readResult(join(results, 'merged', 'result.json'));

    const single = await pushsimWithin(runTimeoutMs, ['run', 'default', '--out', join(dir, 'single'), ...small], { JOB_COMPLETION_INDEX: '', PUSHSIM_SHARDS: '', PUSHSIM_START_AT: '' });
    expect({ code: single.code, stderr: single.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('result written to') as unknown });
    const one = await readResult(join(dir, 'single', 'result.json'));

    // Counts exactly: the same notifications went to the same tokens, so the same ones were rejected.
    expect(whole.counts).toEqual(one.counts);
    expect(whole.byReason).toEqual(one.byReason);
    expect(new Set(whole.tokensToPrune?.map((t) => t.token))).toEqual(new Set(one.tokensToPrune?.map((t) => t.token)));
    expect(whole.counts.rejected).toBeGreaterThan(0);
    expect(whole.shards).toMatchObject({ count: 3, scenarioDigest: parts[0]?.shard?.scenarioDigest, startAt });

    // Percentiles from the added histograms: every shard's values, once each.
    const accepted = (r: Result): Result['latencyMs']['accepted'] => r.latencyMs.accepted;
    expect(accepted(whole).count).toBe(parts.reduce((sum, part) => sum + accepted(part).count, 0));
    for (const p of ['p50', 'p99', 'p999'] as const) {
      expect(accepted(whole)[p]).toBeGreaterThanOrEqual(Math.min(...parts.map((part) => accepted(part)[p])));
      expect(accepted(whole)[p]).toBeLessThanOrEqual(Math.max(...parts.map((part) => accepted(part)[p])));
    }

    // The shards' planned rates add up to the whole's, and so do their achieved rates (each over its
    // own duration, which a busy machine's tail stretches: the sum is only near the target).
    expect(whole.rate.target).toBe(600);
    expect(whole.rate.achieved).toBeCloseTo(parts.reduce((sum, part) => sum + part.rate.achieved, 0), 1);
    expect(Math.abs(whole.rate.achieved - 600) / 600).toBeLessThan(0.1);
  });

  it('refuses shards that cannot run, before starting anything (exit 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-shards-'));
    const out = ['--out', join(dir, 'out')];
    expectUserError(await pushsim('run', '--shard', '3/3', ...out), 2, /--shard must be I\/N.*shard 3 of 3 does not exist: shards count from 0/);
    expectUserError(await pushsimWithin(30_000, ['run', ...out], { JOB_COMPLETION_INDEX: '1', PUSHSIM_SHARDS: '' }), 2, /JOB_COMPLETION_INDEX is set \("1": a pod of a Kubernetes Indexed Job\) but not how many shards/);
    expectUserError(await pushsim('run', '--shard', '0/3', '--count', '2', ...out), 2, /the load plans 2 notification\(s\); 3 shards need at least 3/);
    expectUserError(await pushsim('run', '--shard', '0/3', '--start-at', new Date(Date.now() - 60_000).toISOString(), ...out), 2, /--start-at .*: that is \d+\.\d s ago \(now .*\); the shards would not start together/);
    expectUserError(await pushsim('run', '--start-at', '1796529720', ...out), 2, /looks like seconds since the epoch/);
  });
});
