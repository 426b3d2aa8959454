/**
 * The README's "Fault injection" spec example stays a valid spec and its list of kinds is complete;
 * docs/faults.md, the reference, has a row for every kind.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { faultKindNames } from '../../../simulator/faults/registry.js';
import { parseFaultsDocument } from '../../../simulator/faults/spec-file.js';

const root = join(import.meta.dirname, '../../..');
const readme = await readFile(join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Fault injection'), readme.indexOf('## result.json'));
const reference = await readFile(join(root, 'docs/faults.md'), 'utf8');

it('the spec example parses and validates', () => {
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  expect(yaml).toBeDefined();
  const spec = parseFaultsDocument(yaml ?? '', 'README.md');
  expect(spec.faults?.map((f) => f.kind)).toEqual(['latency', 'error', 'accept-then-fail', 'outage', 'throttle']);
});

it("the README names every registered kind and links the reference", () => {
  for (const kind of faultKindNames()) expect(section).toContain(`\`${kind}\``);
  expect(section).toContain('(docs/faults.md)');
});

it('the reference has a row for every registered kind', () => {
  for (const kind of faultKindNames()) expect(reference).toContain(`| \`${kind}\` |`);
});
