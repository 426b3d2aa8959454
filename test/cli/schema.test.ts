/**
 * `pushsim schema`: prints the shipped schemas; the commands that must start fast (--version,
 * report) do not load the generator.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTestTimeout, pushsim } from './helpers.js';

/** Every module `entry` imports statically (not `await import(…)`), sources resolved from their `.js` names. */
function staticImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^(?:import|export)\s(?!type\b)[^'"]*?from\s+'(\.[^']+)\.js';/gm)) visit(join(dirname(file), `${match[1]}.ts`));
  };
  visit(entry);
  return new Set([...seen].map((file) => relative('.', file)));
}

const generator = ['scenarios/json-schema.ts', 'simulator/faults/json-schema.ts', 'scenarios/write-schemas.ts', 'scenarios/starter.ts', 'cli/commands/init-action.ts'];

describe('pushsim schema', { timeout: cliTestTimeout }, () => {
  it('prints the scenario schema (the default) and the fault spec schema, as shipped', async () => {
    const scenario = await pushsim('schema');
    expect(scenario.code).toBe(0);
    expect(scenario.stdout).toBe(readFileSync('schemas/scenario.schema.json', 'utf8'));
    const faults = await pushsim('schema', 'faults');
    expect(faults.code).toBe(0);
    expect(JSON.parse(faults.stdout)).toMatchObject({ title: 'pushsim fault spec' });
    expect(faults.stdout).toBe(readFileSync('schemas/faults.schema.json', 'utf8'));
  });

  it('refuses an unknown schema name with exit 2, naming the choices', async () => {
    const bad = await pushsim('schema', 'result');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected one of scenario, faults, got "result"');
  });

  it('is not loaded by the CLI start-up, by the command definitions help loads, nor by pushsim report: only when the command runs', () => {
    const startup = staticImports('cli/bin.ts');
    expect(startup.has('cli/pushsim.ts')).toBe(true);
    expect(generator.filter((file) => startup.has(file))).toEqual([]);
    // Help and a mistyped command load every command's definition (cli/pushsim.ts): schema's and init's bring no generator.
    for (const definition of ['cli/commands/schema.ts', 'cli/commands/init.ts']) {
      const loaded = staticImports(definition);
      expect(loaded.has(definition)).toBe(true);
      expect(generator.filter((file) => loaded.has(file)), definition).toEqual([]);
    }
    const report = staticImports('cli/commands/report-action.ts');
    expect(generator.filter((file) => report.has(file))).toEqual([]);
  });
});
