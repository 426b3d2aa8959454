/**
 * The progress display (cli/progress.ts): an in-place status line on a terminal, plain lines in a
 * log, warnings and the command's own notes above the status line, nothing left behind at the end.
 * Driven by hand-made events here; test/cli/run-tty.test.ts runs the real CLI under a pseudo-terminal.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { attachProgress, plainLine, statusLine } from '../../cli/progress.js';
import type { RunEvents, RunProgress, ScenarioRun } from '../../scenarios/runner.js';

const progress = (fields: Partial<RunProgress> = {}): RunProgress => ({
  elapsedMs: 12_000,
  scheduled: 60_000,
  completed: 59_900,
  inFlight: 100,
  accepted: 58_700,
  rejected: 1_200,
  failed: 0,
  dropped: 0,
  queued: 0,
  sendLagMs: 2,
  plannedMs: 60_000,
  targetRate: 5_000,
  p99Ms: 41.25,
  ...fields,
});

function fakeRun(): ScenarioRun {
  return new EventEmitter<RunEvents>() as unknown as ScenarioRun;
}

describe('the status line', () => {
  it('says the stage, time against plan, rate against target, outcomes, p99, phase, breaker and time left', () => {
    const line = statusLine(progress({ phase: 'brownout', breaker: 'open' }), progress({ elapsedMs: 11_000, completed: 54_900 }));
    expect(line).toBe('▸ run 12.0 s / 60.0 s · 5,000/s of 5,000/s · accepted 58,700 rejected 1,200 failed 0 · in flight 100 · p99 41.3 ms · phase brownout · breaker OPEN · ETA 48.0 s');
  });

  it('says draining once the planned sends are over, and shows what holds the run back', () => {
    const line = statusLine(progress({ elapsedMs: 62_000, p99Ms: null, queued: 40, sendLagMs: 1_500, dropped: 3 }), undefined);
    expect(line).toMatch(/^▸ draining 62\.0 s \/ 60\.0 s · /);
    expect(line).toContain('dropped 3');
    expect(line).toContain('in flight 100 (queued 40)');
    expect(line).toContain('p99 —');
    expect(line).toContain('send lag 1500 ms');
    expect(line).not.toContain('ETA');
  });

  it('a closed model has no planned end or target rate', () => {
    expect(statusLine(progress({ plannedMs: null, targetRate: null }), undefined)).toMatch(/^▸ run 12\.0 s · 4,992\/s · accepted/);
  });

  it('the plain line keeps its shape and adds the glance at its end', () => {
    expect(plainLine(progress({ phase: 'healthy' }))).toBe('  12.0s  planned 60000  done 59900  in flight 100  accepted 58700  rejected 1200  failed 0  p99 41.3 ms  phase healthy');
    expect(plainLine(progress({ p99Ms: null }))).toMatch(/failed 0$/);
  });
});

describe('attachProgress', () => {
  it('on a terminal: one line redrawn in place, warnings above it, cleared at the end', () => {
    const run = fakeRun();
    const raw: string[] = [];
    const lines: string[] = [];
    const display = attachProgress(run, { tty: true, write: (l) => lines.push(l), writeRaw: (t) => raw.push(t), columns: () => 80 });
    run.emit('warmup', { done: 100, total: 5_000 });
    run.emit('progress', progress({ elapsedMs: 1_000, completed: 5_000 }));
    run.emit('progress', progress());
    run.emit('warning', 'something is off');
    display.note('pushsim: SIGINT: stopping');
    display.close();
    expect(raw[0]).toBe('\r\x1b[2K▸ warm-up 100 / 5,000 notifications (not measured)');
    // Cut to the terminal's width, so it never wraps onto a second line.
    for (const text of raw) expect(text.replace('\r\x1b[2K', '').length).toBeLessThan(80);
    expect(lines).toEqual(['pushsim: warning: something is off', 'pushsim: SIGINT: stopping']);
    expect(raw.at(-1)).toBe('\r\x1b[2K');
  });

  it('off a terminal: plain lines, the warm-up said once', () => {
    const run = fakeRun();
    const lines: string[] = [];
    attachProgress(run, { tty: false, write: (l) => lines.push(l) });
    run.emit('warmup', { done: 0, total: 5_000 });
    run.emit('warmup', { done: 2_500, total: 5_000 });
    run.emit('progress', progress());
    expect(lines).toEqual(['pushsim: warming up with 5,000 notifications (not measured)', plainLine(progress())]);
  });

  it('--quiet: warnings only', () => {
    const run = fakeRun();
    const lines: string[] = [];
    attachProgress(run, { quiet: true, tty: false, write: (l) => lines.push(l) });
    run.emit('warmup', { done: 0, total: 5 });
    run.emit('progress', progress());
    run.emit('warning', 'w');
    expect(lines).toEqual(['pushsim: warning: w']);
  });
});
