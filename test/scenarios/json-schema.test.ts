/**
 * The shipped JSON Schemas: the committed schemas/*.schema.json are what the code generates (so they
 * cannot drift from the validators), every example scenario and fault spec validates against them
 * with an independent validator (ajv), and the schemas refuse what pushsim refuses.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { schemaText, shippedSchemas } from '../../scenarios/json-schema.js';
import type { SchemaName } from '../../scenarios/json-schema.js';
import { faultKindNames } from '../../simulator/faults/registry.js';
import { faultKind } from '../../simulator/faults/registry.js';

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
const validators = {
  scenario: ajv.compile(JSON.parse(readFileSync('schemas/scenario.schema.json', 'utf8'))),
  faults: ajv.compile(JSON.parse(readFileSync('schemas/faults.schema.json', 'utf8'))),
};
const yamlIn = (dir: string): string[] => readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f));
const examples: Record<SchemaName, string[]> = { scenario: yamlIn('scenarios/examples'), faults: yamlIn('simulator/faults/examples') };

describe('shipped JSON Schemas', () => {
  it.each(Object.keys(shippedSchemas) as SchemaName[])('schemas/%s.schema.json is what the code generates (npm run schemas rewrites it)', (name) => {
    expect(readFileSync(`schemas/${name}.schema.json`, 'utf8')).toBe(schemaText(name));
  });

  it.each(Object.entries(examples).flatMap(([name, files]) => files.map((file) => [name as SchemaName, file] as const)))('the %s example %s validates and names its schema for editors', (name, file) => {
    const text = readFileSync(file, 'utf8');
    const validate = validators[name];
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
    expect(text.split('\n')[0]).toMatch(new RegExp(`^# yaml-language-server: \\$schema=(\\.\\./)+schemas/${name}\\.schema\\.json$`));
  });

  it('has examples of both kinds to check', () => {
    expect(examples.scenario.length).toBeGreaterThanOrEqual(2);
    expect(examples.faults.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses unknown keys, wrong types and unknown fault kinds, as pushsim does', () => {
    expect(validators.scenario({ name: 'x', laod: { rate: 1 } })).toBe(false);
    expect(validators.scenario({ name: 'x', load: { rate: 'fast' } })).toBe(false);
    expect(validators.scenario({ name: 'x', load: { executor: 'closed', inFlight: 10, rate: 5 } })).toBe(false);
    expect(validators.scenario({ name: 'x', target: { url: 'https://127.0.0.1:1' } })).toBe(false);
    expect(validators.scenario({ name: 'x', faults: { faults: [{ kind: 'nope' }] } })).toBe(false);
    expect(validators.scenario({ name: 'x', faults: 'faults.yaml', sender: { connections: 2 }, notification: { pushType: 'background' }, gracefulStopMs: 100 })).toBe(true);
    expect(validators.faults({ faults: [{ kind: 'error', apns: 'InternalServerError', colour: 'red' }] })).toBe(false);
    expect(validators.faults({ faults: [{ kind: 'error', probability: 2 }] })).toBe(false);
    expect(validators.faults({ phases: [{ name: 'a', durationMs: 5, extra: 1 }] })).toBe(false);
    expect(validators.faults({ seed: 1, faults: [{ kind: 'latency', match: { provider: ['apns'] }, probability: { from: 0, to: 0.5, overMs: 10 }, distribution: { kind: 'fixed', ms: 5 } }] })).toBe(true);
  });

  it('names every registered fault kind with its own fields', () => {
    const faults = shippedSchemas.faults() as { properties: { faults: { items: { anyOf: { properties: Record<string, unknown> }[] } } } };
    const kinds = faults.properties.faults.items.anyOf;
    expect(kinds.map((k) => (k.properties['kind'] as { const: string }).const)).toEqual(faultKindNames());
    for (const schema of kinds) {
      const kind = faultKind((schema.properties['kind'] as { const: string }).const);
      for (const field of kind?.fields ?? []) expect(Object.keys(schema.properties)).toContain(field);
    }
  });
});
