/**
 * `pushsim run --workers N` through the built CLI: the same counts as one sender thread with the
 * same seed, one result.json and summary saying how many workers, interruption with the usual exit
 * codes, and bad values as usage errors. Loads are small; nothing here depends on the machine's speed.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResult } from '../../reports/json.js';
import { checkInvariant } from '../../reports/result.js';
import type { Result } from '../../reports/result.js';
import { cliTestTimeout, expectUserError, pushsim, runUntilProgress } from './helpers.js';

/** What must not depend on the number of sender threads. */
function outcomes(result: Result): unknown {
  const { scheduled, accepted, rejected, failed, expired, dropped, duplicates } = result.counts;
  return { counts: { scheduled, accepted, rejected, failed, expired, dropped, duplicates }, byReason: result.byReason, pruned: (result.tokensToPrune ?? []).map((t) => t.token).sort(), delivered: result.delivery?.delivered };
}

describe('pushsim run --workers', () => {
  // The built-in scenario (seeded tokens, 2 % unregistered), at a rate any machine holds; its verdict is not the subject.
  const plan = ['--rate', '400', '--count', '600', '--warmup', '20', '--no-fail-on-overload', '--quiet'];

  it('--workers 2 gives the counts, reasons and deliveries of one sender thread, in one result.json that says how many workers', async () => {
    const one = await mkdtemp(join(tmpdir(), 'pushsim-workers-1-'));
    const two = await mkdtemp(join(tmpdir(), 'pushsim-workers-2-'));
    const single = await pushsim('run', ...plan, '--workers', '1', '--out', one);
    const split = await pushsim('run', ...plan, '--workers', '2', '--out', two);
    expect(single.code, single.stderr).toBe(0);
    expect(split.code, split.stderr).toBe(0);
    const [a, b] = [await readResult(join(one, 'result.json')), await readResult(join(two, 'result.json'))];
    expect(outcomes(b)).toEqual(outcomes(a));
    expect(b.counts.rejected).toBeGreaterThan(0);
    expect(checkInvariant(b)).toBeUndefined();
    expect([a.workers, b.workers]).toEqual([1, 2]);
    expect(b.workersRule).toBeUndefined();
    expect(split.stdout).toContain('workers 2: 2 sender worker threads, results merged');
    expect(single.stdout).toContain('workers 1: 1 sender thread');
  }, cliTestTimeout);

  it('without --workers, the default for the machine is used and the summary says why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-workers-default-'));
    const ran = await pushsim('run', ...plan, '--out', dir);
    expect(ran.code, ran.stderr).toBe(0);
    const result = await readResult(join(dir, 'result.json'));
    expect(result.workers).toBeGreaterThanOrEqual(1);
    expect(result.workersRule).toMatch(/^default: \d+ cores?, 1 for the embedded mock/);
    expect(ran.stdout).toMatch(/^workers \d+: .*\(default: \d+ cores?, 1 for the embedded mock/m);
  }, cliTestTimeout);

  it('SIGINT with --workers 2: every worker stops, the partial results merge, marked interrupted, exit 130', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-workers-sigint-'));
    const { child, output, exited } = await runUntilProgress(['--rate', '300', '--count', '100000', '--workers', '2', '--no-fail-on-overload', '--out', dir]);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const result = await readResult(join(dir, 'result.json'));
    expect(result.interrupted?.signal).toBe('SIGINT');
    expect(result.workers).toBe(2);
    expect(result.counts.scheduled).toBeGreaterThan(0);
    expect(result.counts.scheduled).toBeLessThan(100_000);
    expect(checkInvariant(result)).toBeUndefined();
    expect(output.stdout.split('\n')[1]).toMatch(/^✗ INTERRUPTED by SIGINT at [\d.]+ (s|ms): a partial result$/);
  }, cliTestTimeout);

  it.each([
    ['0', /--workers.*expected a whole number ≥ 1 or auto, got "0"/],
    ['two', /--workers.*expected a whole number ≥ 1 or auto, got "two"/],
    ['1.5', /--workers.*expected a whole number ≥ 1 or auto, got "1.5"/],
    ['100000', /--workers 100000: expected a whole number from 1 to \d+ \(4 per core; this machine has \d+\)/],
  ])('--workers %s: a usage error (exit 2) saying what it accepts', async (value, message) => {
    expectUserError(await pushsim('run', '--count', '10', '--workers', value, '--out', await mkdtemp(join(tmpdir(), 'pushsim-workers-bad-'))), 2, message);
  }, cliTestTimeout);

  it('more workers than notifications: a usage error naming both', async () => {
    const ran = await pushsim('run', '--count', '3', '--workers', '4', '--out', await mkdtemp(join(tmpdir(), 'pushsim-workers-few-')));
    expectUserError(ran, 2, /--workers 4 for scenario "default": the load plans 3 notification\(s\); 4 workers need at least 4/);
  }, cliTestTimeout);
});
