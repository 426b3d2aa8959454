import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../core/errors.js';
import { loadScenarioFile, parseScenario } from '../../scenarios/file.js';

function problems(text: string): readonly string[] {
  try {
    parseScenario(text, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return (error as InvalidConfigError).problems;
  }
  throw new Error('expected the scenario to be rejected');
}

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

  it('reports YAML syntax errors with their position, and a missing file', async () => {
    expect(problems('name: [unclosed\n')[0]).toMatch(/line 1|at line/i);
    await expect(loadScenarioFile('does/not/exist.yaml')).rejects.toThrow(/cannot read the file \(ENOENT\)/);
  });
});
