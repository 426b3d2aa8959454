/**
 * `--workers N` of `pushsim mock apns`: the mock on N processes serving one port
 * (simulator/cluster/primary.ts). 1, the default, is the single-process mock.
 */
import { InvalidArgumentError as CommanderArgumentError, type Command } from 'commander';
import { maxMockWorkers } from '../../simulator/cluster/limits.js';

export function mockWorkers(value: string): number {
  const workers = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!(workers >= 1 && workers <= maxMockWorkers)) {
    throw new CommanderArgumentError(`expected a whole number of worker processes from 1 to ${maxMockWorkers} (one per core is the most that helps), got "${value}"`);
  }
  return workers;
}

export function addMockWorkersFlag(command: Command): Command {
  return command.option('--workers <n>', `serve the one port from this many processes (1–${maxMockWorkers}); faults, ledger and control API stay one for the whole mock`, mockWorkers, 1);
}
