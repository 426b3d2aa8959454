/**
 * `pushsim report <result.json> [--format text|json|junit|html] [--out FILE]`: renders a saved
 * result again, in the format a person or a CI system wants. The result is validated on the way in
 * (readResult: exit 104 listing every problem); the formats are pure functions of it.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError as UsageError } from 'commander';
import type { Command } from 'commander';
import { writeFileAtomically } from '../../core/files.js';
import { pathFailure } from '../../core/system-errors.js';
import { formatHtml } from '../../reports/html.js';
import { readResult } from '../../reports/json.js';
import { formatJUnit } from '../../reports/junit.js';
import type { Result } from '../../reports/result.js';
import { formatText } from '../../reports/text.js';

export const reportFormats = ['text', 'json', 'junit', 'html'] as const;
export type ReportFormat = (typeof reportFormats)[number];

const formatters: Record<ReportFormat, (result: Result) => string> = {
  text: (result) => formatText(result),
  json: (result) => `${JSON.stringify(result, null, 2)}\n`,
  junit: formatJUnit,
  html: formatHtml,
};

/** Renders `result` in `format`: each a pure function of the result. */
export function renderReport(result: Result, format: ReportFormat): string {
  return formatters[format](result);
}

/** Files `pushsim run --report` writes next to result.json. */
export const reportFiles: Readonly<Record<Exclude<ReportFormat, 'text' | 'json'>, string>> = { junit: 'junit.xml', html: 'report.html' };

/** Commander parser for `pushsim run --report junit,html`: a usage error (exit 2) for anything else. */
export function runReportFormats(value: string): (keyof typeof reportFiles)[] {
  const formats = value.split(',').map((f) => f.trim());
  const unknown = formats.filter((f) => !(f in reportFiles));
  if (unknown.length > 0 || formats.length === 0) throw new UsageError(`expected a comma-separated list of ${Object.keys(reportFiles).join(', ')}, got "${value}"`);
  return [...new Set(formats)] as (keyof typeof reportFiles)[];
}

/** Commander parser for `--format`: an unknown format is a usage error (exit 2) naming the choices. */
export function reportFormat(value: string): ReportFormat {
  if (!(reportFormats as readonly string[]).includes(value)) {
    throw new UsageError(`expected one of ${reportFormats.join(', ')}, got "${value}"`);
  }
  return value as ReportFormat;
}

export interface ReportFlags {
  readonly format?: ReportFormat;
  readonly out?: string;
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
  const result = await readResult(file);
  const rendered = renderReport(result, flags.format ?? 'text');
  if (flags.out === undefined) {
    write(rendered);
    return undefined;
  }
  const out = resolve(flags.out);
  try {
    await mkdir(dirname(out), { recursive: true });
    await writeFileAtomically(out, rendered);
  } catch (error) {
    throw pathFailure(error, '--out', flags.out);
  }
  return out;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('render a saved result.json as text, JSON, JUnit XML (for CI test reporters) or a self-contained HTML page')
    .argument('<result>', 'path to a result.json written by pushsim run')
    .option('--format <format>', `output format: ${reportFormats.join(', ')}`, reportFormat, 'text')
    .option('--out <file>', 'write to this file (its directory is created) instead of stdout')
    .action(async (file: string, flags: ReportFlags) => {
      const written = await reportCommand(file, flags);
      if (written !== undefined) process.stderr.write(`pushsim: report written to ${written}\n`);
    });
}
