/**
 * `pushsim compare`: a candidate run against a baseline — one result.json each, or several runs of
 * each — exiting 98 when a metric got worse by more than its tolerance and more than noise
 * explains, so CI can fail the change that caused it and only that.
 */
import { InvalidArgumentError as FlagError } from 'commander';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { nonNegativeNumber } from '../options.js';

interface CompareFlags {
  base?: string[];
  candidate?: string[];
  maxLatencyIncrease?: number;
  minLatencyIncrease?: number;
  maxThroughputDrop?: number;
  maxErrorRateIncrease?: number;
  alpha?: number;
  json?: boolean;
}

export function registerCompare(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('compare')
    .description(`compare a candidate result.json with a base one (or several runs of each); exits ${ExitCode.performanceRegression} when a metric regressed beyond its tolerance and beyond noise`)
    .argument('[base.json]', 'result of the baseline run (its result.json, or the directory it is in)')
    .argument('[candidate.json]', 'result of the run to judge (likewise)')
    .option('--base <result.json...>', 'several baseline runs (3 or more), instead of the two arguments')
    .option('--candidate <result.json...>', 'several candidate runs (3 or more), with --base')
    .option('--max-latency-increase <pct>', 'largest accepted latency increase, % of the base, for p50 to p99.9 (default 10)', nonNegativeNumber)
    .option('--min-latency-increase <ms>', 'a latency increase up to this is never a regression, whatever its % (default 1)', nonNegativeNumber)
    .option('--max-throughput-drop <pct>', 'largest accepted drop of the achieved rate, % of the base (default 5)', nonNegativeNumber)
    .option('--max-error-rate-increase <pp>', 'largest accepted error-rate increase, percentage points (default 0.5)', nonNegativeNumber)
    .option('--alpha <p>', 'significance level of the tests: how rarely noise alone may be called a regression (default 0.05)', significanceLevel)
    .option('--json', 'print the comparison as JSON (with its statistics) instead of a table')
    .action(async (baseFile: string | undefined, candidateFile: string | undefined, flags: CompareFlags) => {
      const [baseFiles, candidateFiles] = inputs(baseFile, candidateFile, flags);
      // Loaded when the command runs (start-up stays small for the others).
      const [{ compareResults, formatComparison }, { readResult }] = await Promise.all([import('../../reports/compare.js'), import('../../reports/json.js')]);
      const [bases, candidates] = await Promise.all([Promise.all(baseFiles.map((file) => readResult(file))), Promise.all(candidateFiles.map((file) => readResult(file)))]);
      const comparison = compareResults(bases, candidates, {
        ...(flags.maxLatencyIncrease !== undefined && { maxLatencyIncreasePct: flags.maxLatencyIncrease }),
        ...(flags.minLatencyIncrease !== undefined && { minLatencyIncreaseMs: flags.minLatencyIncrease }),
        ...(flags.maxThroughputDrop !== undefined && { maxThroughputDropPct: flags.maxThroughputDrop }),
        ...(flags.maxErrorRateIncrease !== undefined && { maxErrorRateIncreasePp: flags.maxErrorRateIncrease }),
        ...(flags.alpha !== undefined && { alpha: flags.alpha }),
      });
      process.stdout.write(flags.json ? JSON.stringify(comparison, null, 2) + '\n' : formatComparison(comparison));
      setExitCode(comparison.regressions.length > 0 ? ExitCode.performanceRegression : ExitCode.ok);
    });
}

/** Two arguments, or --base and --candidate lists; never a mix, which would leave it unclear which side a file is on. */
function inputs(baseFile: string | undefined, candidateFile: string | undefined, flags: CompareFlags): [string[], string[]] {
  const listed = flags.base !== undefined || flags.candidate !== undefined;
  if (listed) {
    if (baseFile !== undefined) throw new InvalidArgumentError('give the runs either as two arguments or with --base and --candidate, not both');
    if (flags.base === undefined || flags.candidate === undefined) throw new InvalidArgumentError(`--${flags.base === undefined ? 'base' : 'candidate'} is missing: several runs need both --base and --candidate`);
    return [flags.base, flags.candidate];
  }
  if (baseFile === undefined || candidateFile === undefined) {
    throw new InvalidArgumentError('compare needs a base and a candidate: pushsim compare <base.json> <candidate.json>, or --base <runs…> --candidate <runs…>');
  }
  return [[baseFile], [candidateFile]];
}

/** --alpha: a probability a test may use as its level, above 0 and at most 0.5. */
function significanceLevel(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 0.5) throw new FlagError(`expected a number above 0 and at most 0.5, such as 0.05, got "${value}"`);
  return n;
}
