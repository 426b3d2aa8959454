/**
 * `pushsim run`: a ramping load, and `--faults FILE` (any scenario against the embedded mocks, with
 * a fault spec file). The default scenario and exit codes are covered in pushsim.test.ts.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResult } from '../../reports/json.js';
import { cliTestTimeout, pushsim } from './helpers.js';

describe('pushsim run with a ramping load', { timeout: cliTestTimeout }, () => {
  it('runs the ramp, and refuses --rate / --count for it (exit 2, saying what to change)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-ramp-'));
    const scenario = join(dir, 'ramp.yaml');
    await writeFile(scenario, 'name: ramp\ntarget: { mock: apns }\nwarmup: 0\nload: { executor: ramping-arrival-rate, stages: [{ durationMs: 400, target: 2500 }] }\n');
    const ran = await pushsim('run', scenario, '--quiet', '--no-fail-on-overload', '--out', dir);
    expect(ran.code).toBe(0);
    expect((await readResult(join(dir, 'result.json'))).counts.scheduled).toBe(500);
    const refused = await pushsim('run', scenario, '--rate', '100', '--quiet', '--out', dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('scenario "ramp" ramps (load.stages): change its stages instead');
  });
});

describe('pushsim run --report', { timeout: cliTestTimeout }, () => {
  it('writes JUnit XML and the HTML page next to result.json; an unknown format is a usage error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-report-'));
    const ran = await pushsim('run', '--count', '300', '--rate', '3000', '--report', 'junit,html', '--quiet', '--warmup', '0', '--no-fail-on-overload', '--out', dir);
    expect(ran.code).toBe(0);
    const junit = await readFile(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/^<\?xml/);
    expect(junit).toContain('<testsuite name="default"');
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<!DOCTYPE html>');
    expect(ran.stderr).toContain(`junit report written to ${join(dir, 'junit.xml')}`);
    const bad = await pushsim('run', '--report', 'junit,pdf', '--quiet', '--out', dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a comma-separated list of junit, html, got "junit,pdf"');
  });
});

describe('pushsim run --faults', { timeout: cliTestTimeout }, () => {
  it('injects the spec file into the built-in scenario and reports each fault', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-faults-'));
    const spec = join(dir, 'faults.yaml');
    await writeFile(spec, 'seed: 4\nfaults:\n  - { kind: error, id: bad-topic, apns: BadTopic, limit: 25 }\n');
    const ran = await pushsim('run', '--count', '500', '--rate', '2000', '--faults', spec, '--quiet', '--warmup', '0', '--no-fail-on-overload', '--out', dir);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^bad-topic\s+error\s+25$/m);
    const result = await readResult(join(dir, 'result.json'));
    expect(result.faults).toEqual([{ id: 'bad-topic', kind: 'error', injected: 25 }]);
    // BadTopic is a config error: never retried, so 25 rejections.
    expect(result.byReason['apns:BadTopic']).toBe(25);
  });

  it("runs the README's fault file for the default run: every fault fires, in phases on the run clock, with no warning", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-faults-'));
    // The default run's ten seconds at a tenth of its rate: the phases are in time, not in notifications.
    const ran = await pushsim('run', '--faults', 'simulator/faults/examples/short-brownout.yaml', '--rate', '500', '--count', '5000', '--quiet', '--no-fail-on-overload', '--out', dir);
    // (A busy machine may add a warning about falling behind; none about the faults.)
    expect(ran.stderr).not.toContain('cannot fire');
    const result = await readResult(join(dir, 'result.json'));
    expect(result.faults?.map((f) => f.id)).toEqual(['slow-answers', 'brownout-errors', 'lost-acks', 'down']);
    for (const fault of result.faults ?? []) expect(fault.injected, fault.id).toBeGreaterThan(0);
    expect(result.phases?.map((p) => p.name)).toEqual(['healthy', 'brownout', 'down', 'recovering']);
    // The faults' clock starts when the mock is told to measure, a moment before the first planned
    // send (run clock 0): the brownout begins at 3,000 ms on theirs, a little earlier on the run's —
    // tens of ms on a loaded machine (2,973 seen at load 10; a GC pause there adds its length), never after.
    expect(result.phases?.[1]?.startMs).toBeGreaterThanOrEqual(2800);
    expect(result.phases?.[1]?.startMs).toBeLessThanOrEqual(3000);
    // None but what a busy machine adds about pushsim's own pauses.
    expect(result.warnings?.filter((w) => !w.startsWith("pushsim's own pauses")) ?? []).toEqual([]);
  }, 90_000);

  it('exits 104 listing every problem of a broken spec file, before sending anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-faults-'));
    const spec = join(dir, 'broken.yaml');
    await writeFile(spec, 'faults:\n  - { kind: eror }\n  - { kind: outage, probability: 7 }\n');
    const ran = await pushsim('run', '--faults', spec, '--quiet', '--out', dir);
    expect(ran.code).toBe(104);
    expect(ran.stderr).toContain('broken.yaml has 2 problem(s)');
    expect(ran.stderr).toMatch(/faults\[0\]\.kind must be one of/);
    expect(ran.stderr).toMatch(/faults\[1\]\.probability/);
    const missing = await pushsim('run', '--faults', join(dir, 'nope.yaml'), '--quiet', '--out', dir);
    expect(missing.code).toBe(104);
    expect(missing.stderr).toMatch(/nope\.yaml has 1 problem\(s\):\n\s+- the file does not exist .*\(ENOENT\)/);
  });
});
