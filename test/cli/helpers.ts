/**
 * Runs the built CLI as users and CI do (npm test builds dist/ first, see `pretest`): exit code,
 * stdout and stderr, whatever the code.
 */
import { execFile } from 'node:child_process';
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
