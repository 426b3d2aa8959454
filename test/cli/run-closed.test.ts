/** `pushsim run --in-flight N`: the closed model from the command line, and from a scenario file. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResult } from '../../reports/json.js';
import { pushsim } from './helpers.js';

describe('pushsim run with the closed model', () => {
  it('--in-flight keeps N in flight for --count notifications and says the latency is not corrected', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-closed-'));
    const ran = await pushsim('run', '--in-flight', '20', '--count', '400', '--no-fail-on-overload', '--quiet', '--out', dir);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('target — ·');
    expect(ran.stdout).toContain('closed model, 20 in flight: latency is NOT corrected for coordinated omission');
    const result = await readResult(join(dir, 'result.json'));
    expect(result.counts.scheduled).toBe(400);
    expect(result.rate.target).toBeNull();
    expect(result.loadModel).toEqual({ kind: 'closed', inFlight: 20, latencyCorrectedForCoordinatedOmission: false });
  });

  it('reads executor: closed from a scenario file; --rate with it is a usage error (exit 2) and a bad inFlight a config error (exit 104)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-closed-file-'));
    const scenario = join(dir, 'closed.yaml');
    await writeFile(scenario, 'name: closed\ntarget: { mock: apns }\nwarmup: 0\nload: { executor: closed, inFlight: 8, count: 200 }\n');
    const ran = await pushsim('run', scenario, '--no-fail-on-overload', '--quiet', '--out', dir);
    expect(ran.code).toBe(0);
    expect((await readResult(join(dir, 'result.json'))).loadModel?.inFlight).toBe(8);
    const refused = await pushsim('run', scenario, '--rate', '100', '--quiet', '--out', dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--rate sets an arrival rate, which the closed model');
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'name: bad\nload: { executor: closed, inFlight: 0 }\n');
    const invalid = await pushsim('run', bad, '--quiet', '--out', dir);
    expect(invalid.code).toBe(104);
    expect(invalid.stderr).toContain('load.inFlight must be a whole number');
    expect(invalid.stderr).toContain('load needs count (notifications to send) or durationMs');
  });
});
