/**
 * Runs the built CLI as users and CI do (npm test builds dist/ first, see `pretest`): exit code,
 * stdout and stderr, whatever the code.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const bin = join(import.meta.dirname, '../../dist/cli/bin.js');
const run = promisify(execFile);

export async function pushsim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
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
