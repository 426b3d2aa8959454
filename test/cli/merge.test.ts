/**
 * `pushsim merge` as users call it: the built bin on result.json files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initHistograms } from '../../reports/histogram.js';
import { readResult } from '../../reports/json.js';
import { ResultCollector, checkInvariant } from '../../reports/result.js';
import { parseResult } from '../../reports/result-parse.js';
import { cliTestTimeout, pushsim } from './helpers.js';
import { collect, steady, writeResults } from './results.js';

let whole: ResultCollector;

beforeAll(async () => {
  await initHistograms();
  whole = new ResultCollector();
});

afterAll(() => whole.destroy());

describe('pushsim merge', { timeout: cliTestTimeout }, () => {
  it('writes the merged result.json and prints its summary', async () => {
    const a = collect(steady(5), { rejected: 10 }, [whole]);
    const b = collect(steady(50, 500), { startedAt: '2026-01-01T00:00:00.500Z' }, [whole]);
    const { dir, files } = await writeResults(a, b);
    const out = join(dir, 'merged');
    const ran = await pushsim('merge', ...files, '--out', out);
    expect(ran.stderr).toContain(`2 result(s) merged into ${join(out, 'result.json')}`);
    // b started 500 ms after a: said, with the file that started late.
    expect(ran.stderr).toContain(`pushsim: warning: the shards started up to 500 ms apart (after ${files[0]}: ${files[1]} +500 ms)`);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^accepted\s+1500\s/m);
    expect(ran.stdout).toContain('duration 1.50 s');

    // readResult validates the file against the schema.
    const merged = await readResult(join(out, 'result.json'));
    expect(checkInvariant(merged)).toBeUndefined();
    expect(merged.counts).toMatchObject({ scheduled: 1510, accepted: 1500, rejected: 10 });
    const expected = whole.finish({ startedAt: new Date(0), durationMs: 1, targetRate: null });
    expect(merged.latencyMs.accepted.p99).toBe(expected.latencyMs.accepted.p99);
    expect(merged.latencyMs.accepted.p50).toBe(expected.latencyMs.accepted.p50);
    expect(merged.tokensToPrune).toHaveLength(10);
  });

  it('--json prints the merged result, without the shards\' thresholds, and says so', async () => {
    const judged = { ...collect(steady(5)), thresholds: [{ expression: 'p(99)<1', actual: 14.9, passed: false }] };
    const { dir, files } = await writeResults(judged, collect(steady(5)));
    const ran = await pushsim('merge', ...files, '--json', '--out', join(dir, 'merged'));
    expect(ran.code).toBe(0);
    const merged = parseResult(JSON.parse(ran.stdout));
    expect(merged.counts.accepted).toBe(2000);
    expect(merged.thresholds).toBeUndefined();
    expect(ran.stderr).toContain('thresholds are left out');
  });

  it('exits 104 naming a broken or missing file, and 2 for the same file twice', async () => {
    const { dir, files } = await writeResults(collect(steady(5)));
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"schema": "pushsim.result/1"}', 'utf8');
    const bad = await pushsim('merge', files[0] ?? '', broken, '--out', join(dir, 'merged'));
    expect(bad.code).toBe(104);
    expect(bad.stderr).toMatch(/broken\.json has \d+ problem\(s\)/);
    expect(bad.stderr).not.toContain('please report');

    const missing = await pushsim('merge', join(dir, 'nope.json'), '--out', join(dir, 'merged'));
    expect(missing.code).toBe(104);
    expect(missing.stderr).toContain('nope.json has 1 problem(s)');
    expect(missing.stderr).toMatch(/the file does not exist .*\(ENOENT\)/);

    const twice = await pushsim('merge', files[0] ?? '', files[0] ?? '', '--out', join(dir, 'merged'));
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('is given more than once');
    // A shard's directory is its result.json: both ways at once are the same shard twice.
    const dirAndFile = await pushsim('merge', dirname(files[0] ?? ''), files[0] ?? '', '--out', join(dir, 'merged'));
    expect(dirAndFile.code).toBe(2);
    expect(dirAndFile.stderr).toContain(`${files[0]} is given more than once`);
  });

  it('takes the directories the shards wrote (each one\'s result.json), as pushsim report does; a directory without one exits 104 saying so', async () => {
    const { dir, files } = await writeResults(collect(steady(5)), collect(steady(6)));
    const out = join(dir, 'merged');
    const ran = await pushsim('merge', ...files.map((file) => dirname(file)), '--out', out);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toContain(`2 result(s) merged into ${join(out, 'result.json')}`);
    expect((await readResult(out)).counts.scheduled).toBe(2000);
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const none = await pushsim('merge', dirname(files[0] ?? ''), empty, '--out', join(dir, 'merged-2'));
    expect(none.code).toBe(104);
    expect(none.stderr).toContain(`${empty} has 1 problem(s)`);
    expect(none.stderr).toContain('is a directory without a result.json; give the directory a run wrote its result to (pushsim run --out DIR) or the path of a result file');
    expect(none.stderr).not.toMatch(/\n\s+at |please report/);
  });
});
