/**
 * `pushsim init [file]`: writes a commented starter scenario that runs as it is against the
 * embedded mock. An existing file is left alone unless --force (exit 2 otherwise).
 */
import type { Command } from 'commander';
import type { InitFlags } from './init-action.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a commented starter scenario file to edit and run (editors complete it from the shipped JSON Schema)')
    .argument('[file]', 'where to write it', 'scenario.yaml')
    .option('--force', 'overwrite the file if it exists')
    .action(async (file: string, flags: InitFlags) => {
      const { initAction } = await import('./init-action.js');
      const written = await initAction(file, flags);
      process.stderr.write(`pushsim: wrote ${written}; run it with: pushsim run ${file}\n`);
    });
}
