/**
 * `pushsim report <result.json> [--format text|json|junit|html] [--out FILE]`: renders a saved
 * result again, in the format a person or a CI system wants. The result is validated on the way in
 * (readResult: exit 104 listing every problem); the formats are pure functions of it.
 */
import { InvalidArgumentError as UsageError } from 'commander';
import type { Command } from 'commander';
import { reportFormats } from './report-formats.js';
import type { ReportFlags, ReportFormat } from './report-formats.js';

export { reportFormats } from './report-formats.js';
export type { ReportFlags, ReportFormat } from './report-formats.js';

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

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('render a saved result.json as text, JSON, JUnit XML (for CI test reporters) or a self-contained HTML page')
    .argument('<result>', 'path to a result.json written by pushsim run, or the directory it is in')
    .option('--format <format>', `output format: ${reportFormats.join(', ')}`, reportFormat, 'text')
    .option('--out <file>', 'write to this file (its directory is created) instead of stdout')
    .action(async (file: string, flags: ReportFlags) => {
      // Loaded when the command runs (start-up): the result schema and the formatters.
      const { reportCommand } = await import('./report-action.js');
      const written = await reportCommand(file, flags);
      if (written !== undefined) process.stderr.write(`pushsim: report written to ${written}\n`);
    });
}
