/**
 * build/inline-dependencies.mjs, on the dist/ that `npm test` builds first (pretest): the result
 * reader carries zod inside itself, so `pushsim report` starts without loading zod's package, and it
 * still shares pushsim's own modules (one InvalidConfigError class, so exit codes still map).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeResult } from '../../reports/json.js';
import { sampleRun } from '../reports/fixtures.js';
import { initHistograms } from '../../reports/histogram.js';
import type * as Errors from '../../core/errors.js';
import type * as ResultParse from '../../reports/result-parse.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const reader = join(root, 'dist', 'reports', 'result-parse.js');
let dir: string;
let resultFile: string;

beforeAll(async () => {
  await initHistograms();
  dir = await mkdtemp(join(tmpdir(), 'pushsim-inline-'));
  const { collector, result } = sampleRun();
  collector.destroy();
  resultFile = await writeResult(result, dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every module specifier the file imports, static or dynamic. */
function specifiers(code: string): string[] {
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g)].map((m) => m[1] as string);
}

describe('the built result reader', () => {
  it('imports only pushsim modules and node builtins: zod is inside it', async () => {
    const code = await readFile(reader, 'utf8');
    expect(code.startsWith('/* pushsim: dependencies inlined */')).toBe(true);
    const imported = specifiers(code);
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.filter((s) => !s.startsWith('./') && !s.startsWith('../') && !s.startsWith('node:'))).toEqual([]);
    expect(code).toContain('safeParse');
  });

  it('throws the one InvalidConfigError of dist/core/errors.js, naming each problem', async () => {
    const { parseResult } = (await import(pathToFileURL(reader).href)) as typeof ResultParse;
    const { InvalidConfigError } = (await import(pathToFileURL(join(root, 'dist', 'core', 'errors.js')).href)) as typeof Errors;
    let thrown: unknown;
    try {
      parseResult({ schema: 'pushsim.result/1', counts: { scheduled: -1 } }, 'bad.json');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidConfigError);
    expect(String((thrown as Error).message)).toMatch(/counts\.scheduled/);
  });

  it('`pushsim report` reads a result without loading any file of the zod package', async () => {
    const hooks = join(dir, 'hooks.mjs');
    await writeFile(hooks, `export async function load(url, context, next) { process.stderr.write('LOADED ' + url + '\\n'); return next(url, context); }\n`);
    const register = join(dir, 'register.mjs');
    await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const child = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, join(root, 'dist', 'cli', 'bin.js'), 'report', resultFile], { encoding: 'utf8', timeout: 60_000 });
    expect(child.status).toBe(0);
    expect(child.stdout).toContain('scheduled');
    const loaded = child.stderr.split('\n').filter((line) => line.startsWith('LOADED '));
    expect(loaded.some((line) => line.includes('/dist/reports/result-parse.js'))).toBe(true);
    expect(loaded.filter((line) => line.includes('/node_modules/zod/'))).toEqual([]);
  });
});
