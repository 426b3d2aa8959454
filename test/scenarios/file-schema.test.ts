/** The scenario file's shape: the keys "did you mean" offers, and the reference that documents each. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileSchema, keysAt } from '../../scenarios/file-schema.js';

describe('scenario file shape', () => {
  it('knows the keys at a path, through optional sections, lists and either-of shapes', () => {
    expect(keysAt(fileSchema, ['sender'])).toEqual(['connections', 'maxInFlight', 'maxQueue', 'requestTimeoutMs']);
    expect(keysAt(fileSchema, ['target'])).toEqual(expect.arrayContaining(['mock', 'tls', 'url', 'credentials']));
    expect(keysAt(fileSchema, ['load', 'stages', 0])).toEqual(['durationMs', 'target']);
    expect(keysAt(fileSchema, ['policies', 'retry', 'budget'])).toEqual(['ratio', 'reserve']);
    expect(keysAt(fileSchema, ['nothing'])).toEqual([]);
  });

  it('has every key documented in docs/scenarios.md', () => {
    const reference = readFileSync('docs/scenarios.md', 'utf8');
    const sections = ['', 'tokens', 'notification', 'sender'];
    const missing = sections.flatMap((section) => keysAt(fileSchema, section === '' ? [] : [section]).filter((key) => !reference.includes(`\`${key}\``)).map((key) => `${section}.${key}`));
    expect(missing).toEqual([]);
  });
});
