/**
 * A progress display: a subscriber of the runner's events that writes one line per tick to stderr
 * (stdout stays clean for the summary or JSON).
 */
import type { ScenarioRun } from '../scenarios/runner.js';

export function attachProgress(run: ScenarioRun, write: (line: string) => void = (line) => process.stderr.write(line + '\n')): void {
  run.on('start', (info) => {
    write(`pushsim: scenario "${info.scenario}" — ${info.plan}`);
    write(`pushsim: target ${info.target} (mock ${info.placement})`);
  });
  run.on('progress', (p) => {
    const seconds = (p.elapsedMs / 1000).toFixed(1).padStart(6);
    write(`${seconds}s  sent ${p.scheduled}  done ${p.completed}  in flight ${p.inFlight}  accepted ${p.accepted}  rejected ${p.rejected}  failed ${p.failed}`);
  });
}
