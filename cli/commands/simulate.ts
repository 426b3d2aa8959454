/**
 * `pushsim simulate <scenario>`: the scenario on virtual time (scenarios/simulate.ts) — the sender's
 * policies and the embedded mocks' own logic without sockets, an hour in seconds, the same result
 * for the same seed. What it does is in simulate-action.ts, imported when the command runs.
 */
import type { Command } from 'commander';
import { nonNegativeInteger, positiveInteger, positiveNumber } from '../options.js';
import { reportFiles, runReportFormats } from './report.js';
import type { SimulateFlags } from './simulate-action.js';

export function registerSimulate(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('simulate')
    .description('run a scenario against the embedded mocks on virtual time: the same sender policies and mock logic without sockets, hours in seconds, the same result.json for the same seed (docs/virtual-time.md)')
    .argument('<scenario>', 'built-in scenario name or path to a .yaml/.json scenario file (its target must be the embedded mocks)')
    .option('--out <dir>', 'directory for result.json', 'pushsim-report')
    .option('--seed <n>', "seed of every random choice (tokens, mock latency, fault dice, retry jitter); default: the scenario's tokens.seed", nonNegativeInteger)
    .option('--rate <n>', 'override the arrival rate (notifications per second)', positiveNumber)
    .option('--count <n>', 'override how many notifications to send', positiveInteger)
    .option('--in-flight <n>', 'closed model: keep n notifications in flight, each sent when one is answered', positiveInteger)
    .option('--connections <n>', 'override the number of simulated HTTP/2 connections', positiveInteger)
    .option('--faults <file>', "inject the faults of this spec file into the simulated mocks, replacing the scenario's own")
    .option('--recipients <file>', "send to the recipients of this CSV / NDJSON / JSON file (by extension; streamed, every row checked first) instead of generated tokens, replacing the scenario's own; fallback across providers as in pushsim run (docs/scenarios.md#recipients)")
    .option('--report <formats>', `also write these next to result.json: ${Object.entries(reportFiles).map(([f, file]) => `${f} (${file})`).join(', ')}; e.g. --report junit,html`, runReportFormats)
    .option('--json', 'print result.json to stdout instead of the text summary')
    .option('--quiet', 'no progress lines on stderr')
    .action(async (name: string, flags: SimulateFlags) => {
      const { simulateAction } = await import('./simulate-action.js');
      await simulateAction(name, flags, setExitCode);
    });
}
