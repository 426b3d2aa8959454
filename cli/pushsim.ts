/**
 * The pushsim command line. Exit codes are stable (core/exit-codes.ts): 0 ok, 1 internal error,
 * 2 usage, 3 credentials, 4 target unreachable, 98 performance regression (compare), 99 thresholds
 * failed, 104 invalid config.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../core/exit-codes.js';
import { registerCompare } from './commands/compare.js';
import { registerInit } from './commands/init.js';
import { registerMerge } from './commands/merge.js';
import { registerMock } from './commands/mock.js';
import { registerMockFcm } from './commands/mock-fcm.js';
import { registerMockWebPush } from './commands/mock-webpush.js';
import { registerProxy } from './commands/proxy.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerTune } from './commands/tune.js';
import { describeError, exitCodeFor } from './exit.js';
import { pushsimVersion } from './version.js';

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command('pushsim')
    .description('Load-test and failure-test push-notification delivery (APNs, FCM, Web Push)')
    .version(pushsimVersion())
    .showHelpAfterError('(run pushsim --help for usage)')
    .exitOverride();
  registerRun(program, (code) => (exitCode = code));
  registerMock(program);
  const mock = program.commands.find((c) => c.name() === 'mock');
  if (mock) {
    registerMockFcm(mock);
    registerMockWebPush(mock);
  }
  registerProxy(program);
  registerMerge(program);
  registerCompare(program, (code) => (exitCode = code));
  registerReport(program);
  registerTune(program);
  registerInit(program);
  registerSchema(program);
  program.commands.forEach((c) => c.exitOverride());
  program.commands.flatMap((c) => c.commands).forEach((c) => c.exitOverride());
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end "with an error" in commander's override mode; they are successes.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    process.stderr.write(describeError(error) + '\n');
    return exitCodeFor(error);
  }
}
