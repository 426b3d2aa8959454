/**
 * The pushsim command line. Exit codes are stable (core/exit-codes.ts): 0 ok, 1 internal error,
 * 2 usage, 3 credentials, 4 target unreachable, 98 performance regression (compare), 99 thresholds
 * failed, 104 invalid config.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../core/exit-codes.js';
import { describeError, exitCodeFor } from './exit.js';
import { pushsimVersion } from './version.js';

type SetExitCode = (code: number) => void;

/**
 * Each command's definition, loaded when needed: `pushsim report x.json` loads the report command's
 * definition only (start-up: every CI step that calls report, merge or compare pays it); help, an
 * unknown command and a bare `pushsim` load them all. In the order `pushsim --help` lists them.
 */
const commands: Record<string, (program: Command, setExitCode: SetExitCode) => Promise<void>> = {
  run: async (program, setExitCode) => (await import('./commands/run.js')).registerRun(program, setExitCode),
  mock: async (program) => {
    const [{ registerMock }, { registerMockFcm }, { registerMockWebPush }] = await Promise.all([import('./commands/mock.js'), import('./commands/mock-fcm.js'), import('./commands/mock-webpush.js')]);
    registerMock(program);
    const mock = program.commands.find((c) => c.name() === 'mock');
    if (mock) {
      registerMockFcm(mock);
      registerMockWebPush(mock);
    }
  },
  proxy: async (program) => (await import('./commands/proxy.js')).registerProxy(program),
  merge: async (program) => (await import('./commands/merge.js')).registerMerge(program),
  compare: async (program, setExitCode) => (await import('./commands/compare.js')).registerCompare(program, setExitCode),
  report: async (program) => (await import('./commands/report.js')).registerReport(program),
  tune: async (program, setExitCode) => (await import('./commands/tune.js')).registerTune(program, setExitCode),
  simulate: async (program, setExitCode) => (await import('./commands/simulate.js')).registerSimulate(program, setExitCode),
  init: async (program) => (await import('./commands/init.js')).registerInit(program),
  schema: async (program) => (await import('./commands/schema.js')).registerSchema(program),
};

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command('pushsim')
    .description('Load-test and failure-test push-notification delivery (APNs, FCM, Web Push)')
    .version(pushsimVersion())
    .showHelpAfterError('(run pushsim --help for usage)')
    .exitOverride();
  const setExitCode: SetExitCode = (code) => (exitCode = code);
  // A known command first: only its definition; --version: none; anything else (help, a typo to
  // suggest for): all.
  const first = argv[0];
  const named = first === '--version' || first === '-V' ? [] : first !== undefined && Object.hasOwn(commands, first) ? [first] : Object.keys(commands);
  for (const name of named) await commands[name]?.(program, setExitCode);
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
