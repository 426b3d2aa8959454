/**
 * `pushsim tune <scenario>`: runs the scenario once per combination of retry / circuit-breaker
 * settings (scenarios/tune.ts), ranks them, and prints the winner's `policies:` block to paste in.
 * Exits 0 once tuning completed, whatever the variants measured: judging them is the table's job.
 */
import type { Command } from 'commander';
import { writeTuneReport } from '../../reports/json.js';
import { formatTune, tuneMetrics, withoutResults } from '../../reports/tune.js';
import type { TuneMetrics } from '../../reports/tune.js';
import { ms, percent, safe } from '../../reports/format.js';
import { describeLoad } from '../../scenarios/executors/index.js';
import { tunePolicies } from '../../scenarios/tune.js';
import type { PolicyGrid } from '../../scenarios/tune.js';
import { loadFaultsFile } from '../../simulator/faults/spec-file.js';
import { listOf, nonNegativeInteger, onOff, positiveInteger, positiveNumber } from '../options.js';
import { prepareOutputDir } from '../output.js';
import { applyOverrides, resolveScenario } from './run.js';

interface TuneFlags {
  out: string;
  retryAttempts?: (number | 'off')[];
  retryBaseDelay?: number[];
  retryMaxDelay?: number[];
  retryMaybeProcessed?: boolean[];
  breaker?: boolean[];
  breakerErrorRate?: number[];
  breakerOpenMs?: number[];
  rate?: number;
  count?: number;
  faults?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Without a grid flag: with and without retries, with and without the breaker. */
const defaultGrid: PolicyGrid = { retry: { enabled: [false, true], maxAttempts: [3, 5] }, circuitBreaker: { enabled: [true, false] } };

const attemptsOrOff = (value: string): number | 'off' => (value === 'off' ? 'off' : positiveInteger(value));
const wholeMs = listOf(nonNegativeInteger, 'whole numbers of ms');

export function registerTune(program: Command): void {
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
    .option('--out <dir>', 'directory for tune.json', 'pushsim-tune')
    .option('--json', 'print the tuning report as JSON (without each run’s full result) instead of the table')
    .option('--quiet', 'no progress lines on stderr')
    .action(async (name: string, flags: TuneFlags) => {
      const faults = flags.faults === undefined ? undefined : await loadFaultsFile(flags.faults);
      // Only --rate, --count and --faults are shared with `pushsim run`; its other flags are unset here.
      const base = applyOverrides(await resolveScenario(name), flags, faults);
      await prepareOutputDir(flags.out, '--out');
      const write = (line: string): void => {
        if (!flags.quiet) process.stderr.write(`pushsim: ${line}\n`);
      };
      const abort = new AbortController();
      const stop = (): void => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const report = await tunePolicies(base, gridOf(flags), {
          signal: abort.signal,
          onRun: (index, total, label, run) => {
            if (index === 0) write(`tuning scenario "${safe(base.name)}": ${total} variant(s) of ${describeLoad(base.load)}, one after the other`);
            run.once('done', (result) => write(`[${index + 1}/${total}] ${label}: ${describe(tuneMetrics(result))}`));
          },
        });
        const file = await writeTuneReport(report, flags.out);
        process.stdout.write(flags.json ? `${JSON.stringify(withoutResults(report), null, 2)}\n` : formatTune(report));
        process.stderr.write(`pushsim: tune report written to ${file}\n`);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

/** The grid the flags ask for; the default grid when they ask for none. */
function gridOf(flags: TuneFlags): PolicyGrid {
  const attempts = flags.retryAttempts;
  const numbers = attempts?.filter((a): a is number => a !== 'off') ?? [];
  const off = attempts?.includes('off') === true;
  const retry = {
    // `off` keeps its place in the list: `off,3` runs without retries first, `3,off` last.
    ...(off && { enabled: numbers.length === 0 ? [false] : attempts?.[0] === 'off' ? [false, true] : [true, false] }),
    ...(numbers.length > 0 && { maxAttempts: numbers }),
    ...(flags.retryBaseDelay && { baseDelayMs: flags.retryBaseDelay }),
    ...(flags.retryMaxDelay && { maxDelayMs: flags.retryMaxDelay }),
    ...(flags.retryMaybeProcessed && { retryMaybeProcessed: flags.retryMaybeProcessed }),
  };
  const circuitBreaker = {
    ...(flags.breaker && { enabled: flags.breaker }),
    ...(flags.breakerErrorRate && { errorRate: flags.breakerErrorRate }),
    ...(flags.breakerOpenMs && { openMs: flags.breakerOpenMs }),
  };
  if (Object.keys(retry).length === 0 && Object.keys(circuitBreaker).length === 0) return defaultGrid;
  return { ...(Object.keys(retry).length > 0 && { retry }), ...(Object.keys(circuitBreaker).length > 0 && { circuitBreaker }) };
}

function describe(m: TuneMetrics): string {
  const duplicates = m.duplicates === null ? '' : ` · duplicates ${m.duplicates}`;
  return `delivered ${percent(m.accepted, m.scheduled)} · rejected ${m.rejected} · undelivered ${m.undelivered}${duplicates} · ${m.attemptsPerNotification.toFixed(3)} attempts/notification · p99 ${m.p99Ms === null ? '—' : `${ms(m.p99Ms)} ms`}`;
}
