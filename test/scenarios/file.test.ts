import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InvalidConfigError } from '../../core/errors.js';
import { loadScenarioFile, parseScenario } from '../../scenarios/file.js';
import { configProblems } from '../helpers/config-problems.js';

const problems = (text: string): readonly string[] => configProblems(() => parseScenario(text, 'test.yaml'));

describe('scenario files', () => {
  it('fills what a file leaves out from the default scenario', () => {
    const config = parseScenario('name: tiny\nload: { rate: 100, count: 10 }\n', 'tiny.yaml');
    expect(config).toMatchObject({ name: 'tiny', load: { executor: 'constant-arrival-rate', rate: 100, count: 10 }, target: { kind: 'mock', provider: 'apns' }, notification: { topic: 'com.example.pushsim' } });
  });

  it('reads the shipped example', async () => {
    const config = await loadScenarioFile('scenarios/examples/smoke.yaml');
    expect(config).toMatchObject({ name: 'smoke', target: { kind: 'mock', tls: true }, load: { rate: 1000, count: 5000 }, thresholds: ['p(99)<1000', 'rate(accepted)>=0.95', 'count(failed)==0'] });
  });

  it('lists every problem with its path: unknown keys, wrong types, bad values, bad thresholds', () => {
    const found = problems(['name: broken', 'laod: { rate: 1 }', 'load: { rate: -5, count: 1.5 }', 'sender: { connections: "two" }', 'policies: { retry: { maxAttempts: 0 } }', 'thresholds: ["p99<1"]'].join('\n'));
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/laod/), expect.stringMatching(/^load\.rate/), expect.stringMatching(/^load\.count/), expect.stringMatching(/^sender\.connections/)]));
    const semantic = problems('name: broken\npolicies: { retry: { maxAttempts: 0 } }\nthresholds: ["p99<1"]\n');
    expect(semantic).toEqual([expect.stringMatching(/^thresholds\[0\]/), expect.stringMatching(/^policies\.retry: retry maxAttempts must be an integer from 1 to 100/)]);
  });

  it('reports every one of 8 different problems, each with file, line and column, unknown keys with the closest known one', () => {
    const text = [
      'name: eight', //                                                    1
      'thresold: ["rate(accepted)>=0.9"]', //                             2 unknown key, a typo
      'target:', //                                                        3
      '  mock: apns', //                                                   4
      '  tls: "yes"', //                                                   5 wrong type
      'load: { rate: -5, cuont: 10 }', //                                  6 out of range; unknown nested key
      'notification: { pushType: alrt }', //                               7 not one of the push types
      'sender: { connections: 5000 }', //                                  8 above the limit (validateScenario)
      'gracefulStopMs: -1', //                                             9 below the limit (validateScenario)
      'faults:', //                                                        10
      '  faults:', //                                                      11
      '    - { kind: error, probability: 3, apns: InternalServerError }', // 12 the fault spec's own check
    ].join('\n');
    const error = (() => {
      try {
        parseScenario(text, 'eight.yaml');
      } catch (e) {
        return e as InvalidConfigError;
      }
      throw new Error('expected problems');
    })();
    const shown = error.problems.map((problem, i) => `${error.locations[i]?.line}:${error.locations[i]?.column} ${problem}`).sort((a, b) => parseInt(a) - parseInt(b));
    expect(shown).toEqual([
      '2:1 thresold is not a field of a scenario (did you mean "thresholds"?)',
      '5:3 target.tls: Invalid input: expected boolean, received string',
      expect.stringMatching(/^6:9 load\.rate: Too small/),
      '6:19 load.cuont is not a field of load (did you mean "count"?)',
      expect.stringMatching(/^7:17 notification\.pushType: Invalid option: expected one of "alert"/),
      '8:11 sender.connections must be a whole number from 1 to 1024, got 5000',
      '9:1 gracefulStopMs must be a whole number from 0 to 3600000, got -1',
      '12:22 faults.faults[0].probability must be a number from 0 to 1, got 3',
    ]);
    expect(error.locations.every((at) => at?.file === 'eight.yaml')).toBe(true);
    // The message a user reads: compiler style, so terminals and editors open the spot.
    expect(error.message).toMatch(/^eight\.yaml has 8 problem\(s\):\n {2}- eight\.yaml:\d+:\d+: /);
    expect(error.message).toContain('\n  - eight.yaml:6:19: load.cuont is not a field of load (did you mean "count"?)');
  });

  it('keeps checking after a wrong shape without blaming the defaults that stand in for it', () => {
    // target.mock is wrong, so the default target (APNs) stands in: the mix naming fcm is not blamed on it.
    expect(problems('name: m\ntarget: { mock: [apns, hms] }\nmix: { apns: 1, fcm: 1 }\nwarmup: -1\n')).toEqual([expect.stringMatching(/^target\.mock/), expect.stringMatching(/^warmup/)]);
    expect(problems('name: ""\nwarmup: -1\n')).toEqual([expect.stringMatching(/^name: Too small/), expect.stringMatching(/^warmup/)]);
    expect(problems('- a list\n')).toEqual([expect.stringMatching(/^a scenario must be a mapping of keys/)]);
  });

  it('reads a mixed target: several mocks and their weights; a single other provider too', () => {
    const config = parseScenario(['name: mixed', 'target:', '  mock: [apns, fcm, webpush]', 'mix: { apns: 0.6, fcm: 0.3, webpush: 0.1 }'].join('\n'), 'mixed.yaml');
    expect(config).toMatchObject({ target: { kind: 'mock', provider: ['apns', 'fcm', 'webpush'], worker: true }, mix: { apns: 0.6, fcm: 0.3, webpush: 0.1 } });
    expect(parseScenario('name: android\ntarget: { mock: fcm }\n', 'a.yaml')).toMatchObject({ target: { kind: 'mock', provider: 'fcm' } });
    expect(parseScenario('name: even\ntarget: { mock: [apns, webpush] }\n', 'e.yaml').mix).toBeUndefined();
  });

  it('lists every problem of a mix with its path', () => {
    expect(problems('name: m\ntarget: { mock: [apns, fcm] }\nmix: { apns: -0.5, webpush: 0.2 }\n')).toEqual([
      'mix.apns must be a weight ≥ 0, got -0.5',
      'mix.webpush: webpush is not in target.mock (apns, fcm); add it there or remove its weight',
      'mix has no weight for fcm, which target.mock names; give it one (0 sends it nothing) or remove it from target.mock',
    ]);
    expect(problems('name: m\ntarget: { mock: [apns, fcm] }\nmix: { apns: 0, fcm: 0 }\n')).toEqual([expect.stringMatching(/^mix: the weights add up to 0/)]);
    // No target: the default one, which mocks APNs only.
    expect(problems('name: m\nmix: { apns: 1, fcm: 1 }\n')).toEqual([expect.stringMatching(/^mix\.fcm: fcm is not in target\.mock \(apns\)/)]);
    expect(problems('name: m\ntarget: { mock: [apns, apns] }\n')).toEqual(['target.mock names apns twice']);
    expect(problems('name: m\ntarget: { mock: [] }\n')).toEqual([expect.stringMatching(/^target\.mock must name at least one of apns, fcm, webpush/)]);
    expect(problems('name: m\ntarget: { mock: [webpush] }\ntokens: { count: 200001 }\n')).toEqual([expect.stringMatching(/^tokens\.count gives Web Push 200001 subscriptions/)]);
    const shape = problems('name: m\ntarget: { mock: [apns, hms] }\nmix: { apns: "a lot", hms: 1 }\n');
    expect(shape).toEqual(expect.arrayContaining([expect.stringMatching(/^target\.mock/), expect.stringMatching(/^mix\.apns/), expect.stringMatching(/^mix.*hms/)]));
  });

  it('reads faults inline or from a spec file relative to the scenario, listing a spec file’s problems with the scenario’s', async () => {
    const inline = parseScenario('name: f\nfaults: { seed: 3, faults: [{ kind: outage, limit: 5 }] }\n', 'f.yaml');
    expect(inline.faults).toEqual({ seed: 3, faults: [{ kind: 'outage', limit: 5 }] });
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-scenario-'));
    await mkdir(join(dir, 'faults'));
    await writeFile(join(dir, 'faults', 'ok.yaml'), 'faults: [{ kind: reset, probability: 0.5 }]\n');
    await writeFile(join(dir, 'faults', 'bad.yaml'), 'faults: [{ kind: nope }]\n');
    await writeFile(join(dir, 'ok.yaml'), 'name: ok\nfaults: faults/ok.yaml\n');
    await writeFile(join(dir, 'bad.yaml'), 'name: bad\nwarmup: -1\nfaults: faults/bad.yaml\n');
    await writeFile(join(dir, 'missing.yaml'), 'name: missing\nfaults: faults/none.yaml\n');
    expect((await loadScenarioFile(join(dir, 'ok.yaml'))).faults).toEqual({ faults: [{ kind: 'reset', probability: 0.5 }] });
    const bad = await loadScenarioFile(join(dir, 'bad.yaml')).catch((error: InvalidConfigError) => error.problems);
    expect(bad).toEqual([expect.stringMatching(/^faults: the fault spec .*bad\.yaml: faults\[0\]\.kind must be one of/), expect.stringMatching(/^warmup/)]);
    // Each where it is: the spec's problem in the spec file, the scenario's in the scenario.
    const error = (await loadScenarioFile(join(dir, 'bad.yaml')).catch((e: unknown) => e)) as InvalidConfigError;
    expect(error.locations).toEqual([{ file: join(dir, 'faults', 'bad.yaml'), line: 1, column: 12 }, { file: join(dir, 'bad.yaml'), line: 2, column: 1 }]);
    await expect(loadScenarioFile(join(dir, 'missing.yaml'))).rejects.toThrow(/the fault spec .*none\.yaml does not exist .*\(ENOENT\); the path is relative to the scenario file/);
    expect(problems('name: f\nfaults: 42\n')).toEqual([expect.stringMatching(/^faults: must be a fault spec/)]);
  });

  it('a negative seed in the file is its problem at its line (exit 104), not a flag\'s', async () => {
    expect(problems('name: s\ntokens: { seed: -1 }\n')).toEqual(['tokens.seed must be a whole number from 0 to 9007199254740991, got -1']);
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-seed-'));
    await writeFile(join(dir, 'seed.yaml'), 'name: s\ntokens: { seed: -1 }\n');
    const error = (await loadScenarioFile(join(dir, 'seed.yaml')).catch((e: unknown) => e)) as InvalidConfigError;
    expect(error.code).toBe('PUSHSIM_ERR_INVALID_CONFIG');
    expect(error.message).toMatch(/seed\.yaml:2:\d+: tokens\.seed must be a whole number from 0/);
  });

  it('reads a ramping load, naming the field at fault when one is wrong', () => {
    const config = parseScenario('name: r\nload: { executor: ramping-arrival-rate, startRate: 10, stages: [{ durationMs: 1000, target: 100 }] }\n', 'r.yaml');
    expect(config.load).toEqual({ executor: 'ramping-arrival-rate', startRate: 10, stages: [{ durationMs: 1000, target: 100 }] });
    expect(problems('name: r\nload: { executor: ramping-arrival-rate, rate: 5, stages: [{ durationMs: 1000, target: "x" }] }\n')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^load\.rate is not a field of load \(its fields: executor, startRate, stages\)/), expect.stringMatching(/^load\.stages\[0\]\.target/)]),
    );
    expect(problems('name: r\nload: { executor: ramping-arrival-rate, stages: [{ durationMs: 1000, target: -5 }] }\n')).toEqual([expect.stringMatching(/^load\.stages\[0\]\.target must be/)]);
    expect(problems('name: r\nload: { executor: closed-model }\n')).toEqual([expect.stringMatching(/^load\.executor/)]);
  });

  it('reads a closed-model load, naming the field at fault when one is wrong', () => {
    expect(parseScenario('name: c\nload: { executor: closed, inFlight: 50, durationMs: 10000 }\n', 'c.yaml').load).toEqual({ executor: 'closed', inFlight: 50, durationMs: 10000 });
    // The unknown key does not hide what the closed model still lacks.
    expect(problems('name: c\nload: { executor: closed, inFlight: 50, rate: 10 }\n')).toEqual([
      'load.rate is not a field of load (its fields: executor, inFlight, count, durationMs)',
      expect.stringMatching(/^load needs count/),
    ]);
    expect(problems('name: c\nload: { executor: closed, inFlight: 0 }\n')).toEqual([expect.stringMatching(/^load\.inFlight must be/), expect.stringMatching(/^load needs count/)]);
  });

  it('reads the shipped failure-injection example', async () => {
    const config = await loadScenarioFile('scenarios/examples/brownout.yaml');
    expect(config.faults?.phases?.map((p) => p.name)).toEqual(['healthy', 'brownout', 'recovering']);
    expect(config.thresholds).toContain('count(duplicates)<=100');
  });

  it('reports YAML syntax errors with their position, and a missing file', async () => {
    expect(problems('name: [unclosed\n')[0]).toMatch(/line 1|at line/i);
    await expect(loadScenarioFile('does/not/exist.yaml')).rejects.toThrow(/the file does not exist .*\(ENOENT\)/);
  });
});
