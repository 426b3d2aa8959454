/**
 * The validation pass: the recipients file streamed once, start to end, before anything is sent,
 * so a malformed row 900,000 fails the run at once (exit 104, file:line and what to fix) rather
 * than after 15 minutes of sending. It costs one read of the file (about a second per million CSV
 * rows here) and the memory of a chunk; it also counts the rows and each provider's channels for
 * the banner.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { InvalidConfigError } from '../core/errors.js';
import type { ProblemLocation } from '../core/errors.js';
import type { Provider } from '../core/reasons.js';
import { compileNotification } from './notification-template.js';
import type { TemplateFields } from './notification-template.js';
import type { RecipientsConfig } from './recipients-config.js';
import { recipientsFormat } from './recipients-config.js';
import { createRowParser, providersOfColumns } from './recipients-parse.js';
import type { FileRecipient, RowParser } from './recipients-parse.js';
import { RecordError, readRecords } from './recipients-read.js';
import type { RawRecord } from './recipients-read.js';

/** Rows with problems listed one by one; the rest are counted. */
const maxListed = 50;

export interface RecipientsSummary {
  readonly file: string;
  readonly rows: number;
  /** sha256 (hex) of the file's bytes: what the run read, whatever its path on this machine. */
  readonly sha256: string;
  /** Rows with a channel for each provider of the target. */
  readonly channels: Readonly<Partial<Record<Provider, number>>>;
  /** Rows with more than one of the target's channels: they can fall back. */
  readonly withFallback: number;
}

/** The channels of `recipient` among `providers`, in the target's order: the first is its primary. */
export function channelsOf(recipient: FileRecipient, providers: readonly Provider[]): Provider[] {
  return providers.filter((p) => recipient[p] !== undefined);
}

/** Streams the whole file; throws InvalidConfigError listing every bad row (the first 50 by line) or a missing / unreadable file. */
export async function checkRecipientsFile(recipients: RecipientsConfig, notification: TemplateFields, providers: readonly Provider[]): Promise<RecipientsSummary> {
  const { file } = recipients;
  const format = recipientsFormat(recipients) ?? 'csv';
  const variables = compileNotification(notification).variables;
  const problems: string[] = [];
  const locations: (ProblemLocation | undefined)[] = [];
  let unlisted = 0;
  const problem = (line: number, message: string): void => {
    if (problems.length >= maxListed) {
      unlisted++;
      return;
    }
    problems.push(`line ${line}: ${message}`);
    locations.push({ file, line, column: 1 });
  };
  const channels: Partial<Record<Provider, number>> = {};
  let rows = 0;
  let withFallback = 0;
  let parser: RowParser | undefined;
  /** CSV: the template's variables the header lacks are one problem, for the file, not one per row. */
  let perRowVariables = true;
  const onRecord = (record: RawRecord): void => {
    if (parser === undefined) {
      const made = createRowParser(format, format === 'csv' ? record : undefined);
      if ('problem' in made) throw new HeaderProblem(record.line, made.problem);
      parser = made;
      if (made.columns !== undefined) {
        const missing = variables.filter((v) => !made.columns?.includes(v));
        if (missing.length > 0) throw new HeaderProblem(record.line, `the notification uses ${missing.map((v) => `{{${v}}}`).join(', ')}, but the header has no such column (its columns: ${made.columns.join(',')}); add the column or remove the placeholder`);
        const usable = providersOfColumns(made.columns).filter((p) => providers.includes(p));
        if (usable.length === 0) throw new HeaderProblem(record.line, `no column for the target's providers (${providers.join(', ')}): ${providers.map(columnFor).join(' or ')} is needed`);
        perRowVariables = false;
        return;
      }
    }
    rows++;
    const parsed = parser.parse(record);
    if ('problem' in parsed) return problem(record.line, parsed.problem);
    const usable = channelsOf(parsed, providers);
    if (usable.length === 0) return problem(record.line, `no channel for the target's providers (${providers.join(', ')}): give this recipient ${providers.map(columnFor).join(' or ')}`);
    if (perRowVariables) {
      const missing = variables.filter((v) => parsed.variables?.[v] === undefined);
      if (missing.length > 0) return problem(record.line, `no value for ${missing.map((v) => `{{${v}}}`).join(', ')}, which the notification uses: add ${missing.length === 1 ? 'the key' : 'the keys'} ${missing.join(', ')}`);
    }
    for (const p of usable) channels[p] = (channels[p] ?? 0) + 1;
    if (usable.length > 1) withFallback++;
  };
  const hash = createHash('sha256');
  try {
    // A pipe can be read once, and opening one no one writes to waits forever: the file is read twice (here, then to send).
    const info = await stat(file);
    if (!info.isFile() && !info.isDirectory()) throw new InvalidConfigError(`recipients file ${file}`, [`${file} is not a regular file (a pipe, device or socket): it is read twice, once to check every row and again to send; save the recipients to a file first`]);
    for await (const batch of readRecords(file, format, (chunk) => hash.update(chunk))) for (const record of batch) onRecord(record);
  } catch (error) {
    if (error instanceof InvalidConfigError) throw error;
    if (error instanceof HeaderProblem || error instanceof RecordError) throw new InvalidConfigError(file, [`line ${error.line}: ${error.message}`], [{ file, line: error.line, column: 1 }]);
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new InvalidConfigError(`recipients file ${file}`, [fileProblem(code, file)]);
    throw error;
  }
  if (rows === 0 && problems.length === 0) throw new InvalidConfigError(file, [`no recipients in the file: ${format === 'csv' ? 'add rows under the header line' : format === 'json' ? 'add recipient objects to the array' : 'add one recipient object per line'}`]);
  if (problems.length > 0) {
    if (unlisted > 0) problems.push(`… and ${unlisted} more row(s) with problems`);
    throw new InvalidConfigError(`recipients file ${file} (${rows} rows; fix these rows or delete them)`, problems, locations);
  }
  return { file, rows, sha256: hash.digest('hex'), channels, withFallback };
}

/** `config` with its recipients file's rows and content digest from the validation pass (unchanged without one). */
export function withChecked<C extends { readonly recipients?: RecipientsConfig }>(config: C, summary: RecipientsSummary | undefined): C {
  if (summary === undefined || config.recipients === undefined) return config;
  return { ...config, recipients: { ...config.recipients, checked: { rows: summary.rows, sha256: summary.sha256 } } };
}

class HeaderProblem extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.line = line;
  }
}

function columnFor(provider: Provider): string {
  return provider === 'apns' ? 'apnsToken' : provider === 'fcm' ? 'fcmToken' : 'webpush';
}

function fileProblem(code: string, file: string): string {
  switch (code) {
    case 'ENOENT':
      return `${file} does not exist; recipients.file is relative to the scenario file (--recipients to the current directory)`;
    case 'EISDIR':
      return `${file} is a directory; give the recipients file itself`;
    case 'EACCES':
    case 'EPERM':
      return `${file} cannot be read (permission denied)`;
    default:
      return `${file} cannot be read (${code})`;
  }
}

/** "1,000,000 recipients from users.csv: apns 1,000,000 · fcm 400,000; 400,000 can fall back", for the banner. */
export function describeRecipients(summary: RecipientsSummary): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const channels = Object.entries(summary.channels).map(([p, count]) => `${p} ${n(count)}`).join(' · ');
  return `${n(summary.rows)} recipients from ${summary.file}: ${channels}${summary.withFallback > 0 ? `; ${n(summary.withFallback)} can fall back to another provider` : ''}`;
}
