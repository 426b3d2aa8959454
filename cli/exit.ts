/**
 * Maps what went wrong to a stable exit code and a message that says what, where and how to fix.
 * No stack traces for expected errors; a stack for anything else, because that is a bug to report.
 */
import { ExitCode } from '../core/exit-codes.js';
import { isPushSimError } from '../core/errors.js';

export function exitCodeFor(error: unknown): ExitCode {
  if (!isPushSimError(error)) return ExitCode.internal;
  switch (error.code) {
    case 'PUSHSIM_ERR_INVALID_CONFIG':
      return ExitCode.invalidConfig;
    case 'PUSHSIM_ERR_CREDENTIAL':
      return ExitCode.credential;
    case 'PUSHSIM_ERR_INVALID_ARGUMENT':
      return ExitCode.usage;
    case 'PUSHSIM_ERR_CONNECT':
      return ExitCode.targetUnreachable;
    default:
      return ExitCode.internal;
  }
}

export function describeError(error: unknown): string {
  if (isPushSimError(error)) return `pushsim: ${error.message}`;
  const e = error instanceof Error ? error : new Error(String(error));
  return `pushsim: unexpected error (please report it): ${e.stack ?? e.message}`;
}
