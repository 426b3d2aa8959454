/**
 * A progress display: a subscriber of the runner's events that writes one line per tick to stderr
 * (stdout stays clean for the summary or JSON). Warnings — faults that cannot fire, pushsim falling
 * behind, an unreachable target — are written as they come, even without progress lines.
 */
import type { ScenarioRun } from '../scenarios/runner.js';

export interface ProgressOptions {
  /** Warnings only, no start banner or per-tick lines. @default false */
  readonly quiet?: boolean;
  readonly write?: (line: string) => void;
}

export function attachProgress(run: ScenarioRun, options: ProgressOptions = {}): void {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  run.on('warning', (message) => write(`pushsim: warning: ${message}`));
  if (options.quiet === true) return;
  run.on('start', (info) => {
    write(`pushsim: scenario "${info.scenario}" — ${info.plan}`);
    write(`pushsim: target ${info.target} (mock ${info.placement})`);
    if (info.shard !== undefined) write(`pushsim: ${info.shard}`);
    if (info.workers !== undefined) write(`pushsim: workers: ${info.workers}`);
  });
  run.on('waiting', ({ startAt, waitMs }) => write(`pushsim: ready; waiting ${(waitMs / 1000).toFixed(1)} s for the agreed start ${new Date(startAt).toISOString()}`));
  run.on('progress', (p) => {
    const seconds = (p.elapsedMs / 1000).toFixed(1).padStart(6);
    const behind = [p.queued > 0 && `queued ${p.queued}`, p.sendLagMs !== null && p.sendLagMs >= 100 && `send lag ${Math.round(p.sendLagMs)} ms`, p.dropped > 0 && `dropped ${p.dropped}`].filter(Boolean);
    write(`${seconds}s  planned ${p.scheduled}  done ${p.completed}  in flight ${p.inFlight}  accepted ${p.accepted}  rejected ${p.rejected}  failed ${p.failed}${behind.length > 0 ? `  ${behind.join('  ')}` : ''}`);
  });
}
