/**
 * The `recipients` section of a scenario (who the notifications go to, from a file) and the
 * checks that need no file: its fields, and the template variables of `notification`.
 *
 *   recipients: { file: users.csv, format: csv }   # ndjson, json; default from the extension
 *   notification: { title: 'Hi {{name}}', body: 'Your order {{order}} shipped' }
 *
 * How they map onto the load: notification i goes to row (i mod rows), in file order, wrapping
 * around when the load sends more than the file has rows (each row then gets more than one).
 * The file itself is checked row by row before anything is sent (recipients-check.ts).
 */
import { basename } from 'node:path';
import type { Provider } from '../core/reasons.js';
import { formatOfPath, recipientsFormats } from './recipients-read.js';
import type { RecipientsFormat } from './recipients-read.js';
import { notificationVariables } from './notification-template.js';
import type { TemplateFields } from './notification-template.js';

export interface RecipientsConfig {
  /** CSV, NDJSON or JSON file of recipients; a scenario file's path is relative to the scenario file. */
  readonly file: string;
  /** @default from the file's extension: .csv, .ndjson / .jsonl, .json */
  readonly format?: RecipientsFormat;
  /**
   * The file as the scenario names it (relative to the scenario file), for result.json's `config`;
   * `file` is then the resolved path. @default `file`'s base name
   */
  readonly name?: string;
  /** Set by the run's validation pass (recipients-check.ts): its rows and the sha256 of its bytes. */
  readonly checked?: { readonly rows: number; readonly sha256: string };
}

/**
 * The file as result.json and the shard digest know it: its name relative to the scenario, its
 * format, and (after the validation pass) its rows and content digest. Never its content, never
 * the absolute path of this machine: shards on machines with the file in different places agree.
 */
export function recipientsIdentity(recipients: RecipientsConfig): { readonly file: string; readonly format: string; readonly rows?: number; readonly sha256?: string } {
  return {
    file: recipients.name ?? basename(recipients.file),
    format: recipientsFormat(recipients) ?? 'csv',
    ...(recipients.checked !== undefined && { rows: recipients.checked.rows, sha256: recipients.checked.sha256 }),
  };
}

/** The format of `recipients`: the one given, else the file's extension's. */
export function recipientsFormat(recipients: RecipientsConfig): RecipientsFormat | undefined {
  return recipients.format ?? formatOfPath(recipients.file);
}

/** Every problem of the section and of the templates that can be found without reading the file. */
export function validateRecipients(recipients: RecipientsConfig | undefined, notification: TemplateFields, mixGiven: boolean, providers: readonly Provider[]): string[] {
  const problems: string[] = [];
  const used = notificationVariables(notification);
  if (recipients === undefined) {
    for (const [name, where] of used) {
      problems.push(`${where} uses the variable {{${name}}}, but the recipients are generated tokens, which have no variables: give recipients: { file } whose rows have a ${name} column, or remove the placeholder`);
    }
    return problems;
  }
  if (typeof recipients.file !== 'string' || recipients.file.length === 0) problems.push('recipients.file must be the path of a CSV, NDJSON or JSON file of recipients');
  else if (recipients.format !== undefined && !recipientsFormats.includes(recipients.format)) problems.push(`recipients.format must be one of ${recipientsFormats.join(', ')}, got ${JSON.stringify(recipients.format)}`);
  else if (recipientsFormat(recipients) === undefined) problems.push(`recipients.format is needed: the file name ${recipients.file} does not end in .csv, .ndjson, .jsonl or .json (with --recipients, rename the file to one of these)`);
  if (mixGiven) problems.push("mix does not apply with recipients from a file: each recipient goes to its first channel among the target's providers, in the target's order; remove mix");
  if (providers.length === 0) problems.push('recipients need a target with at least one provider');
  return problems;
}
