/**
 * `tune --virtual` on every core: the variants' simulations spread over worker threads
 * (scenarios/tune-thread.ts), each thread taking the next variant as soon as it finished one.
 * A simulation is a pure function of its scenario and seed (virtual time, seeded dice, no
 * sockets), so the results are those of running the variants one after the other, put back in
 * the grid's order; only the wall time differs. (A real-time tune stays sequential: two runs at
 * once would measure each other.)
 */
import { assertCompiledScript } from '../core/compiled-script.js';
import { Worker } from 'node:worker_threads';
import { assertInteger } from '../core/errors.js';
import type { Result } from '../reports/result.js';
import type { ScenarioConfig } from './config.js';
import { deserializeError } from './workers.js';
import type { SerializedError } from './workers.js';

/** Most threads a tune may use: the 64 variants of the largest grid. */
export const maxTuneThreads = 64;

export interface ToTuneThread {
  readonly index: number;
  readonly config: ScenarioConfig;
  readonly seed?: number;
}

export type FromTuneThread = { readonly index: number; readonly result: Result } | { readonly index: number; readonly error: SerializedError };

export interface TuneThreadsOptions {
  readonly threads: number;
  readonly seed?: number;
  /** Stops handing out variants and ends the threads; the variants finished by then are kept. */
  readonly signal?: AbortSignal;
  /** Called as each variant finishes (in the order they finish). */
  readonly onResult?: (index: number, result: Result) => void;
  /** The thread's entry: the compiled tune-thread.js beside this module; tests running from .ts sources give a shim that loads them. */
  readonly script?: URL;
}

const threadScript = new URL('./tune-thread.js', import.meta.url);

/**
 * Simulates every config on `threads` worker threads; resolves with the results in the configs'
 * order (undefined for a variant not finished when `signal` stopped them). A variant that fails
 * rejects with its error, as it would have one after the other.
 */
export function simulateInThreads(configs: readonly ScenarioConfig[], options: TuneThreadsOptions): Promise<(Result | undefined)[]> {
  const { threads, signal, seed } = options;
  const script = options.script ?? threadScript;
  assertInteger('threads', threads, 1, maxTuneThreads);
  assertCompiledScript(script, 'the tune thread script', 'tune with one thread');
  const results: (Result | undefined)[] = configs.map(() => undefined);
  if (configs.length === 0 || signal?.aborted === true) return Promise.resolve(results);
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let busy = 0;
    let ended = false;
    /** Threads ended on purpose (no variant left): their exit is no failure. */
    const retired = new Set<Worker>();
    const end = (error?: unknown): void => {
      if (ended) return;
      ended = true;
      signal?.removeEventListener('abort', onAbort);
      for (const worker of workers) void worker.terminate();
      if (error === undefined) resolve(results);
      else reject(error);
    };
    const onAbort = (): void => end();
    signal?.addEventListener('abort', onAbort, { once: true });
    /** Gives `worker` the next variant, or ends it when none is left. */
    const feed = (worker: Worker): void => {
      if (next >= configs.length) {
        retired.add(worker);
        void worker.terminate();
        if (busy === 0) end();
        return;
      }
      const index = next++;
      busy++;
      worker.postMessage({ index, config: configs[index] as ScenarioConfig, ...(seed !== undefined && { seed }) } satisfies ToTuneThread);
    };
    for (let i = 0; i < Math.min(threads, configs.length); i++) {
      const worker = new Worker(script);
      workers.push(worker);
      worker.on('message', (message: FromTuneThread) => {
        // A variant that finished while the threads were being ended (terminate() is asynchronous):
        // the results were handed back already, and a stopped tune reports nothing more.
        if (ended) return;
        busy--;
        if ('error' in message) {
          end(deserializeError(message.error, `variant ${message.index + 1}`));
          return;
        }
        results[message.index] = message.result;
        options.onResult?.(message.index, message.result);
        if (!ended) feed(worker); // (onResult may have stopped the tune)
      });
      worker.on('error', (error) => end(error));
      worker.on('exit', (code) => {
        if (!ended && !retired.has(worker)) end(new Error(`a tune thread exited (code ${code}) before its variant finished`));
      });
      feed(worker);
    }
  });
}
