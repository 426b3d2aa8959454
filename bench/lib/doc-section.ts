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

/** Where NAME's first section lies in `page`: from its begin marker to past its end marker, and its body between them. */
function sectionSpan(page: string, name: string): { start: number; bodyStart: number; bodyEnd: number; end: number } | undefined {
  const beginMarker = `<!-- ${name}:begin -->`;
  const endMarker = `<!-- ${name}:end -->`;
  const start = page.indexOf(beginMarker);
  const bodyEnd = start < 0 ? -1 : page.indexOf(endMarker, start);
  return bodyEnd < 0 ? undefined : { start, bodyStart: start + beginMarker.length, bodyEnd, end: bodyEnd + endMarker.length };
}

/** What NAME's section of `page` holds between its markers, trimmed; undefined when the page has none. */
export function sectionBody(page: string, name: string): string | undefined {
  const span = sectionSpan(page, name);
  return span === undefined ? undefined : page.slice(span.bodyStart, span.bodyEnd).trim();
}

/** `page` with NAME's section replaced by (or, when absent, appended as) `body`. */
export function withSection(page: string, name: string, body: string): string {
  const span = sectionSpan(page, name);
  const text = section(name, body);
  return span === undefined ? `${page.trimEnd()}\n\n${text}\n` : page.slice(0, span.start) + text + page.slice(span.end);
}

/**
 * `page` followed by every marked section of `previous` that `page` lacks: a bench that rewrites the
 * whole page (peers.js) keeps the sections other benches wrote, the hour's soak among them, which
 * `npm run bench` does not run. Later benches replace theirs in place.
 */
export function keepingSections(previous: string, page: string): string {
  const kept: string[] = [];
  for (const [, name] of previous.matchAll(/<!-- ([\w-]+):begin -->/g)) {
    const span = sectionSpan(previous, name as string);
    if (span === undefined || sectionSpan(page, name as string) !== undefined) continue;
    kept.push(previous.slice(span.start, span.end));
  }
  return kept.length === 0 ? page : `${page.trimEnd()}\n\n${kept.join('\n\n')}\n`;
}

/** Writes NAME's section into `file` (docs/benchmarks.md by default). */
export async function writeSection(name: string, body: string, file = benchmarksPage): Promise<void> {
  const page = await readFile(file, 'utf8').catch(() => '');
  await writeFile(file, withSection(page, name, body));
}
