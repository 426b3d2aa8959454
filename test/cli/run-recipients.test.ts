/**
 * `pushsim run --recipients FILE` and a scenario's `recipients:` through the built CLI: a good file
 * runs and says who delivered; a malformed row exits 104 naming file:line and what to fix, before
 * anything is sent.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../reports/result.js';
import { checkInvariant } from '../../reports/result.js';
import { cliTestTimeout, expectUserError, pushsim, runUntilProgress } from './helpers.js';

const token = (i: number): string => i.toString(16).padStart(64, 'a');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pushsim-cli-recipients-'));
});

describe('pushsim run with recipients from a file', () => {
  it('sends to the rows of --recipients, filling the template, and reports deliveries by provider', async () => {
    const csv = join(dir, 'users.csv');
    await writeFile(csv, `apnsToken,name\n${token(1)},Ada\n${token(2)},"Bo ""the"" Builder"\n`);
    const scenario = join(dir, 'hello.yaml');
    await writeFile(scenario, "name: hello\nload: { rate: 200, count: 20 }\nwarmup: 0\nnotification: { title: 'Hi {{name}}' }\nrecipients: { file: users.csv }\n");
    const out = join(dir, 'out');
    // A loaded machine may judge a run without warm-up overloaded (97): that is not what this checks.
    const result = await pushsim('run', scenario, '--out', out, '--quiet', '--workers', '1', '--no-fail-on-overload');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/delivered by apns 20/);
    const text = await readFile(join(out, 'result.json'), 'utf8');
    const json = JSON.parse(text) as { deliveredBy?: unknown; counts: { accepted: number }; config?: { recipients?: unknown } };
    expect(json.deliveredBy).toEqual({ apns: 20 });
    expect(json.counts.accepted).toBe(20);
    // The configuration names the file it sent to, also when the report is made later from result.json.
    expect(result.stdout).toMatch(/recipients: users\.csv \(csv, 2 rows/);
    expect((await pushsim('report', join(out, 'result.json'))).stdout).toMatch(/recipients: users\.csv \(csv, 2 rows/);
    // The configuration names the file as the scenario does, with its rows and content digest; never a row, never this machine's path.
    expect(json.config?.recipients).toEqual({ file: 'users.csv', format: 'csv', rows: 2, sha256: createHash('sha256').update(await readFile(csv)).digest('hex') });
    expect(text).not.toContain(token(1));
    expect(text).not.toContain(dir);
  }, cliTestTimeout);

  it('--recipients is recorded relative to the scenario file', async () => {
    await mkdir(join(dir, 'data'), { recursive: true });
    await mkdir(join(dir, 'scenarios'), { recursive: true });
    const csv = join(dir, 'data', 'people.csv');
    await writeFile(csv, `apnsToken\n${token(3)}\n`);
    const scenario = join(dir, 'scenarios', 'plain.yaml');
    await writeFile(scenario, 'name: plain\nload: { rate: 200, count: 4 }\nwarmup: 0\n');
    const out = join(dir, 'out-relative');
    const result = await pushsim('run', scenario, '--recipients', csv, '--out', out, '--quiet', '--workers', '1', '--no-fail-on-overload');
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as { config?: { recipients?: { file: string; rows?: number } } };
    expect(json.config?.recipients).toMatchObject({ file: join('..', 'data', 'people.csv'), rows: 1 });
  }, cliTestTimeout);

  it('exits 104 naming the file, the line and what to fix when a row is malformed, before sending anything', async () => {
    const csv = join(dir, 'broken.csv');
    await writeFile(csv, `apnsToken,name\n${token(1)},Ada\n${token(2)}\nnot-hex,Cy\n`);
    const result = await pushsim('run', '--recipients', csv, '--count', '10', '--warmup', '0', '--quiet', '--out', join(dir, 'never'));
    expectUserError(result, 104, new RegExp(`${csv.replaceAll('.', '\\.')}:3:1: line 3: 1 field\\(s\\), the header has 2 \\(apnsToken,name\\): a column is missing`));
    expect(result.stderr).toMatch(/broken\.csv:4:1: line 4: apnsToken "not-hex" is not a device token/);
    expect(result.stdout).not.toMatch(/accepted/);
  }, cliTestTimeout);

  it('exits 104 when the template uses a variable the file has no column for', async () => {
    const csv = join(dir, 'no-city.csv');
    await writeFile(csv, `apnsToken,name\n${token(1)},Ada\n`);
    const scenario = join(dir, 'city.yaml');
    await writeFile(scenario, "name: city\nnotification: { body: 'Weather in {{city}}' }\nrecipients: { file: no-city.csv }\n");
    const result = await pushsim('run', scenario, '--quiet', '--out', join(dir, 'never2'));
    expectUserError(result, 104, /the notification uses \{\{city\}\}, but the header has no such column/);
  }, cliTestTimeout);

  it('exits 104 with a partial result that says why when the file is deleted mid-run, every notification in one final state', async () => {
    const csv = join(dir, 'vanishing.csv');
    // More rows than a run holds in memory (4096): each pass over the file opens it again.
    await writeFile(csv, `apnsToken\n${Array.from({ length: 5000 }, (_, i) => token(i)).join('\n')}\n`);
    const out = join(dir, 'out-vanishing');
    const { output, exited } = await runUntilProgress(['--recipients', csv, '--rate', '4000', '--count', '400000', '--warmup', '0', '--workers', '1', '--out', out]);
    await unlink(csv);
    const code = await exited;
    expect(code, output.stderr).toBe(104);
    expect(output.stderr).toMatch(/pushsim: warning: the recipients file .*vanishing\.csv does not exist any more: it was deleted or moved during the run \(ENOENT\): stopping the run; the result is partial \(exit 104\)/);
    expect(output.stderr).not.toMatch(/\n\s+at |please report/);
    expect(output.stdout).toMatch(/✗ RECIPIENTS FILE LOST: \S*vanishing\.csv does not exist any more: it was deleted or moved during the run \(ENOENT\) \(stopped at /);
    const json = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as Result;
    expect(json.recipientsLost).toMatchObject({ file: expect.stringMatching(/vanishing\.csv$/), problem: 'does not exist any more: it was deleted or moved during the run (ENOENT)' });
    // Stopped, not sent on to the end; the counts add up (checkInvariant: each notification in exactly one state).
    expect(json.counts.scheduled).toBeLessThan(400_000);
    expect(checkInvariant(json)).toBeUndefined();
    expect(Object.keys(json.byReason).filter((key) => key.startsWith('apns:PUSHSIM_ERR_INVALID_CONFIG'))).toEqual([]);
  }, cliTestTimeout);

  it('exits 104 at once for a pipe (read twice: checked, then sent) instead of waiting for a writer forever', async () => {
    const fifo = join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const result = await pushsim('run', '--recipients', fifo, '--count', '5', '--warmup', '0', '--quiet', '--out', join(dir, 'never3'));
    expectUserError(result, 104, /pipe\.csv is not a regular file \(a pipe, device or socket\).*save the recipients to a file first/);
  }, cliTestTimeout);
});
