/**
 * Reading a recipients file as a stream of records, never the whole file at once: 64 KiB chunks
 * (fs read stream, with its backpressure: the next chunk is read when the consumer asks), split
 * into lines (CSV, NDJSON) or into the elements of one top-level array (JSON), each with the line
 * it starts on for error messages. A million-row file costs the memory of a chunk and a batch.
 *
 *   file ──64 KiB chunks──► lines / array elements ──batches of records──► the validation pass, the run's source
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export type RecipientsFormat = 'csv' | 'ndjson' | 'json';

export const recipientsFormats: readonly RecipientsFormat[] = ['csv', 'ndjson', 'json'];

/** One recipient's text: a line (CSV, NDJSON) or an array element (JSON), and the line it starts on (from 1). */
export interface RawRecord {
  readonly line: number;
  readonly text: string;
}

/** A record longer than this is a mistake (a whole file on one line, a quote never closed), not a recipient. */
export const maxRecordChars = 64 * 1024;

/** The file cannot be split into records; `line` is where reading stopped. */
export class RecordError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.line = line;
  }
}

/** The format a file name says: .csv, .ndjson / .jsonl, .json; undefined for anything else. */
export function formatOfPath(path: string): RecipientsFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
  if (lower.endsWith('.json')) return 'json';
  return undefined;
}

/**
 * One pass over the file: its records in batches (one per chunk read), blank lines left out.
 * `onBytes` sees every chunk of the file as read (the validation pass hashes them). Throws
 * RecordError or the file system's error.
 */
export function readRecords(file: string, format: RecipientsFormat, onBytes?: (chunk: Buffer) => void): AsyncGenerator<RawRecord[]> {
  return format === 'json' ? arrayElements(file, onBytes) : lines(file, onBytes);
}

async function* chunks(file: string, onBytes: ((chunk: Buffer) => void) | undefined): AsyncGenerator<string> {
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  const decoder = new StringDecoder('utf8');
  let first = true;
  try {
    for await (const chunk of stream) {
      onBytes?.(chunk as Buffer);
      let text = decoder.write(chunk as Buffer);
      // A byte-order mark (spreadsheet exports write one) is not part of the first field's name.
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      if (text.length > 0) yield text;
    }
    const tail = decoder.end();
    if (tail.length > 0) yield tail;
  } finally {
    stream.destroy();
  }
}

async function* lines(file: string, onBytes: ((chunk: Buffer) => void) | undefined): AsyncGenerator<RawRecord[]> {
  let rest = '';
  let line = 0;
  for await (const chunk of chunks(file, onBytes)) {
    const text = rest.length === 0 ? chunk : rest + chunk;
    const batch: RawRecord[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      line++;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end > start) batch.push({ line, text: text.slice(start, end) });
      start = nl + 1;
    }
    rest = text.slice(start);
    if (rest.length > maxRecordChars) throw new RecordError(line + 1, `a line longer than ${maxRecordChars} characters: one recipient per line is expected`);
    if (batch.length > 0) yield batch;
  }
  const last = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
  if (last.length > 0) yield [{ line: line + 1, text: last }];
}

/**
 * The elements of a top-level JSON array, each as its own text (JSON.parse'd by the caller), split
 * by a scan that follows strings and nesting: no parser holds the whole array.
 */
async function* arrayElements(file: string, onBytes: ((chunk: Buffer) => void) | undefined): AsyncGenerator<RawRecord[]> {
  let line = 1;
  /** 0 before `[`, 1 inside the array, 2 after `]`. */
  let stage = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = '';
  let elementLine = 0;
  let elements = 0;
  /** Right after `[` or `,`: an element must come (a `,` or `]` there is an empty element). */
  let expecting = true;
  for await (const chunk of chunks(file, onBytes)) {
    const batch: RawRecord[] = [];
    // An element the last chunk ended inside goes on from this chunk's first character.
    let from = element.length > 0 ? 0 : -1;
    const flush = (to: number): void => {
      if (from !== -1) element += chunk.slice(from, to);
      from = -1;
    };
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) inString = false;
        continue;
      }
      const blank = c === 32 || c === 10 || c === 13 || c === 9;
      if (stage !== 1) {
        if (blank) continue;
        if (stage === 0 && c === 91) {
          stage = 1;
          continue;
        }
        throw new RecordError(line, stage === 0 ? 'a JSON recipients file must be one array of recipient objects: [ {…}, {…} ]' : 'text after the closing ] of the recipients array');
      }
      if (depth === 0) {
        const inElement = from !== -1 || element.length > 0;
        if (blank) continue;
        if (c === 44 || c === 93) {
          if (!inElement) {
            // `[]` is an empty list; `[,` or `,,` or `,]` an element left out.
            if (!(c === 93 && elements === 0)) throw new RecordError(line, 'an empty element in the recipients array (two commas, or a comma before ])');
          } else {
            flush(i);
            batch.push({ line: elementLine, text: element });
            element = '';
            elements++;
          }
          if (c === 93) stage = 2;
          expecting = c === 44;
          continue;
        }
        if (!inElement) {
          if (!expecting) throw new RecordError(line, 'a comma is missing between two recipients of the array');
          expecting = false;
          elementLine = line;
          from = i;
        }
      }
      if (c === 34) inString = true;
      else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) depth--;
    }
    flush(chunk.length);
    if (element.length > maxRecordChars) throw new RecordError(elementLine, `a recipient longer than ${maxRecordChars} characters in the array`);
    if (batch.length > 0) yield batch;
  }
  if (stage === 0) throw new RecordError(line, 'a JSON recipients file must be one array of recipient objects: [ {…}, {…} ]');
  if (stage === 1) throw new RecordError(line, 'the recipients array is not closed with ]');
}
