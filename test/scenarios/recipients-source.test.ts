/** The run's recipients read as it goes: row i mod rows, in order, wrapping; a shard skips the others' rows. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RecipientSource } from '../../scenarios/recipients-source.js';
import type { FileRecipient } from '../../scenarios/recipients-parse.js';

const token = (i: number): string => i.toString(16).padStart(64, '0');

let dir: string;
const open: RecipientSource[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pushsim-source-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function source(name: string, rows: number): Promise<RecipientSource> {
  const path = join(dir, name);
  await writeFile(path, `apnsToken,n\n${Array.from({ length: rows }, (_, i) => `${token(i)},${i}`).join('\n')}\n`);
  const made = new RecipientSource({ file: path });
  open.push(made);
  return made;
}
const rowOf = async (taken: FileRecipient | Promise<FileRecipient>): Promise<number> => Number((await taken).variables?.['n']);

describe('RecipientSource', () => {
  it('gives notification i row i mod rows, wrapping around a small file in memory', async () => {
    const small = await source('small.csv', 3);
    const rows: number[] = [];
    for (let i = 0; i < 10; i++) rows.push(await rowOf(small.take(i)));
    expect(rows).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
  });

  it('wraps around a file larger than its buffer by reading it again, and skips the rows of other shards unparsed', async () => {
    const large = await source('large.csv', 10_000);
    await large.prefetch();
    // Shard 1 of 3: indices 1, 4, 7, …; across the end of the file (row 9,999 then 0, 1, 2 …).
    const indices = [1, 4, 7, 9_997, 10_000, 10_003, 25_001];
    const rows: number[] = [];
    for (const i of indices) rows.push(await rowOf(large.take(i)));
    expect(rows).toEqual([1, 4, 7, 9_997, 0, 3, 5_001]);
  });

  it("reads the file under the run's hold (a simulation's clock stands still meanwhile), every refill included", async () => {
    const path = join(dir, 'held.csv');
    await writeFile(path, `apnsToken,n\n${Array.from({ length: 10_000 }, (_, i) => `${token(i)},${i}`).join('\n')}\n`);
    let holds = 0;
    const held = new RecipientSource({ file: path }, <T>(work: Promise<T>): Promise<T> => {
      holds++;
      return work;
    });
    open.push(held);
    await held.prefetch();
    expect(holds).toBe(1);
    // Row by row past two refills of the 4,096-record read-ahead: each read went through the hold.
    for (let i = 0; i < 10_000; i++) expect(await rowOf(held.take(i))).toBe(i);
    expect(holds).toBeGreaterThanOrEqual(3);
  });

  it('answers at once when the row is buffered, and in order when takes wait for the reader', async () => {
    const file = await source('order.csv', 10);
    const first = file.take(0);
    const second = file.take(1);
    expect(first).toBeInstanceOf(Promise);
    expect(await Promise.all([rowOf(first), rowOf(second)])).toEqual([0, 1]);
    expect(file.take(2)).not.toBeInstanceOf(Promise);
  });
});
