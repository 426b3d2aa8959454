/**
 * One base class with a stable `code` for every error pushsim raises.
 *
 * Rule (undici, fastify): bad options throw at construction; runtime outcomes of a notification
 * are never thrown — they travel as values (see sender/outcome.ts).
 * Guards compare `code`/`name`, not `instanceof`, so two copies of pushsim in one process still agree.
 */
export type ErrorCode =
  | 'PUSHSIM_ERR_INVALID_ARGUMENT'
  | 'PUSHSIM_ERR_INVALID_CONFIG'
  | 'PUSHSIM_ERR_CREDENTIAL'
  | 'PUSHSIM_ERR_CONNECT'
  | 'PUSHSIM_ERR_SOCKET'
  | 'PUSHSIM_ERR_STREAM_RESET'
  | 'PUSHSIM_ERR_GOAWAY'
  | 'PUSHSIM_ERR_TIMEOUT'
  | 'PUSHSIM_ERR_CLOSED'
  | 'PUSHSIM_ERR_QUEUE_FULL'
  | 'PUSHSIM_ERR_EXPIRED'
  | 'PUSHSIM_ERR_CIRCUIT_OPEN'
  | 'PUSHSIM_ERR_SHUTDOWN';

export class PushSimError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
  override get name(): string {
    return 'PushSimError';
  }
}

/** Thrown at construction when an option is missing, of the wrong type or out of range. */
export class InvalidArgumentError extends PushSimError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PUSHSIM_ERR_INVALID_ARGUMENT', message, options);
  }
  override get name(): string {
    return 'InvalidArgumentError';
  }
}

/** Problems an InvalidConfigError's message lists; the rest are counted. */
const maxListedProblems = 50;

/** Where in a file a problem is: 1-based line and column (what editors and `file:line:col` links use). */
export interface ProblemLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A configuration document (scenario, fault spec, mock config) with one or more problems, all listed. */
export class InvalidConfigError extends PushSimError {
  readonly problems: readonly string[];
  /** Where each problem is (same index as `problems`), when the document had positions (YAML/JSON text) and the problem a path in it. */
  readonly locations: readonly (ProblemLocation | undefined)[];
  constructor(source: string, problems: readonly string[], locations: readonly (ProblemLocation | undefined)[] = []) {
    // Compiler style (`file:line:col: problem`): terminals and editors open the file at the spot.
    const shown = problems.map((problem, i) => {
      const at = locations[i];
      return at === undefined ? problem : `${at.file}:${at.line}:${at.column}: ${problem}`;
    });
    // A generated file can have thousands of problems; the message lists the first ones, `problems` all.
    const listed = shown.length > maxListedProblems ? [...shown.slice(0, maxListedProblems), `… and ${shown.length - maxListedProblems} more`] : shown;
    super('PUSHSIM_ERR_INVALID_CONFIG', `${source} has ${problems.length} problem(s):\n  - ${listed.join('\n  - ')}`);
    this.problems = problems;
    this.locations = locations;
  }
  override get name(): string {
    return 'InvalidConfigError';
  }
}

/** A key, certificate or service account that cannot be read or used. Never includes the secret itself. */
export class CredentialError extends PushSimError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PUSHSIM_ERR_CREDENTIAL', message, options);
  }
  override get name(): string {
    return 'CredentialError';
  }
}

export function isPushSimError(value: unknown): value is PushSimError {
  return (
    value instanceof Error &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (value as unknown as { code: string }).code.startsWith('PUSHSIM_ERR_')
  );
}

/** Throws InvalidArgumentError unless `value` is an integer in [min, max]. */
export function assertInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Throws InvalidArgumentError unless `value` is a finite number in [min, max]. */
export function assertNumber(name: string, value: unknown, min: number, max = Number.MAX_VALUE): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be a number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
