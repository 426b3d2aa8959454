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

/** What NAME's section of `page` holds between its markers, trimmed; undefined when the page has none. */
export function sectionBody(page: string, name: string): string | undefined {
  const beginMarker = `<!-- ${name}:begin -->`;
  const begin = page.indexOf(beginMarker);
  const end = page.indexOf(`<!-- ${name}:end -->`, begin);
  return begin >= 0 && end > begin ? page.slice(begin + beginMarker.length, end).trim() : undefined;
}

/** `page` with NAME's section replaced by (or, when absent, appended as) `body`. */
export function withSection(page: string, name: string, body: string): string {
  const begin = page.indexOf(`<!-- ${name}:begin -->`);
  const endMarker = `<!-- ${name}:end -->`;
  const end = page.indexOf(endMarker, begin);
  const text = section(name, body);
  return begin >= 0 && end > begin ? page.slice(0, begin) + text + page.slice(end + endMarker.length) : `${page.trimEnd()}\n\n${text}\n`;
}

/**
 * `page` followed by every marked section of `previous` that `page` lacks: a bench that rewrites the
 * whole page (peers.js) keeps the sections other benches wrote, the hour's soak among them, which
 * `npm run bench` does not run. Later benches replace theirs in place.
 */
export function keepingSections(previous: string, page: string): string {
  const kept: string[] = [];
  for (const match of previous.matchAll(/<!-- ([\w-]+):begin -->/g)) {
    const name = match[1] as string;
    const endMarker = `<!-- ${name}:end -->`;
    const end = previous.indexOf(endMarker, match.index);
    if (end < 0 || page.includes(`<!-- ${name}:begin -->`)) continue;
    kept.push(previous.slice(match.index, end + endMarker.length));
  }
  return kept.length === 0 ? page : `${page.trimEnd()}\n\n${kept.join('\n\n')}\n`;
}

/** Writes NAME's section into `file` (docs/benchmarks.md by default). */
export async function writeSection(name: string, body: string, file = benchmarksPage): Promise<void> {
  const page = await readFile(file, 'utf8').catch(() => '');
  await writeFile(file, withSection(page, name, body));
}
