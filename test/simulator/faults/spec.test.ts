import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultEngine } from '../../../simulator/faults/engine.js';
import { faultKindNames, registerFaultKind } from '../../../simulator/faults/registry.js';
import { loadFaultsFile, parseFaultsDocument } from '../../../simulator/faults/spec-file.js';
import { validateFaultsDocument } from '../../../simulator/faults/spec.js';

describe('validateFaultsDocument', () => {
  it('accepts a spec with every kind', () => {
    const problems = validateFaultsDocument({
      seed: 3,
      phases: [{ name: 'warm', durationMs: 1000 }, { name: 'rest' }],
      faults: [
        { kind: 'latency', distribution: { kind: 'bimodal', fast: { kind: 'fixed', ms: 1 }, slow: { kind: 'lognormal', medianMs: 200, sigma: 0.5 }, slowFraction: 0.05 } },
        { kind: 'error', apns: 'Unregistered', fcm: 'UNREGISTERED', webpush: 410, firstNPerToken: 1 },
        { kind: 'throttle', per: 'project', ratePerSecond: 10_000, burst: 600_000 },
        { kind: 'outage', mode: 'shutdown', phase: 'warm' },
        { kind: 'goaway', trigger: 'pings', maxPings: 2, windowMs: 1000 },
        { kind: 'reset', code: 'REFUSED_STREAM', everyNth: 10 },
        { kind: 'streams', maxConcurrentStreams: 1, startMs: 100, durationMs: 100 },
        { kind: 'stall', probability: { from: 0, to: 0.5, overMs: 1000 } },
        { kind: 'connection', action: 'slow-handshake', delayMs: 500 },
        { kind: 'accept-then-fail', then: 'reset', code: 'CANCEL', match: { provider: ['apns', 'fcm'], token: '^ab', connection: [1, 2] } },
      ],
    });
    expect(problems).toEqual([]);
    expect(faultKindNames()).toHaveLength(11);
  });

  it('lists every problem at once, each with its path', () => {
    const problems = validateFaultsDocument({
      seed: -1,
      extra: true,
      phases: [{ name: 'a' }, { name: 'a', durationMs: 0 }],
      faults: [
        { kind: 'nope' },
        { kind: 'error', probability: 1.5, match: { provider: 'mqtt', token: '(' }, colour: 'red' },
        { kind: 'latency', distribution: { kind: 'pareto', scaleMs: 0, shape: 1 }, phase: 'missing' },
        { kind: 'goaway', trigger: 'idle', code: 'BAD_CODE', id: 'x' },
        { kind: 'throttle', id: 'x' },
        { kind: 'stall', probability: { from: 0, to: 1 } },
      ],
    });
    expect(problems).toEqual([
      'extra is not a top-level field (seed, phases, faults)',
      'seed must be an integer >= 0, got -1',
      'phases[0].durationMs is required (only the last phase may be open-ended)',
      "phases[1].name 'a' is used twice; phase names must be unique",
      'phases[1].durationMs must be a number >= 1, got 0',
      `faults[0].kind must be one of ${faultKindNames().join(', ')}, got 'nope'`,
      expect.stringMatching(/^faults\[1\]\.colour is not a field of fault kind 'error'/),
      'faults[1].probability must be a number from 0 to 1, got 1.5',
      "faults[1].match.provider must be one of apns, fcm, webpush or a non-empty list of them, got 'mqtt'",
      expect.stringMatching(/^faults\[1\]\.match\.token is not a valid regular expression/),
      'faults[1] needs at least one of apns (reason), fcm (errorCode) or webpush (status)',
      expect.stringMatching(/^faults\[2\]\.phase must name a phase of the timeline \(phases: a\), got 'missing'/),
      'faults[2].distribution.scaleMs must be a number > 0, got 0',
      expect.stringMatching(/^faults\[3\]\.code must be an HTTP\/2 error code name/),
      'faults[3].idleMs is required for trigger: idle',
      'faults[4].ratePerSecond is required',
      "faults[4].id 'x' is used twice; ids must be unique",
      'faults[5].probability: a ramp over an open-ended window needs overMs',
    ]);
  });

  it('the engine refuses an invalid spec with InvalidConfigError listing the problems', () => {
    expect(() => new FaultEngine({ spec: { faults: [{ kind: 'error' }, { kind: 'reset', code: 7 }] }, tickMs: 0 })).toThrow(
      expect.objectContaining({ name: 'InvalidConfigError', code: 'PUSHSIM_ERR_INVALID_CONFIG', problems: [expect.stringContaining('faults[0]'), expect.stringContaining('faults[1].code')] }),
    );
  });
});

describe('a whole other file given as the fault spec', () => {
  it('is named by its length and first characters, not echoed back whole', () => {
    const passwd = `root:x:0:0:root:/root:/bin/bash\n${'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n'.repeat(30)}`;
    const [problem = ''] = validateFaultsDocument(passwd);
    expect(problem).toBe(`the fault spec must be an object with faults (and optionally seed, phases), got a text of ${passwd.length} characters starting 'root:x:0:0:root:/root:/b…'`);
    expect(validateFaultsDocument('short')).toEqual(["the fault spec must be an object with faults (and optionally seed, phases), got 'short'"]);
  });
});

describe('fault spec files', () => {
  const write = async (name: string, text: string): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-faults-'));
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('loads YAML', async () => {
    const path = await write('faults.yaml', ['seed: 9', 'phases:', '  - { name: healthy, durationMs: 1000 }', '  - name: down', 'faults:', '  - kind: outage', '    phase: down', ''].join('\n'));
    expect(await loadFaultsFile(path)).toEqual({ seed: 9, phases: [{ name: 'healthy', durationMs: 1000 }, { name: 'down' }], faults: [{ kind: 'outage', phase: 'down' }] });
  });

  it('loads JSON', async () => {
    const path = await write('faults.json', JSON.stringify({ faults: [{ kind: 'reset' }] }));
    expect(await loadFaultsFile(path)).toEqual({ faults: [{ kind: 'reset' }] });
  });

  it('names the file and lists syntax and spec problems', async () => {
    const bad = await write('bad.yaml', 'faults:\n  - kind: error\n    apns: Nope\n    probability: x\n');
    await expect(loadFaultsFile(bad)).rejects.toMatchObject({
      name: 'InvalidConfigError',
      message: expect.stringContaining(bad),
      problems: [expect.stringContaining('faults[0].probability must be'), expect.stringContaining('faults[0].apns must be an APNs reason')],
    });
    expect(() => parseFaultsDocument('faults: [\n', 'x.yaml')).toThrow(/x\.yaml has 1 problem\(s\):\n {2}- syntax:/);
    expect(() => parseFaultsDocument('a: 1\na: 2\n')).toThrow(/syntax/);
    await expect(loadFaultsFile(join(tmpdir(), 'no-such-dir-pushsim', 'f.yaml'))).rejects.toMatchObject({ problems: [expect.stringMatching(/^the file does not exist .*\(ENOENT\)$/)] });
  });
});

describe('registry', () => {
  it('takes a third-party kind once', () => {
    registerFaultKind({ kind: 'test-noop', description: 'does nothing', fields: [], validate: () => [], create: () => ({}) });
    expect(validateFaultsDocument({ faults: [{ kind: 'test-noop' }] })).toEqual([]);
    expect(() => registerFaultKind({ kind: 'test-noop', description: '', fields: [], validate: () => [], create: () => ({}) })).toThrow(/already registered/);
    expect(() => registerFaultKind({ kind: 'Bad Name', description: '', fields: [], validate: () => [], create: () => ({}) })).toThrow(/kebab-case/);
  });
});
