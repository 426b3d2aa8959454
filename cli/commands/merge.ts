/**
 * `pushsim merge`: the shards of one run (one result.json per machine or process) into the result
 * of the whole, written like a run's and printed the same way.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.js';
import { prepareOutputDir } from '../output.js';

interface MergeFlags {
  out: string;
  json?: boolean;
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge the result.json files of shards that ran one scenario concurrently into one result (thresholds are not re-evaluated)')
    .argument('<result.json...>', "result files of the shards, or the directories they were written to (each one's result.json)")
    // Not pushsim-report: that is where a shard's own result usually sits, and merge would overwrite it.
    .option('--out <dir>', 'directory for the merged result.json', 'pushsim-merged')
    .option('--json', 'print the merged result.json to stdout instead of the text summary')
    .action(async (paths: string[], flags: MergeFlags) => {
      // Loaded when the command runs (start-up stays small for the others).
      const [{ readResult, resultFileOf, writeResult, writeTokensToPrune }, { mergeResults, mergeWarnings }, { formatText }] = await Promise.all([
        import('../../reports/json.js'),
        import('../../reports/merge.js'),
        import('../../reports/text.js'),
      ]);
      // A shard's directory stands for its result.json, so `DIR` and `DIR/result.json` are one shard.
      const files = paths.map((path) => resultFileOf(path));
      const twice = files.find((file, i) => files.findIndex((other) => resolve(other) === resolve(file)) !== i);
      // The same shard twice would count its notifications twice.
      if (twice !== undefined) throw new InvalidArgumentError(`${twice} is given more than once`);
      await prepareOutputDir(flags.out, '--out');
      const shards = await Promise.all(files.map((file) => readResult(file)));
      const merged = mergeResults(shards, files);
      const file = await writeResult(merged, flags.out);
      const prune = await writeTokensToPrune(merged, flags.out);
      process.stdout.write(flags.json ? JSON.stringify(merged, null, 2) + '\n' : formatText(merged) + '\n');
      process.stderr.write(`pushsim: ${files.length} result(s) merged into ${file}\n`);
      for (const warning of mergeWarnings(shards, files)) process.stderr.write(`pushsim: warning: ${warning}\n`);
      if (shards.some((shard) => shard.thresholds !== undefined && shard.thresholds.length > 0)) {
        process.stderr.write('pushsim: the shards\' thresholds are left out: they judged a part, not the whole\n');
      }
      if (prune !== undefined) process.stderr.write(`pushsim: ${merged.tokensToPrune?.length ?? 0} token(s) to prune written to ${prune}\n`);
    });
}
