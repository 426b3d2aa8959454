/**
 * `pushsim run` on a terminal and in a log, with the real CLI: under a pseudo-terminal (util-linux
 * `script`, as tmux would give) the status line is redrawn in place — carriage return and
 * erase-line, no newline per tick — with the warm-up shown as warm-up; piped, the same run writes
 * plain lines without escape codes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cliTestTimeout, pushsimWithin } from './helpers.js';

const runArgs = (out: string): string[] => ['run', '--count', '2500', '--rate', '1000', '--warmup', '1000', '--no-fail-on-overload', '--out', out];

/** Runs `command` under a pseudo-terminal; everything it wrote to the terminal, as the terminal got it. */
function underTerminal(command: string[]): Promise<{ code: number | null; output: string }> {
  const quoted = command.map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    // -q no banner, -e the command's exit code, -f flush as it comes, -c the command; the typescript file is /dev/null.
    execFile('script', ['-qefc', quoted, '/dev/null'], { timeout: 90_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, COLUMNS: '160', LINES: '40' } }, (error, stdout) => {
      const failure = error as (Error & { code?: number | string }) | null;
      resolve({ code: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null, output: stdout });
    });
  });
}

describe('pushsim run: the status line on a terminal, plain lines in a log', { timeout: cliTestTimeout }, () => {
  it('on a terminal: the warm-up and then the run redrawn in place on one line, cleared before the summary', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pushsim-tty-'));
    const ran = await underTerminal([process.execPath, bin, ...runArgs(out)]);
    expect(ran.code).toBe(0);
    expect(ran.output).toContain('\r\x1b[2K▸ warm-up ');
    const erase = '\r\x1b[2K';
    const statuses = ran.output.split(erase).slice(1);
    expect(statuses.some((s) => /^▸ (run|draining) \d+\.\d s \/ 2\.\d s · [\d,]+\/s of 1,000\/s · accepted [\d,]+ rejected [\d,]+ failed 0/.test(s))).toBe(true);
    // No plain per-tick lines on a terminal.
    expect(ran.output).not.toMatch(/\d\.\ds {2}planned \d+ {2}done/);
    // Cleared before the summary: the last redraw is an erase with nothing after it on that line.
    const beforeSummary = ran.output.slice(0, ran.output.indexOf('pushsim · scenario default'));
    expect(beforeSummary.endsWith(erase) || beforeSummary.slice(beforeSummary.lastIndexOf(erase) + erase.length).startsWith('pushsim: ')).toBe(true);
  });

  it('piped: plain lines, no escape codes', async () => {
    const out = await mkdtemp(join(tmpdir(), 'pushsim-pipe-'));
    const ran = await pushsimWithin(90_000, runArgs(out));
    expect(ran.code).toBe(0);
    expect(ran.stderr).toContain('pushsim: warming up with 1,000 notifications (not measured)');
    expect(ran.stderr).toMatch(/^\s+\d+\.\ds {2}planned \d+ {2}done \d+/m);
    expect(ran.stderr).not.toContain('\x1b[');
    expect(ran.stderr).not.toContain('▸');
  });
});
