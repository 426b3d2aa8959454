/**
 * `pushsim tune <scenario>`: runs the scenario once per combination of retry / circuit-breaker
 * settings (scenarios/tune.ts), ranks them, and prints the winner's `policies:` block to paste in.
 * Exits 0 once tuning completed, whatever the variants measured: judging them is the table's job;
 * 130 / 143 when a signal stopped it (the variants that finished are still written).
 */
import type { Command } from 'commander';
import { listOf, nonNegativeInteger, onOff, positiveInteger, positiveNumber } from '../options.js';
import type { TuneFlags } from './tune-action.js';

const attemptsOrOff = (value: string): number | 'off' => (value === 'off' ? 'off' : positiveInteger(value));
const wholeMs = listOf(nonNegativeInteger, 'whole numbers of ms');

export function registerTune(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('tune')
    .description('run a scenario once per combination of retry / circuit-breaker settings, one after the other, and rank them (default grid: retry off,3,5 × breaker on,off)')
    .argument('<scenario>', 'built-in scenario name or path to a .yaml/.json scenario file')
    .option('--retry-attempts <list>', 'retry maxAttempts to try, e.g. off,1,3,5 (off: retry: false)', listOf(attemptsOrOff, 'whole numbers ≥ 1 or off'))
    .option('--retry-base-delay <list>', 'retry baseDelayMs to try, e.g. 10,50,200', wholeMs)
    .option('--retry-max-delay <list>', 'retry maxDelayMs to try, e.g. 500,5000', wholeMs)
    .option('--retry-maybe-processed <list>', 'retry retryMaybeProcessed to try: on,off (off: retry only what provably was not processed)', listOf(onOff, 'on or off'))
    .option('--breaker <list>', 'circuit breaker on, off or on,off', listOf(onOff, 'on or off'))
    .option('--breaker-error-rate <list>', 'circuitBreaker errorRate to try, e.g. 0.25,0.5', listOf(positiveNumber, 'numbers > 0'))
    .option('--breaker-open-ms <list>', 'circuitBreaker openMs to try, e.g. 1000,5000', wholeMs)
    .option('--count <n>', 'override how many notifications each variant sends', positiveInteger)
    .option('--rate <n>', 'override the arrival rate (notifications per second)', positiveNumber)
    .option('--faults <file>', "inject the faults of this spec file into the embedded mocks, replacing the scenario's own")
    .option('--recipients <file>', "send to the recipients of this CSV / NDJSON / JSON file instead of generated tokens, replacing the scenario's own, as pushsim run --recipients (a path from the working directory)")
    .option('--virtual', 'run every variant as a simulation on virtual time (pushsim simulate): the same sender policies and mock logic without sockets, a 64-variant grid over a 10-minute scenario in minutes (docs/virtual-time.md)')
    .option('--seed <n>', "with --virtual: the seed every variant's simulation uses (default: the scenario's tokens.seed)", nonNegativeInteger)
    .option('--threads <n>', 'with --virtual: worker threads the simulations spread over, 1 to 64; the report is the same as on one (default: one per core, at most one per 512 MiB of memory)', positiveInteger)
    .option('--out <dir>', 'directory for tune.json and tune.html (the ranking with a trade-off chart)', 'pushsim-tune')
    .option('--json', 'print the tuning report as JSON (without each run’s full result) instead of the table')
    .option('--quiet', 'no progress lines on stderr')
    .action(async (name: string, flags: TuneFlags) => {
      const { tuneAction } = await import('./tune-action.js');
      await tuneAction(name, flags, setExitCode);
    });
}
