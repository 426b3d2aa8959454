/**
 * The recipients path streams: reading a large file holds a chunk and a bounded buffer of records,
 * never the file. Checked by memory, not by time: with the reader (and the run's source) paused in
 * the middle of a generated file of ~25 MB, what the heap retains after a full collection stays
 * a small fraction of the file. A reader that loaded the file (or kept every record) would retain
 * more than the file's size, as strings and record objects.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecords } from '../../scenarios/recipients-read.js';
import type { RecipientsFormat } from '../../scenarios/recipients-read.js';
import { RecipientSource } from '../../scenarios/recipients-source.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const rows = 300_000;
const token = (i: number): string => i.toString(16).padStart(64, '0');

let dir: string;
const files: Partial<Record<RecipientsFormat, { path: string; bytes: number }>> = {};

async function write(path: string, head: string, row: (i: number) => string, tail: string): Promise<{ path: string; bytes: number }> {
  const out = createWriteStream(path);
  out.write(head);
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += row(i);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk + tail);
  await once(out, 'finish');
  return { path, bytes: (await stat(path)).size };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pushsim-recipients-memory-'));
  files.csv = await write(join(dir, 'users.csv'), 'apnsToken,name\n', (i) => `${token(i)},user number ${i}\n`, '');
  files.json = await write(join(dir, 'users.json'), '[\n', (i) => `${i === 0 ? '' : ',\n'}{"apnsToken":"${token(i)}","name":"user number ${i}"}`, '\n]\n');
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Heap in use after a full collection (twice: weak references and finalizers settle). */
function retained(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('the recipients path streams a large file', () => {
  it.each(['csv', 'json'] as const)('readRecords (the validation pass, the run\'s reads) holds a fraction of a %s file when paused half-way', async (format) => {
    const { path, bytes } = files[format] as { path: string; bytes: number };
    expect(bytes).toBeGreaterThan(20 * 1024 * 1024);
    const before = retained();
    const reader = readRecords(path, format);
    let seen = 0;
    let last = '';
    while (seen < rows / 2) {
      const next = await reader.next();
      if (next.done === true) break;
      seen += next.value.length;
      last = next.value.at(-1)?.text ?? last;
    }
    const during = retained() - before;
    expect(seen).toBeGreaterThanOrEqual(rows / 2);
    // The CSV header is a record too.
    expect(last).toContain(token(format === 'csv' ? seen - 2 : seen - 1));
    // Generous: a 64 KiB chunk and one batch are well under 1 MiB; the file is over 20 MiB.
    expect(during).toBeLessThan(bytes / 5);
    await reader.return(undefined);
  }, 60_000);

  it('the run\'s RecipientSource holds a bounded read-ahead, not the rows it has handed out, half-way through the file', async () => {
    const { path, bytes } = files.csv as { path: string; bytes: number };
    const before = retained();
    const source = new RecipientSource({ file: path });
    try {
      await source.prefetch();
      let name = '';
      for (let i = 0; i < rows / 2; i++) {
        const taken = source.take(i);
        name = (taken instanceof Promise ? await taken : taken).variables?.['name'] ?? '';
      }
      expect(name).toBe(`user number ${rows / 2 - 1}`);
      const during = retained() - before;
      expect(during).toBeLessThan(bytes / 5);
    } finally {
      await source.close();
    }
  }, 60_000);
});
