/** Reading a recipients file as records, in chunks: lines, array elements, and where each starts. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RecordError, formatOfPath, readRecords } from '../../scenarios/recipients-read.js';
import type { RawRecord, RecipientsFormat } from '../../scenarios/recipients-read.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pushsim-records-'));
});

async function records(name: string, text: string, format: RecipientsFormat): Promise<RawRecord[]> {
  const file = join(dir, name);
  await writeFile(file, text);
  const all: RawRecord[] = [];
  for await (const batch of readRecords(file, format)) all.push(...batch);
  return all;
}

describe('readRecords', () => {
  it('splits lines (LF or CRLF), leaves blank lines out but counts them, drops a byte-order mark, keeps a last line without newline', async () => {
    expect(await records('a.csv', '\uFEFFh1,h2\r\na,b\r\n\r\nc,d', 'csv')).toEqual([
      { line: 1, text: 'h1,h2' },
      { line: 2, text: 'a,b' },
      { line: 4, text: 'c,d' },
    ]);
  });

  it('finds every line of a file spanning many 64 KiB chunks, with its number', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `{"apnsToken":"${String(i).padStart(64, '0')}","n":${i}}`);
    const read = await records('big.ndjson', lines.join('\n') + '\n', 'ndjson');
    expect(read).toHaveLength(20_000);
    expect(read[12_345]).toEqual({ line: 12_346, text: lines[12_345] });
  });

  it('splits a JSON array into its elements across chunks, with strings holding brackets, commas and escaped quotes', async () => {
    const elements = Array.from({ length: 5000 }, (_, i) => ({ apnsToken: 'ab'.repeat(32), name: `n${i} ] , } [ { \\" ${'x'.repeat(i % 40)}` }));
    const text = '[\n' + elements.map((e) => '  ' + JSON.stringify(e)).join(',\n') + '\n]\n';
    const read = await records('big.json', text, 'json');
    expect(read).toHaveLength(5000);
    expect(read.map((r) => JSON.parse(r.text) as unknown)).toEqual(elements);
    expect(read[0]?.line).toBe(2);
    expect(read[4999]?.line).toBe(5001);
    expect(await records('empty.json', ' [ ] ', 'json')).toEqual([]);
  });

  it('says where a JSON file stops being one array of recipients', async () => {
    const failure = async (text: string): Promise<RecordError> => (await records('bad.json', text, 'json').catch((e: unknown) => e)) as RecordError;
    expect(await failure('{"apnsToken":"x"}')).toMatchObject({ line: 1, message: expect.stringMatching(/must be one array/) as unknown });
    expect(await failure('[{"a":1},\n,{"b":2}]')).toMatchObject({ line: 2, message: expect.stringMatching(/an empty element/) as unknown });
    expect(await failure('[{"a":1}\n\n')).toMatchObject({ message: expect.stringMatching(/not closed with \]/) as unknown });
    expect(await failure('[{"a":1}] x')).toMatchObject({ message: expect.stringMatching(/text after the closing \]/) as unknown });
  });

  it('refuses a line too long to be a recipient instead of buffering it', async () => {
    const error = await records('long.csv', 'apnsToken\n' + 'a'.repeat(200_000), 'csv').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordError);
    expect((error as RecordError).line).toBe(2);
  });

  it('knows the format by extension', () => {
    expect(['a.csv', 'a.NDJSON', 'a.jsonl', 'a.json', 'a.txt'].map(formatOfPath)).toEqual(['csv', 'ndjson', 'ndjson', 'json', undefined]);
  });
});
