/**
 * Maps what went wrong to a stable exit code and a message that says what, where and how to fix.
 * No stack traces for expected errors; a stack for anything else, because that is a bug to report.
 * A system error about a path or an address (ENOENT, EISDIR, EADDRINUSE…) is the user's machine
 * speaking, not a bug: it is described in words (core/system-errors.ts) and exits 2, even where no
 * command wrapped it with the flag's name.
 */
import { ExitCode } from '../core/exit-codes.js';
import { isPushSimError } from '../core/errors.js';
import { describeSystemError, isSystemError } from '../core/system-errors.js';
import type { SystemError } from '../core/system-errors.js';

/** System calls whose failures are about a path or an address the user gave. */
const userSyscalls = new Set(['open', 'mkdir', 'mkdtemp', 'rename', 'stat', 'lstat', 'access', 'scandir', 'opendir', 'unlink', 'rmdir', 'chmod', 'copyfile', 'realpath', 'readlink', 'symlink', 'listen', 'bind', 'getaddrinfo']);

function isUserSystemError(error: unknown): error is SystemError {
  return isSystemError(error) && userSyscalls.has(error.syscall);
}

export function exitCodeFor(error: unknown): ExitCode {
  if (isUserSystemError(error)) return ExitCode.usage;
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
  if (isUserSystemError(error)) return `pushsim: ${describeSystemError(error)}`;
  const e = error instanceof Error ? error : new Error(String(error));
  return `pushsim: unexpected error (please report it): ${e.stack ?? e.message}`;
}
