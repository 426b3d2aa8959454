/**
 * `pushsim report`, in-process: the command registered on a fresh commander program the way
 * cli/pushsim.ts does it, and the action function behind it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerReport } from '../../cli/commands/report.js';
import { reportCommand } from '../../cli/commands/report-action.js';
import { exitCodeFor } from '../../cli/exit.js';
import { ExitCode } from '../../core/exit-codes.js';
import { initHistograms } from '../../reports/histogram.js';
import { writeResult } from '../../reports/json.js';
import { parseResult } from '../../reports/result-parse.js';
import type { Result, ResultCollector } from '../../reports/result.js';
import { sampleRun } from '../reports/fixtures.js';

let dir: string;
let file: string;
let collector: ResultCollector;
let result: Result;

beforeAll(async () => {
  await initHistograms();
  dir = await mkdtemp(join(tmpdir(), 'pushsim-report-'));
  ({ collector, result } = sampleRun());
  file = await writeResult({ ...result, thresholds: [{ expression: 'rate(accepted)>=0.95', actual: 0.4, passed: false }] }, dir);
});

afterAll(async () => {
  collector.destroy();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Runs `pushsim report …args` on a program of its own, as cli/pushsim.ts would, capturing stdout.
 * Returns the exit code main() would give: commander errors → usage, others through exitCodeFor.
 */
async function report(...args: string[]): Promise<{ code: number; stdout: string; stderr: string; error?: unknown }> {
  const program = new Command('pushsim').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerReport(program);
  program.commands.forEach((c) => c.exitOverride());
  let stdout = '';
  let stderr = '';
  const { write: writeOut } = process.stdout;
  const { write: writeErr } = process.stderr;
  const capture = (append: (text: string) => void) =>
    ((chunk: string | Uint8Array) => {
      append(chunk.toString());
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture((text) => (stdout += text));
  process.stderr.write = capture((text) => (stderr += text));
  try {
    await program.parseAsync(['report', ...args], { from: 'user' });
    return { code: ExitCode.ok, stdout, stderr };
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode === 0 ? ExitCode.ok : ExitCode.usage, stdout, stderr, error };
    return { code: exitCodeFor(error), stdout, stderr, error };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

describe('pushsim report', () => {
  it('prints the text summary by default', async () => {
    const { code, stdout } = await report(file);
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toContain('pushsim · scenario smoke');
    expect(stdout).toMatch(/rate\(accepted\)>=0\.95\s+0\.4\s+✗ FAIL/);
    expect(stdout).toContain('scheduled 10 = accepted 4 + rejected 3 + failed 1 + expired 1 + dropped 1 ✓');
  });

  it('--format json prints the result back, valid against the schema', async () => {
    const { code, stdout } = await report(file, '--format', 'json');
    expect(code).toBe(ExitCode.ok);
    expect(parseResult(JSON.parse(stdout))).toEqual(parseResult(JSON.parse(await readFile(file, 'utf8'))));
  });

  it('--format junit prints valid JUnit XML with the failed threshold', async () => {
    const { code, stdout } = await report(file, '--format', 'junit');
    expect(code).toBe(ExitCode.ok);
    expect(XMLValidator.validate(stdout)).toBe(true);
    expect(stdout).toContain('<testsuite name="smoke" tests="3" failures="1"');
  });

  it('--format html --out writes the page, creating its directory, and prints nothing on stdout', async () => {
    const out = join(dir, 'artifacts', 'nested', 'report.html');
    const { code, stdout, stderr } = await report(file, '--format', 'html', '--out', out);
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toBe('');
    expect(stderr).toBe(`pushsim: report written to ${out}\n`);
    const html = await readFile(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('rate(accepted)&gt;=0.95');
  });

  it('an unknown format is a usage error (exit 2) naming the choices', async () => {
    const { code, error } = await report(file, '--format', 'xml');
    expect(code).toBe(ExitCode.usage);
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as Error).message).toContain('expected one of text, json, junit, html, got "xml"');
  });

  it('a missing argument is a usage error', async () => {
    expect((await report()).code).toBe(ExitCode.usage);
  });

  it('a file that is not a result exits 104 listing the problems', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ schema: 'pushsim.result/1', counts: {} }));
    const { code, error } = await report(bad, '--format', 'junit');
    expect(code).toBe(ExitCode.invalidConfig);
    expect((error as Error).message).toContain('bad.json has');
    expect((error as Error).message).toContain('counts.scheduled');
  });

  it('a directory stands for the result.json in it (a run\'s --out, as merge and compare take it); one without exits 104 saying so', async () => {
    const { code, stdout } = await report(dir);
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toContain('scheduled 10 = accepted 4 + rejected 3 + failed 1 + expired 1 + dropped 1 ✓');
    const empty = await mkdtemp(join(tmpdir(), 'pushsim-report-empty-'));
    const none = await report(empty);
    expect(none.code).toBe(ExitCode.invalidConfig);
    expect((none.error as Error).message).toMatch(/pushsim-report-empty-\w+ has 1 problem\(s\):\n.*is a directory without a result\.json; give the directory a run wrote its result to \(pushsim run --out DIR\) or the path of a result file/);
    await rm(empty, { recursive: true });
  });

  it('a file that is not JSON, or does not exist, exits 104 too (not as an internal error)', async () => {
    const notJson = join(dir, 'not.json');
    await writeFile(notJson, '{ nope');
    expect((await report(notJson)).code).toBe(ExitCode.invalidConfig);
    const missing = await report(join(dir, 'missing.json'));
    expect(missing.code).toBe(ExitCode.invalidConfig);
    expect((missing.error as Error).message).toMatch(/missing\.json has 1 problem\(s\):\n.*ENOENT/);
  });
});

describe('reportCommand', () => {
  it('hands the rendered text to the writer and returns no path without --out', async () => {
    const chunks: string[] = [];
    expect(await reportCommand(file, { format: 'junit' }, (text) => chunks.push(text))).toBeUndefined();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toContain('<testsuites');
  });

  it('returns the absolute path it wrote with --out', async () => {
    const written = await reportCommand(file, { format: 'text', out: join(dir, 'summary.txt') }, () => {
      throw new Error('nothing goes to stdout with --out');
    });
    expect(written).toBe(join(dir, 'summary.txt'));
    expect(await readFile(join(dir, 'summary.txt'), 'utf8')).toContain('pushsim · scenario smoke');
  });
});
