/** The validation pass: the whole file streamed once before anything is sent; every bad row named by file and line. */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../core/errors.js';
import { checkRecipientsFile, describeRecipients } from '../../scenarios/recipients-check.js';

const token = (i: number): string => i.toString(16).padStart(64, '0');
const fcm = (i: number): string => `inst${i}:APA91bxyz`;
const plain = { payload: { aps: { alert: 'hello' } } };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pushsim-check-'));
});
async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}
async function failure(promise: Promise<unknown>): Promise<InvalidConfigError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidConfigError);
  return error as InvalidConfigError;
}

describe('checkRecipientsFile', () => {
  it("counts the rows and each provider's channels, and those that can fall back", async () => {
    const path = await file('ok.csv', `apnsToken,fcmToken,name\n${token(1)},${fcm(1)},a\n${token(2)},,b\n,${fcm(3)},c\n`);
    const summary = await checkRecipientsFile({ file: path }, plain, ['apns', 'fcm']);
    expect(summary).toEqual({ file: path, rows: 3, sha256: createHash('sha256').update(await readFile(path)).digest('hex'), channels: { apns: 2, fcm: 2 }, withFallback: 1 });
    expect(describeRecipients(summary)).toBe(`3 recipients from ${path}: apns 2 · fcm 2; 1 can fall back to another provider`);
  });

  it('lists every bad row with file:line, and counts those past the first 50', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? `${token(i)},x` : `zz${i},x`));
    const path = await file('bad.csv', `apnsToken,name\n${rows.join('\n')}\n`);
    const error = await failure(checkRecipientsFile({ file: path }, plain, ['apns']));
    expect(error.problems).toHaveLength(30);
    expect(error.problems[0]).toMatch(/^line 3: apnsToken "zz1" is not a device token/);
    expect(error.locations[0]).toEqual({ file: path, line: 3, column: 1 });
    expect(error.message).toContain(`${path}:3:1: line 3: apnsToken`);
    const many = await file('many.csv', `apnsToken\n${Array.from({ length: 80 }, (_, i) => `bad${i}`).join('\n')}\n`);
    const tooMany = await failure(checkRecipientsFile({ file: many }, plain, ['apns']));
    expect(tooMany.problems).toHaveLength(51);
    expect(tooMany.problems[50]).toBe('… and 30 more row(s) with problems');
  });

  it("refuses rows without a channel for the target's providers", async () => {
    const path = await file('fcm-only.csv', `fcmToken\n${fcm(1)}\n`);
    const error = await failure(checkRecipientsFile({ file: path }, plain, ['apns']));
    expect(error.problems[0]).toMatch(/no column for the target's providers \(apns\): apnsToken is needed/);
    const rows = await file('rows.csv', `apnsToken,fcmToken\n${token(1)},\n,${fcm(2)}\n`);
    expect((await failure(checkRecipientsFile({ file: rows }, plain, ['apns']))).problems).toEqual([`line 3: no channel for the target's providers (apns): give this recipient apnsToken`]);
  });

  it('names a template variable the file does not have: the CSV header once, an NDJSON row by line', async () => {
    const template = { payload: { aps: { alert: 'Hi {{name}}, {{city}}' } } };
    const csv = await file('vars.csv', `apnsToken,name\n${token(1)},Ada\n`);
    expect((await failure(checkRecipientsFile({ file: csv }, template, ['apns']))).problems[0]).toMatch(/line 1: the notification uses \{\{city\}\}, but the header has no such column \(its columns: apnsToken,name\)/);
    const ndjson = await file('vars.ndjson', `{"apnsToken":"${token(1)}","name":"Ada","city":"Lyon"}\n{"apnsToken":"${token(2)}","name":"Bo"}\n`);
    expect((await failure(checkRecipientsFile({ file: ndjson }, template, ['apns']))).problems).toEqual(['line 2: no value for {{city}}, which the notification uses: add the key city']);
  });

  it('says what to do about a missing, empty or unsplittable file', async () => {
    expect((await failure(checkRecipientsFile({ file: join(dir, 'nope.csv') }, plain, ['apns']))).problems[0]).toMatch(/does not exist; recipients.file is relative to the scenario file/);
    expect((await failure(checkRecipientsFile({ file: dir, format: 'csv' }, plain, ['apns']))).problems[0]).toMatch(/is a directory/);
    // A pipe (mkfifo, `<(…)`) can be read once; the file is read twice (checked, then sent), and opening a pipe no one writes to waits forever.
    const fifo = join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    expect((await failure(checkRecipientsFile({ file: fifo }, plain, ['apns']))).problems[0]).toMatch(/is not a regular file \(a pipe, device or socket\).*save the recipients to a file first/);
    expect((await failure(checkRecipientsFile({ file: await file('header.csv', 'apnsToken\n') }, plain, ['apns']))).problems[0]).toMatch(/no recipients in the file: add rows under the header line/);
    expect((await failure(checkRecipientsFile({ file: await file('obj.json', '{}') }, plain, ['apns']))).problems[0]).toMatch(/^line 1: a JSON recipients file must be one array/);
  });
});
