/**
 * `pushsim compare`: a candidate run against a baseline; exits 98 when a metric got worse by more
 * than its tolerance, so CI can fail the change that caused it.
 */
import type { Command } from 'commander';
import { ExitCode } from '../../core/exit-codes.js';
import { compareResults, formatComparison } from '../../reports/compare.js';
import { readResult } from '../../reports/json.js';
import { nonNegativeNumber } from '../options.js';

interface CompareFlags {
  maxLatencyIncrease?: number;
  minLatencyIncrease?: number;
  maxThroughputDrop?: number;
  maxErrorRateIncrease?: number;
  json?: boolean;
}

export function registerCompare(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('compare')
    .description(`compare a candidate result.json with a base one; exits ${ExitCode.performanceRegression} when a metric regressed beyond its tolerance`)
    .argument('<base.json>', 'result of the baseline run')
    .argument('<candidate.json>', 'result of the run to judge')
    .option('--max-latency-increase <pct>', 'largest accepted latency increase, % of the base, for p50 to p99.9 (default 10)', nonNegativeNumber)
    .option('--min-latency-increase <ms>', 'a latency increase up to this is never a regression, whatever its % (default 1)', nonNegativeNumber)
    .option('--max-throughput-drop <pct>', 'largest accepted drop of the achieved rate, % of the base (default 5)', nonNegativeNumber)
    .option('--max-error-rate-increase <pp>', 'largest accepted error-rate increase, percentage points (default 0.5)', nonNegativeNumber)
    .option('--json', 'print the comparison as JSON instead of a table')
    .action(async (baseFile: string, candidateFile: string, flags: CompareFlags) => {
      const [base, candidate] = await Promise.all([readResult(baseFile), readResult(candidateFile)]);
      const comparison = compareResults(base, candidate, {
        ...(flags.maxLatencyIncrease !== undefined && { maxLatencyIncreasePct: flags.maxLatencyIncrease }),
        ...(flags.minLatencyIncrease !== undefined && { minLatencyIncreaseMs: flags.minLatencyIncrease }),
        ...(flags.maxThroughputDrop !== undefined && { maxThroughputDropPct: flags.maxThroughputDrop }),
        ...(flags.maxErrorRateIncrease !== undefined && { maxErrorRateIncreasePp: flags.maxErrorRateIncrease }),
      });
      process.stdout.write(flags.json ? JSON.stringify(comparison, null, 2) + '\n' : formatComparison(comparison));
      setExitCode(comparison.regressions.length > 0 ? ExitCode.performanceRegression : ExitCode.ok);
    });
}
