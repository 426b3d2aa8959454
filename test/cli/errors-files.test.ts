/**
 * A user's mistakes in what the commands read and write — paths, flags, file contents, sizes — end
 * the process by itself with the documented exit code and a message naming what to fix: no stack
 * trace, no "please report it" (that is for bugs). Each case runs the built CLI under a timeout.
 */
import { mkdir, mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectUserError, pushsimWithin } from './helpers.js';

/** Every case must end by itself well within this (they take about a second). */
const budget = 25_000;
/** A test runs several cases; on a loaded 2-core machine each can take a few seconds. */
const testTimeout = 180_000;
const cli = (...args: string[]) => pushsimWithin(budget, args);

/** Two at a time: the machine has two cores. */
async function inPairs<T>(items: readonly T[], check: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 2) await Promise.all(items.slice(i, i + 2).map(check));
}

/** A YAML "billion laughs": each level refers to the one before nine times. */
const aliasBomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefgh'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n');

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pushsim-errors-'));
  file = join(dir, 'a-file');
  await writeFile(file, 'not a directory');
  await mkdir(join(dir, 'a-dir'));
  await writeFile(join(dir, 'bomb.yaml'), `name: bomb\n${aliasBomb}\n`);
  await writeFile(join(dir, 'bomb-faults.yaml'), `${aliasBomb}\nfaults: []\n`);
  await writeFile(join(dir, 'uses-bomb.yaml'), 'name: uses\nfaults: bomb-faults.yaml\n');
  await writeFile(join(dir, 'deep.yaml'), `name: deep\nnotification: { payload: ${'{ a: '.repeat(100)}1${' }'.repeat(100)} }\n`);
  await writeFile(join(dir, 'huge-tokens.yaml'), 'name: huge\ntokens: { count: 1000000000000 }\n');
  await writeFile(join(dir, 'slow.yaml'), 'name: slow\nload: { rate: 1e-12, count: 10 }\n');
  await writeFile(join(dir, 'many-problems.yaml'), `name: many\nfaults: { faults: [${Array(500).fill('{ kind: nope }').join(', ')}] }\n`);
  // 50 MB without writing 50 MB: a sparse file, so only its size is large.
  await writeFile(join(dir, 'big.yaml'), '');
  await truncate(join(dir, 'big.yaml'), 50 * 1024 * 1024);
}, 30_000);

describe('pushsim run: mistakes in flags and scenario files', () => {
  it('flags: hex, garbage and out-of-range numbers exit 2 naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['--rate', '0x10'], /--rate.*expected a number > 0, got "0x10"/s],
      [['--rate', 'Infinity'], /--rate.*got "Infinity"/s],
      [['--rate', ' 5'], /--rate.*got " 5"/s],
      [['--count', '1e3'], /--count.*expected a whole number ≥ 1, got "1e3"/s],
      [['--rate', '1e-12', '--count', '10'], /load plans \d+ s of sending; at most 86400 s \(24 h\)/],
      [['--rate', '5e9'], /load\.rate must be a number of notifications per second from 0 to 1000000/],
      [['--count', '1000000000'], /load\.count must be a whole number of notifications from 1 to 100000000/],
      [['--connections', '5000'], /sender\.connections must be a whole number from 1 to 1024/],
    ];
    await inPairs(cases, async ([args, message]) => expectUserError(await cli('run', ...args, '--quiet'), 2, message));
  }, testTimeout);

  it('--out that is a file, or under one, exits 2 before anything is sent', async () => {
    expectUserError(await cli('run', '--out', file, '--count', '10'), 2, /--out .*a-file already exists and is not a directory \(EEXIST\)/);
    const under = await cli('run', '--out', join(file, 'sub'), '--count', '10');
    expectUserError(under, 2, /--out .*a-file\/sub goes through a file where a directory belongs \(ENOTDIR\)/);
    expect(under.stderr).not.toContain('scenario "default"');
  }, testTimeout);

  it('--out that is empty (an unset variable) or where no directory can be made (procfs) exits 2 instead of writing into the current directory or spinning forever', async () => {
    expectUserError(await cli('run', '--out', '', '--count', '10'), 2, /--out needs a directory path, got an empty one/);
    if (process.platform === 'linux') expectUserError(await cli('run', '--out', '/proc/pushsim-not-here/out', '--count', '10'), 2, /--out \/proc\/pushsim-not-here\/out does not exist/);
  }, testTimeout);

  it('scenario files: too large, an alias bomb, too deep, a huge token count, a rate that never ends, /dev/zero', async () => {
    const cases: [string, RegExp][] = [
      [join(dir, 'big.yaml'), /big\.yaml has 1 problem\(s\):\n {2}- the file is 52428800 bytes; the limit is 256 KiB \(262144 bytes\)/],
      [join(dir, 'bomb.yaml'), /bomb\.yaml has 1 problem\(s\):\n {2}- too many aliases/],
      [join(dir, 'uses-bomb.yaml'), /faults: the fault spec .*bomb-faults\.yaml: too many aliases/],
      [join(dir, 'deep.yaml'), /nested more than 64 levels deep/],
      [join(dir, 'huge-tokens.yaml'), /tokens\.count must be a whole number from 1 to 1000000, got 1000000000000/],
      [join(dir, 'slow.yaml'), /load plans \d+ s of sending; at most 86400 s/],
      [join(dir, 'many-problems.yaml'), /has 500 problem\(s\):(\n {2}- .*){50}\n {2}- … and 450 more/],
      ['/dev/zero', /dev\/zero has 1 problem\(s\):\n {2}- the file is not a regular file/],
      [join(dir, 'a-dir') + '/', /the file is a directory; give the path of a file/],
    ];
    await inPairs(cases, async ([scenario, message]) => expectUserError(await cli('run', scenario, '--quiet'), 104, message));
  }, testTimeout);

  it('--faults: a directory, an alias bomb, a missing file exit 104 naming the file', async () => {
    expectUserError(await cli('run', '--faults', join(dir, 'a-dir')), 104, /a-dir has 1 problem\(s\):\n {2}- the file is a directory/);
    expectUserError(await cli('run', '--faults', join(dir, 'bomb-faults.yaml')), 104, /too many aliases/);
    expectUserError(await cli('tune', 'default', '--faults', join(dir, 'none.yaml')), 104, /none\.yaml has 1 problem\(s\):\n {2}- the file does not exist/);
  }, testTimeout);
});

describe('pushsim report, merge, compare, tune: mistakes in paths', () => {
  it('report --out a directory, merge --out a file, tune --out a file: exit 2 naming the flag', async () => {
    const result = join(dir, 'result.json');
    const ran = await pushsimWithin(60_000, ['run', '--count', '200', '--rate', '2000', '--warmup', '0', '--no-fail-on-overload', '--quiet', '--out', dir]);
    expect(ran.code).toBe(0);
    expectUserError(await cli('report', result, '--out', join(dir, 'a-dir')), 2, /--out .*a-dir is a directory; give a file path \(EISDIR\)/);
    expectUserError(await cli('merge', result, '--out', file), 2, /--out .*a-file already exists and is not a directory \(EEXIST\)/);
    expectUserError(await cli('tune', 'default', '--out', file), 2, /--out .*a-file already exists and is not a directory/);
    // A directory stands for its result.json (as a run's --out); one without says so.
    expectUserError(await cli('compare', join(dir, 'a-dir'), result), 104, /a-dir has 1 problem\(s\):\n {2}- is a directory without a result\.json; give the directory a run wrote its result to/);
  }, testTimeout);

  it('a result file over the size limit is refused before it is read', async () => {
    await writeFile(join(dir, 'huge.json'), '');
    await truncate(join(dir, 'huge.json'), 600 * 1024 * 1024);
    expectUserError(await cli('report', join(dir, 'huge.json')), 104, /the file is 629145600 bytes; the limit is 500 MiB/);
  }, testTimeout);
});
