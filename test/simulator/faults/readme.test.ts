/** The README's "Fault injection" spec example stays a valid spec, and its kinds table lists every kind. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { faultKindNames } from '../../../simulator/faults/registry.js';
import { parseFaultsDocument } from '../../../simulator/faults/spec-file.js';

const readme = await readFile(join(import.meta.dirname, '../../../README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Fault injection'), readme.indexOf('## result.json'));

it('the spec example parses and validates', () => {
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  expect(yaml).toBeDefined();
  const spec = parseFaultsDocument(yaml ?? '', 'README.md');
  expect(spec.faults?.map((f) => f.kind)).toEqual(['latency', 'error', 'accept-then-fail', 'outage', 'throttle']);
});

it('the kinds table names every registered kind', () => {
  for (const kind of faultKindNames()) expect(section).toContain(`| \`${kind}\` |`);
});
