/**
 * The run's recipients, read from the file as the run goes: a bounded buffer of records read ahead
 * of the executor, refilled in the background, the file reopened at its end so notification i gets
 * row i mod rows. Only the rows actually sent are parsed; a shard (or a worker thread) skips the
 * others' rows unparsed.
 *
 *   file ──records (≤ highWater ahead)──► take(i): row i mod rows, parsed ──► the send
 *
 * take() answers at once when the row is buffered (the usual case: reading runs far faster than
 * sending) and with a promise when the reader fell behind, so the executor never blocks.
 */
import type { RecipientsConfig } from './recipients-config.js';
import { recipientsFormat } from './recipients-config.js';
import { createRowParser } from './recipients-parse.js';
import type { FileRecipient, RowParser } from './recipients-parse.js';
import { readRecords } from './recipients-read.js';
import type { RawRecord } from './recipients-read.js';

/** Records buffered ahead; refilled when fewer than half are left. A few hundred KiB at most. */
const highWater = 4096;

export class RecipientSource {
  readonly #file: string;
  readonly #format: NonNullable<RecipientsConfig['format']>;
  #parser: RowParser | undefined;
  #reader: AsyncGenerator<RawRecord[]> | undefined;
  /** Records of the current buffer, `#head` the next to hand out. */
  #buffer: RawRecord[] = [];
  #head = 0;
  /** The index (across wraps) of the record at `#head`. */
  #position = 0;
  #rowsInPass = 0;
  #headerPending = false;
  /** The first pass's records while it is small enough to hold (at most highWater); then the cycle, if it was. */
  #firstPass: RawRecord[] | undefined = [];
  #cycle: RawRecord[] | undefined;
  #cycleAt = 0;
  #filling: Promise<void> | undefined;
  /** Why reading failed, kept: a read-ahead in the background swallows its error, and the next take() must see that one, not what a dead reader answers after it. */
  #failure: unknown;
  /** Takes that waited for the reader, in order: a later one is answered after an earlier one. */
  #waiting: Promise<unknown> = Promise.resolve();
  #pending = 0;
  #closed = false;
  readonly #hold: <T>(work: Promise<T>) => Promise<T>;

  /**
   * `hold`: how the run's scheduler waits for real work (Scheduler.hold). On virtual time every read
   * of the file holds the clock, so which notifications find their row buffered depends on their
   * index only, never on how fast the disk was: the same file and seed give the same result.
   */
  constructor(recipients: RecipientsConfig, hold: <T>(work: Promise<T>) => Promise<T> = (work) => work) {
    this.#file = recipients.file;
    this.#format = recipientsFormat(recipients) ?? 'csv';
    this.#hold = hold;
  }

  /** Starts reading ahead, so the first notifications find their rows buffered. Errors surface at take(). */
  prefetch(): Promise<void> {
    return this.#fill().catch(() => undefined);
  }

  /**
   * Recipient of notification `index` (indices increasing, as the executors fire them). Rejects when
   * the file changed under the run: with the file system's error, a RecordError, or an Error whose
   * message says what is wrong with the file now, without its path (recipients-send.ts lostProblem).
   */
  take(index: number): FileRecipient | Promise<FileRecipient> {
    if (this.#pending === 0) {
      const ready = this.#takeBuffered(index);
      if (ready !== undefined) return ready;
    }
    this.#pending++;
    const taken = this.#waiting.then(async () => {
      try {
        for (;;) {
          const ready = this.#takeBuffered(index);
          if (ready !== undefined) return ready;
          await this.#fill();
        }
      } finally {
        this.#pending--;
      }
    });
    this.#waiting = taken.catch(() => undefined);
    return taken;
  }

  /** Stops reading (closes the file). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#filling?.catch(() => undefined);
    await this.#reader?.return(undefined);
  }

  #takeBuffered(index: number): FileRecipient | undefined {
    // Rows of other shards (and rows before the first index) are skipped unparsed.
    const skip = index - this.#position;
    if (skip < 0) throw new Error(`recipients are taken in increasing order (${index} after ${this.#position - 1})`);
    if (this.#head + skip >= this.#buffer.length) {
      this.#position += this.#buffer.length - this.#head;
      this.#head = this.#buffer.length;
      return undefined;
    }
    this.#head += skip;
    this.#position += skip + 1;
    const record = this.#buffer[this.#head++] as RawRecord;
    if (this.#buffer.length - this.#head < highWater / 2) void this.#fill().catch(() => undefined);
    const parsed = (this.#parser as RowParser).parse(record);
    if ('problem' in parsed) throw new Error(changedSinceCheck(record.line, parsed.problem));
    return parsed;
  }

  /** Reads more records into the buffer (one read at a time), reopening the file at its end. */
  #fill(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#filling !== undefined) return this.#filling;
    const read = this.#read().catch((error: unknown) => {
      this.#failure ??= error;
      throw error;
    });
    return (this.#filling = this.#hold(read.finally(() => (this.#filling = undefined))));
  }

  async #read(): Promise<void> {
    if (this.#closed) throw new Error('the recipients source is closed');
    const added: RawRecord[] = [];
    while (this.#buffer.length - this.#head + added.length < highWater) {
      if (this.#cycle !== undefined) {
        // A small file, held whole: wrap around in memory, not by reopening it.
        const cycle = this.#cycle;
        while (this.#buffer.length - this.#head + added.length < highWater) {
          added.push(cycle[this.#cycleAt] as RawRecord);
          this.#cycleAt = (this.#cycleAt + 1) % cycle.length;
        }
        break;
      }
      if (this.#reader === undefined) {
        this.#reader = readRecords(this.#file, this.#format);
        this.#headerPending = this.#format === 'csv';
        this.#rowsInPass = 0;
      }
      const next = await this.#reader.next();
      if (next.done === true) {
        if (this.#rowsInPass === 0) throw new Error('has no recipients any more (it changed after it was checked)');
        this.#reader = undefined;
        if (this.#firstPass !== undefined) {
          this.#cycle = this.#firstPass;
          this.#firstPass = undefined;
        }
        continue;
      }
      for (const record of next.value) {
        if (this.#headerPending) {
          // CSV: each pass starts with the header; the first makes the parser.
          this.#headerPending = false;
          if (this.#parser === undefined) this.#parser = this.#makeParser(record);
          continue;
        }
        this.#parser ??= this.#makeParser(undefined);
        this.#rowsInPass++;
        added.push(record);
        if (this.#firstPass !== undefined) {
          if (this.#firstPass.length < highWater) this.#firstPass.push(record);
          else this.#firstPass = undefined;
        }
      }
    }
    // Takes that found their row while this read waited moved #head on the live buffer: keep what is after it.
    this.#buffer = this.#head === this.#buffer.length ? added : this.#buffer.slice(this.#head).concat(added);
    this.#head = 0;
  }

  #makeParser(header: RawRecord | undefined): RowParser {
    const made = createRowParser(this.#format, header);
    if ('problem' in made) throw new Error(changedSinceCheck(header?.line ?? 1, made.problem));
    return made;
  }
}

/** A row found wrong during the run that was right when the file was checked before it. */
export function changedSinceCheck(line: number, problem: string): string {
  return `line ${line}: ${problem} (the file changed after it was checked)`;
}
