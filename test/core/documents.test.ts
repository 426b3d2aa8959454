import { describe, expect, it } from 'vitest';
import { nestingDepth, parseJson, parseYaml } from '../../core/documents.js';
import { InvalidConfigError } from '../../core/errors.js';

const source = 'test.yaml';
const problemsOf = (parse: () => unknown): readonly string[] => {
  try {
    parse();
  } catch (error) {
    if (error instanceof InvalidConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('parseYaml', () => {
  it('reads YAML and JSON into plain data', () => {
    expect(parseYaml('a: [1, { b: x }]', { source })).toEqual({ a: [1, { b: 'x' }] });
    expect(parseYaml('{"a": 1}', { source })).toEqual({ a: 1 });
    expect(parseYaml('', { source })).toBeUndefined();
  });

  it('refuses an alias bomb with "too many aliases" instead of expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`)].join('\n');
    expect(problemsOf(() => parseYaml(bomb, { source }))).toEqual([expect.stringMatching(/^too many aliases: expanding its \*aliases would exceed 100/)]);
    // A few aliases are fine.
    expect(parseYaml('a: &a { x: 1 }\nb: *a\nc: *a', { source })).toEqual({ a: { x: 1 }, b: { x: 1 }, c: { x: 1 } });
  });

  it('refuses nesting deeper than 64 levels, a cycle through an alias, syntax errors, duplicate keys and several documents', () => {
    expect(problemsOf(() => parseYaml(`a: ${'['.repeat(70)}${']'.repeat(70)}`, { source }))).toEqual([expect.stringContaining('nested more than 64 levels deep')]);
    expect(problemsOf(() => parseYaml('a: &a [*a]', { source })).length).toBe(1);
    expect(problemsOf(() => parseYaml('a: [1', { source, syntaxPrefix: 'syntax: ' }))[0]).toMatch(/^syntax: /);
    expect(problemsOf(() => parseYaml('a: 1\na: 2', { source }))[0]).toMatch(/unique/i);
    expect(problemsOf(() => parseYaml('a: 1\n---\nb: 2', { source }))).toEqual(['expected one YAML document, found 2']);
    expect(problemsOf(() => parseYaml(`${'['.repeat(100_000)}`, { source })).length).toBeGreaterThan(0);
  });
});

describe('parseJson and nestingDepth', () => {
  it('bounds JSON depth the same way and says what is not JSON', () => {
    expect(problemsOf(() => parseJson(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, { source }))).toEqual([expect.stringContaining('nested more than 64 levels')]);
    expect(problemsOf(() => parseJson('{', { source }))[0]).toMatch(/^not valid JSON: /);
  });

  it('counts depth without recursion, stopping early', () => {
    expect(nestingDepth(1)).toBe(0);
    expect(nestingDepth({ a: [1, { b: {} }] })).toBe(4);
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nestingDepth(deep, 65)).toBe(65);
  });
});
