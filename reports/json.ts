/**
 * result.json on disk: the input of later merge and compare commands.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseJson } from '../core/json-document.js';
import { InvalidConfigError } from '../core/errors.js';
import { makeDirectory, readTextFileSync, writeFileAtomically } from '../core/files.js';
import { fileLimits } from '../core/limits.js';
import { parseResult } from './result-parse.js';
import type { ParseResultOptions } from './result-parse.js';
import type { Result } from './result.js';
import type { TuneReport } from './tune.js';

export const RESULT_FILE = 'result.json';

/**
 * Writes `<dir>/result.json` (pretty, 2-space) and returns its absolute path. Creates `dir`.
 * Written to a temporary file and renamed, so an interrupted run never leaves a half-written
 * result for a later merge to choke on.
 */
export async function writeResult(result: Result, dir = 'pushsim-report'): Promise<string> {
  return writeJsonAtomically(resolve(dir, RESULT_FILE), result);
}

export const TOKENS_TO_PRUNE_FILE = 'tokens-to-prune.json';

/**
 * Writes `<dir>/tokens-to-prune.json` — the dead tokens of the run (provider, token, reason,
 * timestamp), for the team's token cleanup — when the run found any. Returns its path or undefined.
 */
export async function writeTokensToPrune(result: Result, dir = 'pushsim-report'): Promise<string | undefined> {
  if (result.tokensToPrune === undefined || result.tokensToPrune.length === 0) return undefined;
  return writeJsonAtomically(resolve(dir, TOKENS_TO_PRUNE_FILE), result.tokensToPrune);
}

export const TUNE_FILE = 'tune.json';

/** Writes `<dir>/tune.json` — the tuning report without each variant's full Result — and returns its path. */
export async function writeTuneReport(report: TuneReport, dir = 'pushsim-tune'): Promise<string> {
  // Imported here: tune.ts brings the YAML printer, which reading a result.json does not need.
  const { withoutResults } = await import('./tune.js');
  return writeJsonAtomically(resolve(dir, TUNE_FILE), withoutResults(report));
}

export const TUNE_HTML_FILE = 'tune.html';

/** Writes `<dir>/tune.html`, the tuning report as a page with its trade-off chart; returns the path. */
export async function writeTuneHtml(report: TuneReport, dir = 'pushsim-tune'): Promise<string> {
  // Imported here: the page brings uPlot's bundle, which the JSON file does not need.
  const { formatTuneHtml } = await import('./tune-html.js');
  return writeTextAtomically(resolve(dir, TUNE_HTML_FILE), formatTuneHtml(report));
}

function writeJsonAtomically(file: string, value: unknown): Promise<string> {
  return writeTextAtomically(file, `${JSON.stringify(value, null, 2)}\n`);
}

async function writeTextAtomically(file: string, text: string): Promise<string> {
  await makeDirectory(dirname(file));
  await writeFileAtomically(file, text);
  return file;
}

/**
 * The result file `path` names: `path` itself, or `path/result.json` when it is a directory (the
 * `--out` of `pushsim run` or `pushsim merge`), so report, merge and compare take either. A directory
 * without one is the user's to fix (InvalidConfigError, exit 104); any other problem with `path` is
 * left for the read to name.
 */
export function resultFileOf(path: string): string {
  let directory: boolean;
  try {
    directory = statSync(path).isDirectory();
  } catch {
    return path;
  }
  if (!directory) return path;
  const file = join(path, RESULT_FILE);
  if (!existsSync(file)) {
    throw new InvalidConfigError(path, [`is a directory without a ${RESULT_FILE}; give the directory a run wrote its result to (pushsim run --out DIR) or the path of a result file`]);
  }
  return file;
}

/**
 * Reads and checks a result file, or the result.json in a directory (resultFileOf); throws
 * InvalidConfigError when it cannot be read, is not JSON or not a v1 result.
 */
export async function readResult(path: string, options: ParseResultOptions = {}): Promise<Result> {
  const file = resultFileOf(path);
  // A mistyped path is the user's to fix (exit 104 naming the file), not a pushsim bug (exit 1).
  // Read synchronously: one file, then a synchronous parse; each asynchronous step of a read is a trip
  // through the thread pool, which a loaded CI machine makes slow to start.
  const { text, problem } = readTextFileSync(file, fileLimits.result);
  if (problem !== undefined) throw new InvalidConfigError(file, [`the file ${problem}`]);
  return parseResult(parseJson(text, { source: file }), file, options);
}
