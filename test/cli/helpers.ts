/**
 * Runs the built CLI as users and CI do (npm test builds dist/ first, see `pretest`): exit code,
 * stdout and stderr, whatever the code.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';

export const bin = join(import.meta.dirname, '../../dist/cli/bin.js');

/**
 * For tests that run the built CLI: it starts mocks and sends real traffic, and on a loaded two-core
 * machine a run that takes 2 s alone can take ten times that. Generous, because it only has to hold
 * "ends at all", never "is fast" (speed is measured in bench/).
 */
export const cliTestTimeout = 120_000;

export interface CliResult {
  /** The exit code; null when the process had to be killed. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The process did not end by itself within the time allowed and was killed. */
  readonly timedOut: boolean;
}

/**
 * Runs `pushsim ...args` and waits for it to end, killing it after `timeoutMs` (a command that does
 * not exit after an error is a bug: `timedOut` says so). The budget is generous, for loaded machines.
 */
export function pushsimWithin(timeoutMs: number, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      const failure = error as (Error & { code?: number | string; killed?: boolean; signal?: string }) | null;
      const timedOut = failure?.killed === true || failure?.signal === 'SIGKILL';
      resolve({ code: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null, stdout, stderr, timedOut });
    });
  });
}

export function pushsim(...args: string[]): Promise<CliResult> {
  return pushsimWithin(60_000, args);
}

/**
 * A user's mistake: the command ended by itself with `code`, said `message`, and printed neither a
 * stack trace nor "please report it".
 */
export function expectUserError(result: CliResult, code: number, message: RegExp): void {
  expect({ timedOut: result.timedOut, code: result.code, stderr: result.stderr }).toMatchObject({ timedOut: false, code, stderr: expect.stringMatching(message) });
  expect(result.stderr).not.toMatch(/\n\s+at |please report it/);
}

/** Starts `pushsim mock <provider> …`, waits for its banner, returns what it printed and a stop function. */
export async function startMock(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stop: () => Promise<{ code: number | null; stderr: string }> }> {
  const child = spawn(process.execPath, [bin, 'mock', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stdout = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('credentials.json')) resolve();
    });
    child.on('exit', () => reject(new Error(`mock exited early: ${stdout}${stderr}`)));
  });
  return {
    stdout,
    stop: async () => {
      child.kill('SIGTERM');
      return { code: await exited, stderr };
    },
  };
}

/**
 * Starts `pushsim run …args` and resolves once its first progress line is out (the measured run is
 * under way), with the child, what it wrote so far (kept up to date) and its exit.
 */
export async function runUntilProgress(args: readonly string[]): Promise<{ child: ChildProcess; output: { stdout: string; stderr: string }; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [bin, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      output.stderr += chunk.toString();
      if (/\d\.\ds {2}planned/.test(output.stderr)) resolve();
    });
    child.on('exit', () => reject(new Error(`exited before its first progress line: ${output.stderr}`)));
  });
  return { child, output, exited };
}

/**
 * Starts `pushsim run --dashboard… …args` and resolves once it printed the dashboard's URL, with the
 * child, the URL, what it wrote on stderr so far (kept up to date) and its exit.
 */
export async function runWithDashboard(args: readonly string[]): Promise<{ child: ChildProcess; url: string; output: { stderr: string }; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [bin, 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const output = { stderr: '' };
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      output.stderr += chunk.toString();
      const found = /live dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output.stderr);
      if (found) resolve(found[1] as string);
    });
    child.on('exit', () => reject(new Error(`exited before announcing the dashboard: ${output.stderr}`)));
  });
  return { child, url, output, exited };
}
