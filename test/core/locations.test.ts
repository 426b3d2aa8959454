import { describe, expect, it } from 'vitest';
import { parseYamlLocated } from '../../core/documents.js';
import { formatPath, leadingPath, locateProblem } from '../../core/locations.js';

const text = ['name: x', 'load:', '  rate: -1', 'policies: { retry: { maxAttempts: 0 } }', 'thresholds:', '  - "p99<1"', '  - "p(99)<5"', 'empty:'].join('\n');
const { value, locate } = parseYamlLocated(text, { source: 'f.yaml' });

describe('problem locations', () => {
  it('parses as parseYaml does, keeping positions', () => {
    expect(value).toEqual({ name: 'x', load: { rate: -1 }, policies: { retry: { maxAttempts: 0 } }, thresholds: ['p99<1', 'p(99)<5'], empty: null });
  });

  it('gives the line and column of a key, a list item, and the deepest part of a path the file has', () => {
    expect(locate(['load', 'rate'])).toEqual({ file: 'f.yaml', line: 3, column: 3 });
    expect(locate(['policies', 'retry', 'maxAttempts'])).toEqual({ file: 'f.yaml', line: 4, column: 22 });
    expect(locate(['thresholds', 1])).toEqual({ file: 'f.yaml', line: 7, column: 5 });
    expect(locate(['load', 'count'])).toEqual({ file: 'f.yaml', line: 2, column: 1 });
    expect(locate(['empty', 'inner'])).toEqual({ file: 'f.yaml', line: 8, column: 1 });
    expect(locate(['target'])).toBeUndefined();
    expect(locate([])).toEqual({ file: 'f.yaml', line: 1, column: 1 });
  });

  it('reads the path a problem message starts with, and the field it goes on to name', () => {
    expect(leadingPath('faults[2].probability.from must be …')).toEqual(['faults', 2, 'probability', 'from']);
    expect(leadingPath('(top level): bad')).toEqual([]);
    expect(formatPath(['load', 'stages', 0, 'target'])).toBe('load.stages[0].target');
    expect(locateProblem('thresholds[0]: "p99<1" is not a threshold', locate)).toEqual({ file: 'f.yaml', line: 6, column: 5 });
    expect(locateProblem('policies.retry: retry maxAttempts must be an integer from 1 to 100, got 0', locate)).toEqual({ file: 'f.yaml', line: 4, column: 22 });
    expect(locateProblem('load needs count', locate)).toEqual({ file: 'f.yaml', line: 2, column: 1 });
    expect(locateProblem('the spec must be an object', locate)).toBeUndefined();
  });

  it('has no positions for an empty document', () => {
    expect(parseYamlLocated('', { source: 'e.yaml' }).locate(['a'])).toBeUndefined();
  });
});
