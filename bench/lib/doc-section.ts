/**
 * A benchmark's own section of docs/benchmarks.md, between `<!-- NAME:begin -->` and
 * `<!-- NAME:end -->`: replaced in place when the page has it, appended otherwise, so benches that
 * run after peers.js (which rewrites the page) put their sections back.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const benchmarksPage = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));

/** `body` wrapped in NAME's markers. */
export function section(name: string, body: string): string {
  return `<!-- ${name}:begin -->\n${body.trim()}\n<!-- ${name}:end -->`;
}

/** `page` with NAME's section replaced by (or, when absent, appended as) `body`. */
export function withSection(page: string, name: string, body: string): string {
  const begin = page.indexOf(`<!-- ${name}:begin -->`);
  const endMarker = `<!-- ${name}:end -->`;
  const end = page.indexOf(endMarker);
  const text = section(name, body);
  return begin >= 0 && end > begin ? page.slice(0, begin) + text + page.slice(end + endMarker.length) : `${page.trimEnd()}\n\n${text}\n`;
}

/** Writes NAME's section into `file` (docs/benchmarks.md by default). */
export async function writeSection(name: string, body: string, file = benchmarksPage): Promise<void> {
  const page = await readFile(file, 'utf8').catch(() => '');
  await writeFile(file, withSection(page, name, body));
}
