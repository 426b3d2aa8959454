/**
 * A progress display: a subscriber of the runner's events on stderr (stdout stays clean for the
 * summary or JSON).
 *
 * On a terminal, one status line redrawn in place (k6-style): the stage (warm-up, run, draining),
 * elapsed against planned time, the rate achieved in the last tick against the target, counts by
 * outcome, p99 of the last tick, the fault phase, the breaker's state and the time left. Off a
 * terminal (CI logs, pipes), one plain line per tick that only grows at its end, so what scripts
 * read keeps its shape. Warnings — faults that cannot fire, pushsim falling behind, an unreachable
 * target — are written as they come, even with --quiet; on a terminal above the status line.
 */
import type { RunProgress, ScenarioRun } from '../scenarios/runner.js';

export interface ProgressOptions {
  /** Warnings only, no start banner or per-tick lines. @default false */
  readonly quiet?: boolean;
  /** Where lines go (each without its newline). @default stderr */
  readonly write?: (line: string) => void;
  /** Redraw one status line in place. @default whether stderr is a terminal */
  readonly tty?: boolean;
  /** The terminal's width, for cutting the status line. @default stderr's columns, else 160 (a terminal that reports no size: 0) */
  readonly columns?: () => number;
  /** Raw output for the in-place line (no newline added). @default stderr */
  readonly writeRaw?: (text: string) => void;
}

export interface ProgressDisplay {
  /** A line of the command's own (a signal taken, a file written): above the status line on a terminal. */
  note(line: string): void;
  /** Takes the status line away (before the summary, or on an error). */
  close(): void;
}

const clearLine = '\r\x1b[2K';
const count = (n: number): string => n.toLocaleString('en-US');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function attachProgress(run: ScenarioRun, options: ProgressOptions = {}): ProgressDisplay {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const tty = options.tty ?? (options.write === undefined && process.stderr.isTTY === true);
  const writeRaw = options.writeRaw ?? ((text: string) => process.stderr.write(text));
  const columns = options.columns ?? (() => (process.stderr.columns > 20 ? process.stderr.columns : 160));
  let status: string | undefined;
  const draw = (line: string): void => {
    status = line.length >= columns() ? `${line.slice(0, Math.max(0, columns() - 2))}…` : line;
    writeRaw(`${clearLine}${status}`);
  };
  const say = (line: string): void => {
    if (tty && status !== undefined) {
      writeRaw(clearLine);
      write(line);
      writeRaw(status);
    } else {
      write(line);
    }
  };
  const display: ProgressDisplay = {
    note: say,
    close() {
      if (tty && status !== undefined) writeRaw(clearLine);
      status = undefined;
    },
  };
  run.on('warning', (message) => say(`pushsim: warning: ${message}`));
  if (options.quiet === true) return display;
  run.on('start', (info) => {
    say(`pushsim: scenario "${info.scenario}" — ${info.plan}`);
    say(`pushsim: target ${info.target} (mock ${info.placement})`);
    if (info.shard !== undefined) say(`pushsim: ${info.shard}`);
    if (info.workers !== undefined) say(`pushsim: workers: ${info.workers}`);
  });
  let warmingUp = false;
  run.on('warmup', ({ done, total }) => {
    if (tty) draw(`▸ warm-up ${count(done)} / ${count(total)} notifications (not measured)`);
    else if (!warmingUp) write(`pushsim: warming up with ${count(total)} notifications (not measured)`);
    warmingUp = true;
  });
  run.on('waiting', ({ startAt, waitMs }) => say(`pushsim: ready; waiting ${(waitMs / 1000).toFixed(1)} s for the agreed start ${new Date(startAt).toISOString()}`));
  let previous: RunProgress | undefined;
  run.on('progress', (p) => {
    if (tty) draw(statusLine(p, previous));
    else write(plainLine(p));
    previous = p;
  });
  run.on('done', () => display.close());
  return display;
}

/** The line a log gets each tick: the counts, then what is off, then the glance (p99, phase, breaker). */
export function plainLine(p: RunProgress): string {
  const seconds = (p.elapsedMs / 1000).toFixed(1).padStart(6);
  const behind = [p.queued > 0 && `queued ${p.queued}`, p.sendLagMs !== null && p.sendLagMs >= 100 && `send lag ${Math.round(p.sendLagMs)} ms`, p.dropped > 0 && `dropped ${p.dropped}`].filter(Boolean);
  const glance = [p.p99Ms !== null && `p99 ${p.p99Ms.toFixed(1)} ms`, p.phase !== undefined && `phase ${p.phase}`, p.breaker !== undefined && `breaker ${p.breaker}`].filter(Boolean);
  return `${seconds}s  planned ${p.scheduled}  done ${p.completed}  in flight ${p.inFlight}  accepted ${p.accepted}  rejected ${p.rejected}  failed ${p.failed}${behind.length > 0 ? `  ${behind.join('  ')}` : ''}${glance.length > 0 ? `  ${glance.join('  ')}` : ''}`;
}

/** The terminal's status line: where the run is, how fast against the target, what came back, what is going on. */
export function statusLine(p: RunProgress, previous: RunProgress | undefined): string {
  const draining = p.plannedMs !== null && p.elapsedMs > p.plannedMs + 1000;
  const stage = draining ? 'draining' : 'run';
  const clock = p.plannedMs === null ? seconds(p.elapsedMs) : `${seconds(p.elapsedMs)} / ${seconds(p.plannedMs)}`;
  const spanMs = previous === undefined ? p.elapsedMs : p.elapsedMs - previous.elapsedMs;
  const rate = spanMs > 0 ? ((p.completed - (previous?.completed ?? 0)) * 1000) / spanMs : 0;
  const parts = [
    `▸ ${stage} ${clock}`,
    `${count(Math.round(rate))}/s${p.targetRate !== null ? ` of ${count(Math.round(p.targetRate))}/s` : ''}`,
    `accepted ${count(p.accepted)} rejected ${count(p.rejected)} failed ${count(p.failed)}${p.dropped > 0 ? ` dropped ${count(p.dropped)}` : ''}`,
    `in flight ${count(p.inFlight)}${p.queued > 0 ? ` (queued ${count(p.queued)})` : ''}`,
    `p99 ${p.p99Ms === null ? '—' : `${p.p99Ms.toFixed(1)} ms`}`,
    ...(p.phase !== undefined ? [`phase ${p.phase}`] : []),
    ...(p.breaker !== undefined ? [`breaker ${p.breaker === 'closed' ? 'closed' : p.breaker.toUpperCase()}`] : []),
    ...(p.sendLagMs !== null && p.sendLagMs >= 100 ? [`send lag ${Math.round(p.sendLagMs)} ms`] : []),
    ...(p.plannedMs !== null && !draining ? [`ETA ${seconds(Math.max(0, p.plannedMs - p.elapsedMs))}`] : []),
  ];
  return parts.join(' · ');
}
