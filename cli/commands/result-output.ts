/**
 * What `pushsim run` and `pushsim simulate` do with a finished result: stamp the version, write
 * result.json, the tokens to prune and the asked-for reports next to it, print the summary.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeResult, writeTokensToPrune } from '../../reports/json.js';
import type { Result } from '../../reports/result.js';
import { formatText } from '../../reports/text.js';
import { pushsimVersion } from '../version.js';
import { renderReport } from './report-action.js';
import type { reportFiles } from './report.js';

export interface ResultOutputFlags {
  readonly out: string;
  readonly report?: readonly (keyof typeof reportFiles)[] | undefined;
  readonly json?: boolean | undefined;
}

/** Writes and prints `result` (with the version that wrote it, for a later comparison); resolves with what was written. */
export async function outputResult(given: Result, flags: ResultOutputFlags, files: typeof reportFiles): Promise<Result> {
  const result = { ...given, pushsim: pushsimVersion() };
  const file = await writeResult(result, flags.out);
  const prune = await writeTokensToPrune(result, flags.out);
  for (const format of flags.report ?? []) {
    const path = resolve(flags.out, files[format]);
    await writeFile(path, await renderReport(result, format), 'utf8');
    process.stderr.write(`pushsim: ${format} report written to ${path}\n`);
  }
  process.stdout.write(flags.json ? JSON.stringify(result, null, 2) + '\n' : formatText(result) + '\n');
  process.stderr.write(`pushsim: result written to ${file}\n`);
  if (prune !== undefined) process.stderr.write(`pushsim: ${result.tokensToPrune?.length ?? 0} token(s) to prune written to ${prune}\n`);
  return result;
}
