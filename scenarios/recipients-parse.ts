/**
 * One record of a recipients file → one recipient: its channels (an APNs device token, an FCM
 * registration token, a Web Push subscription) and its variables (every other column or key), or a
 * sentence saying what is wrong with it and how to fix it.
 *
 *   CSV     apnsToken,fcmToken,name            (a header line first; `webpush` holds a subscription as JSON,
 *           3f9a…,dGVz…:APA91b…,Ada             or `endpoint`, `p256dh`, `auth` its three parts)
 *   NDJSON  {"apnsToken":"3f9a…","fcmToken":"dGVz…:APA91b…","name":"Ada"}
 *   JSON    [ {"webpush":{"endpoint":"https://…","keys":{"p256dh":"…","auth":"…"}},"name":"Ada"}, … ]
 *
 * An empty channel is no channel. The checks are the providers' own (protocols.md): a device token
 * is hex (64 characters today; Apple says it may grow), an FCM token has no spaces, a subscription's
 * p256dh is a 65-byte P-256 point and its auth secret 16 bytes, both base64url (RFC 8291 §3).
 */
import type { Provider } from '../core/reasons.js';
import type { WebPushSubscription } from '../sender/providers/webpush.js';
import type { RawRecord, RecipientsFormat } from './recipients-read.js';

export interface FileRecipient {
  /** The line of the file it starts on. */
  readonly line: number;
  readonly apns?: string;
  readonly fcm?: string;
  readonly webpush?: WebPushSubscription;
  /** Its other columns / keys, as text; undefined when it has none. */
  readonly variables?: Readonly<Record<string, string>>;
}

/** A recipient, or what is wrong with the record (without the file and line: the caller adds them). */
export type Parsed = FileRecipient | { readonly problem: string };

/** Column / key names that are channels; every other one is a variable. */
const channelColumns = ['apnsToken', 'fcmToken', 'webpush', 'endpoint', 'p256dh', 'auth'] as const;
const channelSet: ReadonlySet<string> = new Set(channelColumns);

export const channelColumnNames: readonly string[] = channelColumns;

/** The provider each channel column feeds. */
export function providersOfColumns(columns: readonly string[]): Provider[] {
  const providers: Provider[] = [];
  if (columns.includes('apnsToken')) providers.push('apns');
  if (columns.includes('fcmToken')) providers.push('fcm');
  if (columns.includes('webpush') || columns.includes('endpoint')) providers.push('webpush');
  return providers;
}

export interface RowParser {
  /** CSV: the header's columns, known before any row; undefined for NDJSON / JSON (each row has its own keys). */
  readonly columns: readonly string[] | undefined;
  parse(record: RawRecord): Parsed;
}

/** A parser for `format`; for CSV, `header` is the file's first record (its problem, if any, is returned instead). */
export function createRowParser(format: RecipientsFormat, header: RawRecord | undefined): RowParser | { readonly problem: string } {
  if (format !== 'csv') return { columns: undefined, parse: (record) => parseObjectRecord(record) };
  if (header === undefined) return { problem: 'the file is empty: a CSV recipients file starts with a header line such as apnsToken,fcmToken,name' };
  const split = splitCsvLine(header.text);
  if (typeof split === 'string') return { problem: `the header line: ${split}` };
  const columns = split.map((name) => name.trim());
  const problems = headerNameProblems(columns);
  if (providersOfColumns(columns).length === 0) {
    problems.push(`no channel column: name one apnsToken (APNs device token), fcmToken (FCM registration token), or webpush (a subscription as JSON) / endpoint,p256dh,auth; got ${columns.join(',')}`);
  }
  const parts = ['endpoint', 'p256dh', 'auth'].filter((c) => columns.includes(c));
  if (parts.length > 0 && parts.length < 3) problems.push(`a Web Push subscription in parts needs the three columns endpoint, p256dh and auth; the header has only ${parts.join(', ')}`);
  if (problems.length > 0) return { problem: `the header line: ${problems.join('; ')}` };
  return { columns, parse: (record) => parseCsvRecord(record, columns) };
}

/** Nameless and repeated columns, each kind said once however many columns it is (a header can have thousands). */
function headerNameProblems(columns: readonly string[]): string[] {
  const problems: string[] = [];
  const nameless = columns.flatMap((name, i) => (name === '' ? [i + 1] : []));
  if (nameless.length === 1) problems.push(`column ${nameless[0]} has no name`);
  else if (nameless.length > 1) problems.push(`${nameless.length} columns have no name (the first is column ${nameless[0]})`);
  const times = new Map<string, number>();
  for (const name of columns) if (name !== '') times.set(name, (times.get(name) ?? 0) + 1);
  const repeated = [...times].filter(([, n]) => n > 1);
  for (const [name, n] of repeated.slice(0, 5)) problems.push(`column ${name} appears ${n === 2 ? 'twice' : `${n} times`}`);
  if (repeated.length > 5) problems.push(`${repeated.length - 5} more column names appear more than once`);
  return problems;
}

function parseCsvRecord(record: RawRecord, columns: readonly string[]): Parsed {
  const fields = splitCsvLine(record.text);
  if (typeof fields === 'string') return { problem: fields };
  if (fields.length !== columns.length) {
    if (fields.length === 1 && fields[0]?.trim() === '') return { problem: 'a blank line with spaces: delete it' };
    return { problem: `${fields.length} field(s), the header has ${columns.length} (${columns.join(',')}): ${fields.length < columns.length ? 'a column is missing' : 'there are extra fields (quote a value that holds a comma)'}` };
  }
  let apns: string | undefined;
  let fcm: string | undefined;
  let webpushJson: string | undefined;
  let endpoint: string | undefined;
  let p256dh: string | undefined;
  let auth: string | undefined;
  let variables: Record<string, string> | undefined;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i] as string;
    const value = fields[i] as string;
    switch (column) {
      case 'apnsToken':
        apns = value.trim();
        break;
      case 'fcmToken':
        fcm = value.trim();
        break;
      case 'webpush':
        webpushJson = value.trim();
        break;
      case 'endpoint':
        endpoint = value.trim();
        break;
      case 'p256dh':
        p256dh = value.trim();
        break;
      case 'auth':
        auth = value.trim();
        break;
      default:
        (variables ??= {})[column] = value;
    }
  }
  let webpush: unknown;
  if (webpushJson !== undefined && webpushJson !== '') {
    try {
      webpush = JSON.parse(webpushJson);
    } catch (error) {
      return { problem: `column webpush is not JSON (${(error as Error).message}): write the subscription as {"endpoint":"https://…","keys":{"p256dh":"…","auth":"…"}}, quoted, with its quotes doubled ("")` };
    }
  } else if ((endpoint ?? '') !== '' || (p256dh ?? '') !== '' || (auth ?? '') !== '') {
    webpush = { endpoint, keys: { p256dh, auth } };
  }
  return recipient(record.line, apns, fcm, webpush, variables);
}

function parseObjectRecord(record: RawRecord): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(record.text);
  } catch (error) {
    return { problem: `not JSON (${(error as Error).message}): one recipient object such as {"apnsToken":"…","name":"Ada"}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: `a recipient must be an object such as {"apnsToken":"…","name":"Ada"}, got ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}` };
  const row = value as Record<string, unknown>;
  let variables: Record<string, string> | undefined;
  for (const [key, v] of Object.entries(row)) {
    if (channelSet.has(key) && key !== 'endpoint' && key !== 'p256dh' && key !== 'auth') continue;
    if (key === 'endpoint' || key === 'p256dh' || key === 'auth') return { problem: `${key} belongs inside webpush: {"webpush":{"endpoint":"https://…","keys":{"p256dh":"…","auth":"…"}}}` };
    if (typeof v === 'string') (variables ??= {})[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') (variables ??= {})[key] = String(v);
    else if (v === null) (variables ??= {})[key] = '';
    else return { problem: `variable ${key} is ${Array.isArray(v) ? 'a list' : 'an object'}; a variable is text, a number or true/false` };
  }
  for (const key of ['apnsToken', 'fcmToken'] as const) {
    if (row[key] !== undefined && row[key] !== null && typeof row[key] !== 'string') return { problem: `${key} must be a string, got ${JSON.stringify(row[key])}` };
  }
  let webpush = row['webpush'];
  if (typeof webpush === 'string' && webpush.trim() !== '') {
    try {
      webpush = JSON.parse(webpush);
    } catch (error) {
      return { problem: `webpush is a string but not JSON (${(error as Error).message}); give the subscription object itself` };
    }
  }
  return recipient(record.line, (row['apnsToken'] as string | undefined)?.trim(), (row['fcmToken'] as string | undefined)?.trim(), webpush === '' || webpush === null ? undefined : webpush, variables);
}

function recipient(line: number, apns: string | undefined, fcm: string | undefined, webpush: unknown, variables: Record<string, string> | undefined): Parsed {
  const problems: string[] = [];
  if (apns !== undefined && apns !== '') {
    const problem = apnsTokenProblem(apns);
    if (problem !== undefined) problems.push(problem);
  }
  if (fcm !== undefined && fcm !== '') {
    const problem = fcmTokenProblem(fcm);
    if (problem !== undefined) problems.push(problem);
  }
  let subscription: WebPushSubscription | undefined;
  if (webpush !== undefined) {
    const checked = checkSubscription(webpush);
    if (typeof checked === 'string') problems.push(checked);
    else subscription = checked;
  }
  if (problems.length > 0) return { problem: problems.join('; ') };
  return {
    line,
    ...(apns !== undefined && apns !== '' && { apns }),
    ...(fcm !== undefined && fcm !== '' && { fcm }),
    ...(subscription !== undefined && { webpush: subscription }),
    ...(variables !== undefined && { variables }),
  };
}

const hexToken = /^[0-9a-fA-F]+$/;

/** Apple's device tokens are 32 bytes today (64 hex characters) and may grow: hex, even, 64 to 200 characters. */
export function apnsTokenProblem(token: string): string | undefined {
  if (!hexToken.test(token)) return `apnsToken ${abbreviate(token)} is not a device token: hex digits only (64 of them), as the app got from registerForRemoteNotifications`;
  if (token.length < 64 || token.length > 200 || token.length % 2 !== 0) return `apnsToken has ${token.length} hex digits; a device token has 64 (whole bytes, at most 200)`;
  return undefined;
}

const fcmTokenChars = /^[A-Za-z0-9_:.-]+$/;

/** An FCM registration token: base64url with `:` (`<instance>:APA91b…`), no spaces, at most 4 KiB. */
export function fcmTokenProblem(token: string): string | undefined {
  if (token.length > 4096) return `fcmToken has ${token.length} characters; a registration token has a few hundred`;
  if (!fcmTokenChars.test(token)) return `fcmToken ${abbreviate(token)} has characters a registration token never has (it is base64url with ':')`;
  return undefined;
}

function checkSubscription(value: unknown): WebPushSubscription | string {
  const shape = 'a subscription is {"endpoint":"https://…","keys":{"p256dh":"…","auth":"…"}} (PushSubscription.toJSON())';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `webpush: ${shape}`;
  const { endpoint, keys } = value as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } };
  if (typeof endpoint !== 'string' || endpoint === '') return `webpush has no endpoint; ${shape}`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `webpush endpoint ${abbreviate(endpoint)} is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `webpush endpoint ${abbreviate(endpoint)} must be an https URL`;
  if (typeof keys !== 'object' || keys === null) return `webpush has no keys; ${shape}`;
  const { p256dh, auth } = keys;
  if (typeof p256dh !== 'string' || !isBase64Url(p256dh) || Buffer.from(p256dh, 'base64url').length !== 65) return 'webpush keys.p256dh must be the 65-byte P-256 public key in base64url (87 characters)';
  if (typeof auth !== 'string' || !isBase64Url(auth) || Buffer.from(auth, 'base64url').length !== 16) return 'webpush keys.auth must be the 16-byte secret in base64url (22 characters)';
  return { endpoint, keys: { p256dh, auth } };
}

const base64Url = /^[A-Za-z0-9_-]+=*$/;
function isBase64Url(text: string): boolean {
  return base64Url.test(text);
}

function abbreviate(text: string): string {
  return JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}…` : text);
}

/**
 * The fields of one CSV line (RFC 4180: `,` between fields, `"` around a field that holds a comma
 * or a quote, `""` for a quote inside one), or what is wrong with it. One recipient per line: a
 * quoted field cannot hold a line break.
 */
export function splitCsvLine(line: string): string[] | string {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const quote = line.indexOf('"', j);
        if (quote === -1) return `a quoted field is not closed on its line (one recipient per line; a quote inside a quoted field is written "")`;
        value += line.slice(j, quote);
        if (line.charCodeAt(quote + 1) === 34) {
          value += '"';
          j = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line.charCodeAt(i) !== 44) return `text after a closing quote at character ${i + 1} (a quote inside a quoted field is written "")`;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const value = line.slice(i, comma === -1 ? line.length : comma);
      if (value.includes('"')) return `a quote inside an unquoted field at character ${i + 1}: quote the whole field and double the quote ("")`;
      fields.push(value);
      if (comma === -1) return fields;
      i = comma + 1;
    }
  }
}
