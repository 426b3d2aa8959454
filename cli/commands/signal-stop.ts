/**
 * How `pushsim run` and `pushsim simulate` answer Ctrl-C and SIGTERM while they execute: the first
 * signal aborts the run (it stops firing and writes its partial result, exit 130 / 143); a second
 * one exits at once without a result (the user means it).
 */
import { ExitCode } from '../../core/exit-codes.js';

export interface SignalStopHooks {
  /** Says what the first signal does (the command's own words and display). */
  stopping(signal: NodeJS.Signals): void;
  /** Before a second signal exits: release the terminal (a redrawn status line). */
  leaving?(): void;
}

/** Runs `execute` with SIGINT and SIGTERM wired to `abort`, and unwires them when it settles. */
export async function executeStoppable<T>(abort: AbortController, execute: () => Promise<T>, hooks: SignalStopHooks): Promise<T> {
  const stop = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) {
      hooks.leaving?.();
      process.stderr.write(`pushsim: ${signal} again: exiting now, without writing a result\n`);
      process.exit(signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
    }
    hooks.stopping(signal);
    abort.abort(signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await execute();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
