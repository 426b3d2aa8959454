/**
 * A reader that went away is not the run's failure. `pushsim run 2>&1 | head` closes the pipe after
 * a few lines; Node then reports EPIPE as an 'error' on process.stdout/stderr, which, unhandled,
 * ended the process with exit 1 ("a bug") in the middle of a run whose result.json and exit code a
 * CI step still wants. As `git log | head` does, pushsim drops the output nobody reads and carries
 * on: the run finishes, writes its files and exits with its own code.
 */
import type { Writable } from 'node:stream';

/** Codes of a write to a pipe whose reader closed: EPIPE first, then writes to the destroyed stream. */
const closedReader = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

export function ignoreClosedReader(stream: Writable): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!closedReader.has(error.code ?? '')) throw error;
  });
}
