import { describe, expect, it } from 'vitest';
import type { InvalidConfigError } from '../../../core/errors.js';
import { parseFaultsDocument } from '../../../simulator/faults/spec-file.js';

const errorOf = (text: string): InvalidConfigError => {
  try {
    parseFaultsDocument(text, 'faults.yaml');
  } catch (error) {
    return error as InvalidConfigError;
  }
  throw new Error('expected problems');
};

describe('fault spec files', () => {
  it('reports every problem with its line and column, and the closest known key or kind for a typo', () => {
    const error = errorOf(
      [
        'seed: 1',
        'phase: []', //                                                  2 top-level typo
        'faults:',
        '  - kind: eror', //                                             4 kind typo
        '  - kind: error',
        '    apns: InternalServerError',
        '    probabilty: 0.5', //                                        7 field typo
        '    match: { provder: apns }', //                               8 match field typo
        '  - { kind: reset, limit: -1 }', //                             9 out of range
      ].join('\n'),
    );
    const shown = error.problems.map((problem, i) => `${error.locations[i]?.line}:${error.locations[i]?.column} ${problem}`);
    expect(shown).toEqual([
      expect.stringMatching(/^2:1 phase is not a top-level field \(did you mean "phases"\?\)/),
      expect.stringMatching(/^4:5 faults\[0\]\.kind must be one of .*, got 'eror' \(did you mean "error"\?\)$/),
      expect.stringMatching(/^7:5 faults\[1\]\.probabilty is not a field of fault kind 'error' \(did you mean "probability"\?\)/),
      expect.stringMatching(/^8:14 faults\[1\]\.match\.provder is not a match field \(did you mean "provider"\?\)/),
      expect.stringMatching(/^9:20 faults\[2\]\.limit must be an integer >= 0/),
    ]);
    expect(error.message).toContain('faults.yaml:4:5: faults[0].kind must be one of');
  });

  it('reads a valid spec', () => {
    expect(parseFaultsDocument('faults: [{ kind: reset, probability: 0.5 }]\n')).toEqual({ faults: [{ kind: 'reset', probability: 0.5 }] });
  });
});
