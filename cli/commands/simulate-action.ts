/**
 * What `pushsim simulate` does once its flags are parsed; imported when the command runs
 * (cli/commands/simulate.ts holds the definition). The result is written and judged as `pushsim
 * run`'s is: the same result.json (marked `virtual`), reports and exit codes.
 */
import { safe } from '../../reports/format.js';
import { describeLoad } from '../../scenarios/executors/index.js';
import { simulation } from '../../scenarios/simulate.js';
import { limitHeapGrowth, runHeapGrowingPercent } from '../heap-growth.js';
import { prepareOutputDir } from '../output.js';
import { outputResult } from './result-output.js';
import { executeStoppable } from './signal-stop.js';
import { reportFiles } from './report.js';
import { exitCodeOf, scenarioWithFlags } from './run-action.js';

export interface SimulateFlags {
  out: string;
  seed?: number;
  rate?: number;
  count?: number;
  inFlight?: number;
  connections?: number;
  faults?: string;
  recipients?: string;
  report?: (keyof typeof reportFiles)[];
  json?: boolean;
  quiet?: boolean;
}

/** Real ms between two progress lines: a virtual hour passes in seconds, one line per virtual second would flood the terminal. */
const progressEveryMs = 2000;

export async function simulateAction(name: string, flags: SimulateFlags, setExitCode: (code: number) => void): Promise<void> {
  // As for `pushsim run`: --recipients is recorded relative to the scenario file (a built-in has none).
  const config = await scenarioWithFlags(name, flags);
  await prepareOutputDir(flags.out, '--out');
  // A simulation holds the mocks' ledgers and the sender in one heap: at 1.5× its RSS stays within
  // ±10 % over a virtual hour at 1,000/s (198–334 MB with V8's own growth), for ~20 % more CPU (cli/heap-growth.ts).
  limitHeapGrowth(runHeapGrowingPercent('mocks', process.env));
  const abort = new AbortController();
  const run = simulation(config, { signal: abort.signal, ...(flags.seed !== undefined && { seed: flags.seed }) });
  const say = (line: string): void => {
    if (!flags.quiet) process.stderr.write(`pushsim: ${line}\n`);
  };
  const wallStart = performance.now();
  let lastLine = wallStart;
  run.once('start', (start) => say(`simulating scenario "${safe(start.scenario)}" on virtual time: ${start.plan}`));
  run.on('warning', (warning) => say(`warning: ${warning}`));
  run.on('progress', (p) => {
    const now = performance.now();
    if (now - lastLine < progressEveryMs) return;
    lastLine = now;
    say(`virtual ${clock(p.elapsedMs)}${p.plannedMs === null ? '' : ` of ${clock(p.plannedMs)}`} · ${p.completed} answered, ${p.accepted} accepted, ${p.inFlight} in flight · ${((now - wallStart) / 1000).toFixed(1)} s real`);
  });
  // First signal: stop at the current virtual instant and write the partial result; a second: exit now.
  let result = await executeStoppable(abort, () => run.execute(), {
    stopping: (signal) => say(`${signal}: stopping the simulation; the partial result is written (${signal} again exits at once)`),
  });
  say(`${describeLoad(config.load)}: ${clock(result.durationMs)} of virtual time simulated in ${((performance.now() - wallStart) / 1000).toFixed(1)} s`);
  result = await outputResult(result, flags, reportFiles);
  setExitCode(exitCodeOf(result));
}

/** h:mm:ss of virtual time. */
function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
