/**
 * Where commands write: output directories (`--out`), credentials directories (`--credentials-dir`,
 * `--ca-dir`) and the files in them. Each is checked before the work starts (a run does not find out
 * after ten minutes that `--out` is a file), and a failure names the flag, the path and the fix
 * (exit 2). Secrets are written 0600 whatever stood there before, directories made here are 0700.
 */
import { constants } from 'node:fs';
import { access, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeDirectory, writeFileAtomically } from '../core/files.js';
import { InvalidArgumentError } from '../core/errors.js';
import { pathFailure } from '../core/system-errors.js';

/** Creates `dir` (and its parents) if needed and checks it can be written; returns its absolute path. */
export async function prepareOutputDir(dir: string, flag: string, mode?: number): Promise<string> {
  // resolve('') is the current directory: an unset variable (`--out "$DIR"`) would write there unasked.
  if (dir.trim() === '') throw new InvalidArgumentError(`${flag} needs a directory path, got an empty one`);
  const absolute = resolve(dir);
  try {
    await makeDirectory(absolute, mode);
    await access(absolute, constants.W_OK);
  } catch (error) {
    throw pathFailure(error, flag, dir);
  }
  return absolute;
}

/** A directory for generated credentials given by the user: created 0700 when it does not exist yet. */
export function prepareCredentialsDir(dir: string, flag = '--credentials-dir'): Promise<string> {
  return prepareOutputDir(dir, flag, 0o700);
}

/** A new private (0700) temporary directory named after `prefix`, where no directory was given. */
export function newPrivateDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface OutputFile {
  readonly name: string;
  readonly content: string;
  /** A private key (or a file holding one): written 0600. */
  readonly secret?: boolean;
}

/** Writes each file into `dir` atomically (0600 for secrets, 0644 otherwise); returns their paths by name. */
export async function writeOutputFiles(dir: string, files: readonly OutputFile[], flag = '--credentials-dir'): Promise<Record<string, string>> {
  const paths: Record<string, string> = {};
  for (const file of files) {
    const path = join(dir, file.name);
    try {
      await writeFileAtomically(path, file.content, file.secret === true ? 0o600 : 0o644);
    } catch (error) {
      throw pathFailure(error, flag, path);
    }
    paths[file.name] = path;
  }
  return paths;
}
