/** `pushsim init`: a starter scenario that validates and runs, never written over a file by accident. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../scenarios/file.js';
import { readResult } from '../../reports/json.js';
import { cliTestTimeout, pushsim } from './helpers.js';

describe('pushsim init', { timeout: cliTestTimeout }, () => {
  it('writes a commented starter scenario that names its schema, validates, and runs against the embedded mock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-init-'));
    const file = join(dir, 'starter.yaml');
    const written = await pushsim('init', file);
    expect(written.code).toBe(0);
    expect(written.stderr).toContain(`wrote ${file}`);
    const text = await readFile(file, 'utf8');
    const schema = /^# yaml-language-server: \$schema=(.+)$/m.exec(text)?.[1];
    expect(schema).toMatch(/schemas\/scenario\.schema\.json$/);
    // The relative path leads to the shipped schema from where the file is.
    expect(JSON.parse(await readFile(join(dir, schema as string), 'utf8'))).toMatchObject({ title: 'pushsim scenario' });
    expect((text.match(/#/g) ?? []).length).toBeGreaterThan(20);
    expect(await loadScenarioFile(file)).toMatchObject({ name: 'starter', target: { kind: 'mock', provider: 'apns' } });
    const ran = await pushsim('run', file, '--count', '200', '--quiet', '--no-fail-on-overload', '--out', dir);
    expect(ran.code, ran.stderr).toBe(0);
    expect((await readResult(join(dir, 'result.json'))).counts.scheduled).toBe(200);
  });

  it('refuses to overwrite a file (exit 2, saying how), and does with --force', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-init-'));
    const file = join(dir, 'mine.yaml');
    await writeFile(file, 'name: mine\n');
    const refused = await pushsim('init', file);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${file} already exists; pass --force to overwrite it`);
    expect(await readFile(file, 'utf8')).toBe('name: mine\n');
    const forced = await pushsim('init', file, '--force');
    expect(forced.code).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('name: starter');
  });

  it('reports a directory that does not exist as a usage error (exit 2), not a crash', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-init-'));
    const missing = await pushsim('init', join(dir, 'no', 'such', 'dir', 's.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).not.toContain('unexpected error');
  });
});
