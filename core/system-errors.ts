/**
 * Node's system errors (an errno `code` and a `syscall`) in words a user can act on, in one place:
 * a path that does not exist or is a file where a directory belongs, a port in use, an address this
 * machine does not have. Callers that know which flag or field a value came from say so (`flag`);
 * the CLI's last resort (cli/exit.ts) describes any other system error with these same words, without
 * a stack trace, because such an error is about the user's machine, not a bug in pushsim.
 */
import { InvalidArgumentError } from './errors.js';

export type SystemError = NodeJS.ErrnoException & { readonly code: string; readonly syscall: string; readonly address?: string; readonly port?: number; readonly hostname?: string; readonly dest?: string };

export function isSystemError(value: unknown): value is SystemError {
  return value instanceof Error && typeof (value as NodeJS.ErrnoException).code === 'string' && typeof (value as NodeJS.ErrnoException).syscall === 'string';
}

/** What an errno means for a path, and what usually fixes it. */
const pathProblems: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist (check the path, or create its directory first)',
  ENOTDIR: 'goes through a file where a directory belongs',
  EISDIR: 'is a directory; give a file path',
  EEXIST: 'already exists and is not a directory',
  EACCES: 'is not accessible: permission denied (check its permissions and those of its directories)',
  EPERM: 'is not permitted here (check its permissions)',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'cannot be written: no space left on the device',
  EDQUOT: 'cannot be written: disk quota exceeded',
  EFBIG: 'cannot be written: file too large',
  ENAMETOOLONG: 'has a name that is too long',
  ELOOP: 'has a loop of symbolic links',
  EMFILE: 'cannot be opened: too many open files',
  ENFILE: 'cannot be opened: too many open files on this machine',
  EBUSY: 'is busy',
  ETXTBSY: 'is busy',
  EIO: 'cannot be read or written: I/O error',
  EINVAL: 'is not a valid path here',
};

/** What is wrong with a path, to follow its name: "is a directory; give a file path (EISDIR)". */
export function pathProblem(error: SystemError): string {
  return `${pathProblems[error.code] ?? `cannot be used (${error.syscall} failed)`} (${error.code})`;
}

/** `<path> <problem>`, e.g. "/tmp/x/y does not exist (check the path, or create its directory first) (ENOENT)". */
export function describePathError(error: SystemError, path = error.path ?? error.dest ?? '(path)'): string {
  return `${path} ${pathProblem(error)}`;
}

/** Which flags (or option names) set the address a server binds, to name them in the message. */
export interface ListenFlags {
  readonly host: string;
  readonly port: number;
  /** @default '--host' */
  readonly hostFlag?: string;
  /** @default '--port' */
  readonly portFlag?: string;
}

/**
 * A failed `listen` (or the host-name lookup before it) as a usage error naming the address, the
 * flag and a fix: "port 8443 on 127.0.0.1 is in use; choose another with --port (0 picks a free one)".
 */
export function describeListenError(error: SystemError, flags: ListenFlags): string | undefined {
  const { host, port } = flags;
  const hostFlag = flags.hostFlag ?? '--host';
  const portFlag = flags.portFlag ?? '--port';
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is in use; choose another with ${portFlag} (0 picks a free one), or stop what listens there`;
    case 'EACCES':
    case 'EPERM':
      return port > 0 && port < 1024
        ? `port ${port} on ${host} needs privileges (ports below 1024 do); choose a port ≥ 1024 with ${portFlag}`
        : `not allowed to listen on ${host} port ${port} (${error.code}); choose another address with ${hostFlag} or port with ${portFlag}`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine (${hostFlag}); use 127.0.0.1, ::1, 0.0.0.0 or one of this machine's addresses`;
    case 'EAFNOSUPPORT':
      return `${host} (${hostFlag}) is an address family this machine does not support; use 127.0.0.1`;
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `${host} (${hostFlag}) is not a host name this machine can resolve; give an IP address such as 127.0.0.1`;
    case 'EINVAL':
      return `cannot listen on ${host} port ${port} (${hostFlag}, ${portFlag}): invalid address`;
    default:
      return undefined;
  }
}

const listenSyscalls = new Set(['listen', 'bind', 'getaddrinfo']);

/** A listen failure as InvalidArgumentError (exit 2) naming the flags; other errors come back unchanged. */
export function listenFailure(error: unknown, candidates: readonly ListenFlags[]): unknown {
  if (!isSystemError(error) || !listenSyscalls.has(error.syscall)) return error;
  // The error names the address and port it failed on; that tells which of the command's servers it was.
  const flags =
    candidates.find((c) => error.port !== undefined && error.port !== 0 && c.port === error.port && (error.address === undefined || error.address === c.host)) ??
    candidates.find((c) => error.address === c.host || error.hostname === c.host) ??
    candidates[0];
  const message = flags === undefined ? undefined : describeListenError(error, flags);
  return message === undefined ? error : new InvalidArgumentError(message, { cause: error });
}

/**
 * A failed file-system call on a path the user gave as `flag` (e.g. `--out`), as InvalidArgumentError
 * (exit 2); anything else comes back unchanged.
 */
export function pathFailure(error: unknown, flag: string, path?: string): unknown {
  if (!isSystemError(error)) return error;
  return new InvalidArgumentError(`${flag} ${describePathError(error, path)}`, { cause: error });
}

/** Any system error in words (the CLI's last resort when no caller named the flag). */
export function describeSystemError(error: SystemError): string {
  if (listenSyscalls.has(error.syscall) && (error.address !== undefined || error.hostname !== undefined)) {
    const described = describeListenError(error, { host: error.address ?? error.hostname ?? '?', port: error.port ?? 0 });
    if (described !== undefined) return described;
  }
  if (error.path !== undefined) return describePathError(error);
  return `${error.syscall} failed: ${error.code}`;
}
