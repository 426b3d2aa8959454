/**
 * Files a user points pushsim at, read with a size limit checked before a byte is read (a 50 MB
 * scenario file is refused at once, not after a parser has grown to gigabytes), and files pushsim
 * writes, written whole or not at all (a temporary file in the same directory, renamed over).
 */
import { readFileSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isSystemError, pathProblem } from './system-errors.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** The text, or what is wrong with the file, in words that follow its path ("… is a directory"). */
export type TextFileRead = { readonly text: string; readonly problem?: undefined } | { readonly text?: undefined; readonly problem: string };

/** `1 MiB (1048576 bytes)`: the limit as people say it and as `ls -l` shows it. */
export function formatBytes(bytes: number): string {
  const unit = bytes >= MiB && bytes % MiB === 0 ? `${bytes / MiB} MiB` : bytes >= KiB && bytes % KiB === 0 ? `${bytes / KiB} KiB` : undefined;
  return unit === undefined ? `${bytes} bytes` : `${unit} (${bytes} bytes)`;
}

function checkStats(stats: Stats, maxBytes: number): string | undefined {
  if (stats.isDirectory()) return 'is a directory; give the path of a file';
  // A device, pipe or socket could block or never end (/dev/zero, a FIFO): only regular files.
  if (!stats.isFile()) return 'is not a regular file (a device, pipe or socket); give the path of a file';
  if (stats.size > maxBytes) return `is ${stats.size} bytes; the limit is ${formatBytes(maxBytes)}`;
  return undefined;
}

function problemOf(error: unknown): string {
  if (isSystemError(error)) return pathProblem(error);
  return `cannot be read: ${(error as Error).message}`;
}

/** Reads a UTF-8 text file of at most `maxBytes`; never throws for a problem with the file. */
export async function readTextFile(path: string, maxBytes: number): Promise<TextFileRead> {
  try {
    const problem = checkStats(await stat(path), maxBytes);
    if (problem !== undefined) return { problem };
    const text = await readFile(path, 'utf8');
    // It grew between stat and read: still refused.
    return text.length > maxBytes ? { problem: `is over the limit of ${formatBytes(maxBytes)}` } : { text };
  } catch (error) {
    return { problem: problemOf(error) };
  }
}

/** readTextFile, synchronously (for parsers that are synchronous themselves). */
export function readTextFileSync(path: string, maxBytes: number): TextFileRead {
  try {
    const problem = checkStats(statSync(path), maxBytes);
    if (problem !== undefined) return { problem };
    const text = readFileSync(path, 'utf8');
    return text.length > maxBytes ? { problem: `is over the limit of ${formatBytes(maxBytes)}` } : { text };
  } catch (error) {
    return { problem: problemOf(error) };
  }
}

/**
 * Writes `file` whole or not at all, with `mode` whatever was there before: the data goes to a new
 * file in the same directory (created exclusively, so nothing planted at that name is followed) and
 * is renamed over `file`. A private key written this way is 0600 even where a 0644 file stood.
 * Throws Node's system error (ENOENT, EACCES…) for the caller to name the flag.
 */
export async function writeFileAtomically(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  // Imported here: reading commands (report, merge, compare) start without loading node:crypto (~5 ms).
  const { randomBytes } = await import('node:crypto');
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temporary, data, { mode, flag: 'wx' });
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * `mkdir -p`: creates `dir` and its missing parents, one at a time. Not `mkdir(dir, { recursive: true })`:
 * Node's loops forever at full CPU when a parent exists but cannot hold children (`/proc/x`, `/sys/x`:
 * procfs answers ENOENT, which it takes for "create the parent first"); here that ENOENT is the answer.
 */
export async function makeDirectory(dir: string, mode?: number): Promise<void> {
  const missing: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    const found = await stat(at).catch((error: unknown) => {
      if (isSystemError(error) && error.code === 'ENOENT') return undefined;
      throw error;
    });
    // A file where the directory belongs: mkdir says so (EEXIST), as the caller expects.
    if (found !== undefined && !found.isDirectory()) await mkdir(at);
    if (found !== undefined || dirname(at) === at) break;
    missing.unshift(at);
  }
  for (const at of missing) {
    await mkdir(at, mode === undefined ? {} : { mode }).catch((error: unknown) => {
      // Made meanwhile by someone else (another shard writing into the same directory): fine.
      if (!(isSystemError(error) && error.code === 'EEXIST')) throw error;
    });
  }
}
