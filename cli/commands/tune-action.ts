/**
 * What `pushsim tune` does once its flags are parsed; imported when the command runs (start-up),
 * cli/commands/tune.ts holds the definition.
 */
import { writeTuneHtml, writeTuneReport } from '../../reports/json.js';
import { formatTune, tuneMetrics, withoutResults } from '../../reports/tune.js';
import type { TuneMetrics } from '../../reports/tune.js';
import { ms, percent, safe } from '../../reports/format.js';
import { describeLoad } from '../../scenarios/executors/index.js';
import { expandGrid, tunePolicies } from '../../scenarios/tune.js';
import { maxTuneThreads } from '../../scenarios/tune-threads.js';
import { availableParallelism, totalmem } from 'node:os';
import type { PolicyGrid } from '../../scenarios/tune.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { prepareOutputDir } from '../output.js';
import { scenarioWithFlags } from './run-action.js';
import { executeStoppable } from './signal-stop.js';

export interface TuneFlags {
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
  virtual?: boolean;
  seed?: number;
  threads?: number;
  recipients?: string;
}

/** Memory a tune thread is given room for when --threads is not set. */
const threadMemory = 512 * 1024 * 1024;

/** Without a grid flag: with and without retries, with and without the breaker. */
const defaultGrid: PolicyGrid = { retry: { enabled: [false, true], maxAttempts: [3, 5] }, circuitBreaker: { enabled: [true, false] } };

/**
 * Tunes scenario `name` over the grid the flags ask for, and writes and prints the ranking. A first
 * SIGINT / SIGTERM stops the tuning and writes what finished, exiting 130 / 143 as an interrupted
 * run does (a CI job cancelled mid-tuning must not pass); a second exits at once.
 */
export async function tuneAction(name: string, flags: TuneFlags, setExitCode: (code: number) => void = () => {}): Promise<void> {
  if (flags.seed !== undefined && flags.virtual !== true) throw new InvalidArgumentError('--seed seeds the simulations of --virtual; add --virtual, or drop --seed');
  if (flags.threads !== undefined && flags.virtual !== true) throw new InvalidArgumentError('--threads spreads the simulations of --virtual over threads (real-time variants run one after the other); add --virtual, or drop --threads');
  if (flags.threads !== undefined && flags.threads > maxTuneThreads) throw new InvalidArgumentError(`--threads must be from 1 to ${maxTuneThreads}, got ${flags.threads}`);
  const base = await scenarioWithFlags(name, flags);
  await prepareOutputDir(flags.out, '--out');
  const write = (line: string): void => {
    if (!flags.quiet) process.stderr.write(`pushsim: ${line}\n`);
  };
  const abort = new AbortController();
  await executeStoppable(abort, async () => {
    const grid = gridOf(flags);
    // One thread per core (the results do not depend on it), no more than the variants, and no more
    // than 512 MiB of the machine's memory each: a simulation at 1,000/s peaks near 300 MB of RSS.
    const variants = expandGrid(base, grid).length;
    const threads = flags.virtual === true ? Math.min(flags.threads ?? Math.max(1, Math.min(availableParallelism(), Math.floor(totalmem() / threadMemory))), variants) : 1;
    const starting = `tuning scenario "${safe(base.name)}": ${variants} variant(s) of ${describeLoad(base.load)}`;
    // On threads the runs are not seen one by one (no onRun): the start is said here instead.
    if (threads > 1) write(`${starting}, each simulated on virtual time, ${threads} at a time on worker threads`);
    const report = await tunePolicies(base, grid, {
      signal: abort.signal,
      ...(flags.virtual === true && { virtual: { threads, ...(flags.seed !== undefined && { seed: flags.seed }) } }),
      onRun: (index) => {
        if (index === 0) write(`${starting}, one after the other${flags.virtual === true ? ', each simulated on virtual time' : ''}`);
      },
      onResult: (index, total, label, result) => {
        write(`[${index + 1}/${total}] ${label}: ${result.interrupted === undefined ? describe(tuneMetrics(result)) : `interrupted by ${result.interrupted.signal}, not ranked`}`);
      },
    });
    const file = await writeTuneReport(report, flags.out);
    const page = await writeTuneHtml(report, flags.out);
    process.stdout.write(flags.json ? `${JSON.stringify(withoutResults(report), null, 2)}\n` : formatTune(report));
    process.stderr.write(`pushsim: tune report written to ${file} and ${page}\n`);
  }, { stopping: (signal) => process.stderr.write(`pushsim: ${signal}: stopping the tuning; the variants that finished are ranked and written (${signal} again exits at once)\n`) });
  if (abort.signal.aborted) setExitCode(abort.signal.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
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
