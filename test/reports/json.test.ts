import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initHistograms } from '../../reports/histogram.js';
import { readResult, writeResult } from '../../reports/json.js';
import { parseResult } from '../../reports/result-parse.js';
import type { Result, ResultCollector } from '../../reports/result.js';
import { InvalidConfigError } from '../../core/errors.js';
import { sampleRun } from './fixtures.js';

let dir: string;
let collector: ResultCollector;
let result: Result;

beforeAll(async () => {
  await initHistograms();
  dir = await mkdtemp(join(tmpdir(), 'pushsim-json-'));
  ({ collector, result } = sampleRun());
});

afterAll(async () => {
  collector.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('writeResult', () => {
  it('creates the directory and writes pretty, parseable result.json', async () => {
    const target = join(dir, 'nested', 'report');
    const file = await writeResult(result, target);
    expect(file).toBe(join(target, 'result.json'));

    const text = await readFile(file, 'utf8');
    expect(text.startsWith('{\n  "schema": "pushsim.result/1",\n')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseResult(JSON.parse(text))).toEqual(result);
    // Written via a temporary file: nothing else is left behind.
    expect(await readdir(target)).toEqual(['result.json']);
  });

  it('overwrites an existing result', async () => {
    const target = join(dir, 'again');
    await writeResult({ ...result, scenario: 'first' }, target);
    const file = await writeResult(result, target);
    expect((await readResult(file)).scenario).toBe('smoke');
  });
});

describe('readResult', () => {
  it('reads back what writeResult wrote', async () => {
    const file = await writeResult(result, join(dir, 'read'));
    expect(await readResult(file)).toEqual(result);
  });

  it('throws InvalidConfigError for a file that is not JSON', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"schema": "pushsim.result/1",', 'utf8');
    await expect(readResult(file)).rejects.toThrow(InvalidConfigError);
    await expect(readResult(file)).rejects.toThrow(/broken\.json has 1 problem\(s\):\n {2}- not valid JSON/);
  });

  it('throws InvalidConfigError naming a file that cannot be read', async () => {
    const file = join(dir, 'missing.json');
    await expect(readResult(file)).rejects.toThrow(InvalidConfigError);
    await expect(readResult(file)).rejects.toThrow(/missing\.json has 1 problem\(s\):\n {2}- the file does not exist .*\(ENOENT\)/);
  });

  it('throws InvalidConfigError naming the file for JSON that is not a result', async () => {
    const file = join(dir, 'other.json');
    await writeFile(file, '{"hello": "world"}', 'utf8');
    await expect(readResult(file)).rejects.toThrow(/other\.json has \d+ problem\(s\)/);
  });
});
