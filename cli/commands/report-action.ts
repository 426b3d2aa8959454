/**
 * What `pushsim report` does, and the renderers `pushsim run --report` shares: loaded when a command
 * renders, and each format's module only when that format is asked for (start-up; a text report
 * does not load the HTML page's charts).
 */
import { dirname, resolve } from 'node:path';
import { makeDirectory, writeFileAtomically } from '../../core/files.js';
import { pathFailure } from '../../core/system-errors.js';
import { readResult } from '../../reports/json.js';
import type { Result } from '../../reports/result.js';
import type { ReportFlags, ReportFormat } from './report-formats.js';

const formatters: Record<ReportFormat, () => Promise<(result: Result) => string>> = {
  text: async () => {
    const { formatText } = await import('../../reports/text.js');
    return (result) => formatText(result);
  },
  json: () => Promise.resolve((result) => `${JSON.stringify(result, null, 2)}\n`),
  junit: async () => (await import('../../reports/junit.js')).formatJUnit,
  html: async () => (await import('../../reports/html.js')).formatHtml,
};

/** Renders `result` in `format`: each a pure function of the result. */
export async function renderReport(result: Result, format: ReportFormat): Promise<string> {
  const render = await formatters[format]();
  return render(result);
}

/**
 * What `pushsim report` does: reads and validates `file`, renders it, and writes it to `flags.out`
 * (creating its directory) or, without `--out`, to `write`. Returns the path written, if any.
 * A file that cannot be read or is not a valid result throws InvalidConfigError (readResult; exit 104).
 */
export async function reportCommand(
  file: string,
  flags: ReportFlags = {},
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<string | undefined> {
  const format = flags.format ?? 'text';
  // Only the HTML page draws from the histograms; the other formats show the summary numbers.
  const result = await readResult(file, { histograms: format === 'html' });
  const rendered = await renderReport(result, format);
  if (flags.out === undefined) {
    write(rendered);
    return undefined;
  }
  const out = resolve(flags.out);
  try {
    await makeDirectory(dirname(out));
    await writeFileAtomically(out, rendered);
  } catch (error) {
    throw pathFailure(error, '--out', flags.out);
  }
  return out;
}

