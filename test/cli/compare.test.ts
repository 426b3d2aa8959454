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

  it('--json carries the statistics: the method, alpha, each metric\'s evidence', async () => {
    const { files } = await writeResults(collect(steady(100)), collect(steady(130)));
    const ran = await pushsim('compare', ...files, '--json', '--alpha', '0.01');
    expect(ran.code).toBe(98);
    const comparison = JSON.parse(ran.stdout);
    expect(comparison).toMatchObject({ method: 'single-run', alpha: 0.01 });
    const p99 = comparison.metrics.find((m: { key: string }) => m.key === 'latency.accepted.p99');
    expect(p99).toMatchObject({ clear: true, beyondTolerance: true, regression: true, evidence: { test: 'quantile-intervals' } });
    expect(p99.evidence.candidateInterval[0]).toBeGreaterThan(p99.evidence.baseInterval[1]);
    expect(comparison.metrics.find((m: { key: string }) => m.key === 'errorRate').evidence).toEqual({ test: 'two-proportion', pValue: 1 });
  });

  it('judges several runs of each with --base and --candidate (exit 98 only when every candidate is worse)', async () => {
    const { files } = await writeResults(collect(steady(100)), collect(steady(101)), collect(steady(99)), collect(steady(130)), collect(steady(131)), collect(steady(129)));
    const [b1 = '', b2 = '', b3 = '', c1 = '', c2 = '', c3 = ''] = files;
    const worse = await pushsim('compare', '--base', b1, b2, b3, '--candidate', c1, c2, c3);
    expect(worse.code).toBe(98);
    expect(worse.stdout).toMatch(/^pushsim compare · 3 base runs smoke .* · 3 candidate runs smoke/);
    expect(worse.stdout).toMatch(/^latency p50 \(ms\)\s.*p=0\.050\s+✗ REGRESSION$/m);
    const mixed = await pushsim('compare', '--base', b1, b2, b3, '--candidate', c1, b2, b3, '--json');
    expect(mixed.code).toBe(0);
    expect(JSON.parse(mixed.stdout)).toMatchObject({ method: 'repeated-runs', regressions: [] });
  });

  it('exits 2 for runs given both ways, a missing side, or too few runs to judge', async () => {
    const { files } = await writeResults(collect(steady(10)), collect(steady(10)));
    const [a = '', b = ''] = files;
    const both = await pushsim('compare', a, b, '--base', a, '--candidate', b);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('either as two arguments or with --base and --candidate, not both');
    const oneSide = await pushsim('compare', '--base', a, b);
    expect(oneSide.code).toBe(2);
    expect(oneSide.stderr).toContain('--candidate is missing');
    const few = await pushsim('compare', '--base', a, b, '--candidate', a, b);
    expect(few.code).toBe(2);
    expect(few.stderr).toMatch(/2 base and 2 candidate run\(s\) cannot show a difference at alpha 0\.05.*at least 3 of each/);
    const none = await pushsim('compare', a);
    expect(none.code).toBe(2);
    const alpha = await pushsim('compare', a, b, '--alpha', '0.9');
    expect(alpha.code).toBe(2);
    expect(alpha.stderr).toMatch(/--alpha.*above 0 and at most 0\.5/s);
    for (const ran of [both, oneSide, few, none, alpha]) expect(ran.stderr).not.toContain('please report');
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
