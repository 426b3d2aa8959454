/**
 * What every long-running command (`pushsim mock …`, `pushsim proxy`) does around its server: a
 * listen failure becomes a message naming the flags (port in use, address not on this machine, exit
 * 2); anything that fails after the server started (writing credentials, say) closes it, so the
 * command exits instead of listening on; then it runs until Ctrl-C / SIGTERM and closes.
 */
import { listenFailure } from '../core/system-errors.js';
import type { ListenFlags } from '../core/system-errors.js';

export interface Closable {
  close(): Promise<void>;
  /** Rejects when the server fails on its own while serving (a mock's worker process crashed): the command ends with that error. */
  readonly crashed?: Promise<never>;
}

/** Starts the server, announces it, waits for SIGINT / SIGTERM, closes it, and returns it for a last report. */
export async function serveUntilSignal<T extends Closable>(start: () => Promise<T>, announce: (server: T) => Promise<void>, listen: readonly ListenFlags[]): Promise<T> {
  let server: T;
  try {
    server = await start();
  } catch (error) {
    throw listenFailure(error, listen);
  }
  // Listening for the signal before announcing: whoever reads the banner may stop us at once.
  const signal = untilSignal();
  try {
    await announce(server);
  } catch (error) {
    signal.cancel();
    await server.close();
    throw error;
  }
  try {
    await (server.crashed === undefined ? signal.received : Promise.race([signal.received, server.crashed]));
  } finally {
    signal.cancel();
    await server.close();
  }
  return server;
}

/** Resolves `received` on the first SIGINT or SIGTERM; leaves no listener behind either way. */
export function untilSignal(): { readonly received: Promise<void>; cancel(): void } {
  let cancel = (): void => {};
  const received = new Promise<void>((resolve) => {
    const done = (): void => {
      cancel();
      resolve();
    };
    cancel = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  return { received, cancel };
}
