/**
 * `pushsim compare` as CI calls it: the built bin on two result.json files, judged by exit code.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initHistograms } from '../../reports/histogram.js';
import { cliTestTimeout, pushsim } from './helpers.js';
import { collect, steady, writeResults } from './results.js';

beforeAll(async () => {
  await initHistograms();
});

describe('pushsim compare', { timeout: cliTestTimeout }, () => {
  it('exits 0 and says so when the candidate is no worse', async () => {
    const { files } = await writeResults(collect(steady(100)), collect(steady(100)));
    const ran = await pushsim('compare', ...files);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^latency p99 \(ms\)\s.*✓$/m);
    expect(ran.stdout).toContain('✓ no regression');
  });

  it('exits 98 when latency rose beyond the tolerance, and 0 with a looser --max-latency-increase', async () => {
    const { files } = await writeResults(collect(steady(100)), collect(steady(130)));
    const ran = await pushsim('compare', ...files);
    expect(ran.code).toBe(98);
    expect(ran.stdout).toMatch(/^latency p99 \(ms\)\s.*✗ REGRESSION$/m);
    const loose = await pushsim('compare', ...files, '--max-latency-increase', '40');
    expect(loose.code).toBe(0);
  });

  it('applies --max-throughput-drop and --max-error-rate-increase, and --json prints the comparison', async () => {
    const { files } = await writeResults(collect(steady(10)), collect(steady(10, 980), { rejected: 20, durationMs: 1250 }));
    const strict = await pushsim('compare', ...files, '--json');
    expect(strict.code).toBe(98);
    expect(JSON.parse(strict.stdout).regressions).toEqual(['rate.achieved', 'errorRate']);
    const loose = await pushsim('compare', ...files, '--max-throughput-drop', '25', '--max-error-rate-increase', '2', '--json');
    expect(loose.code).toBe(0);
    expect(JSON.parse(loose.stdout).tolerances).toMatchObject({ maxThroughputDropPct: 25, maxErrorRateIncreasePp: 2 });
  });

  it('exits 104 for a file that is not a result, and 2 for a bad tolerance', async () => {
    const { dir, files } = await writeResults(collect(steady(10)));
    const broken = join(dir, 'broken.json');
    await writeFile(broken, 'not json', 'utf8');
    const bad = await pushsim('compare', files[0] ?? '', broken);
    expect(bad.code).toBe(104);
    expect(bad.stderr).toMatch(/broken\.json has 1 problem\(s\):\n {2}- not valid JSON/);
    const flag = await pushsim('compare', files[0] ?? '', files[0] ?? '', '--max-latency-increase', '-5');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--max-latency-increase.*expected a number ≥ 0, got "-5"/s);
  });
});
