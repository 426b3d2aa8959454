/**
 * Runs the mock APNs server in a worker thread, so that on a small (2-core) machine the load
 * generator in the main thread and the mock each get an event loop (style-models.md lesson 9).
 *
 * The worker script is the compiled `worker.js` next to this file. Under vitest the sources are
 * `.ts` and there is no such file: check `canStartMockApnsInWorker()` and fall back to the
 * in-process `startMockApns`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError, PushSimError, type ErrorCode } from '../../core/errors.js';
import type { ApnsSigningKey } from './credentials.js';
import type { ApnsClientCertificate } from './tls-material.js';
import type { MockApnsOptions } from './options.js';
import type { MockApnsStats } from './stats.js';
import type { FromWorker, MockApnsWorkerOptions, SerializedError, ToWorker, WorkerData } from './worker-protocol.js';

export type { MockApnsWorkerOptions } from './worker-protocol.js';

export interface MockApnsInWorker {
  readonly url: string;
  readonly ca: string | undefined;
  readonly credentials: ApnsSigningKey;
  /** With `mtls`: a client certificate the mock trusts (see MockApns.clientCertificate). */
  readonly clientCertificate: ApnsClientCertificate | undefined;
  readonly environment: 'sandbox' | 'production';
  readonly seed: number;
  stats(): Promise<MockApnsStats>;
  /** Closes the server gracefully, then ends the worker. */
  close(): Promise<void>;
}

export interface WorkerRuntimeOptions {
  /** Worker script; default the compiled `worker.js` beside this module. Tests point it at a TS-loading shim. */
  readonly workerUrl?: URL;
}

const defaultWorkerUrl = new URL('./worker.js', import.meta.url);
// The server's own close grace is 5 s; past this the worker is terminated.
const closeTimeoutMs = 10_000;

/** True when the compiled worker script exists (false when running from .ts sources). */
export function canStartMockApnsInWorker(workerUrl: URL = defaultWorkerUrl): boolean {
  return workerUrl.protocol === 'file:' && existsSync(fileURLToPath(workerUrl));
}

export async function startMockApnsInWorker(
  options: MockApnsWorkerOptions = {},
  runtime: WorkerRuntimeOptions = {},
): Promise<MockApnsInWorker> {
  const workerUrl = runtime.workerUrl ?? defaultWorkerUrl;
  if (!canStartMockApnsInWorker(workerUrl)) {
    throw new InvalidArgumentError(
      `worker script ${workerUrl.href} does not exist (running from .ts sources?); build with \`npm run build\`, or use startMockApns in-process`,
    );
  }
  // The types already forbid these; plain-JS callers get a clear message instead of a DataCloneError.
  const { clock, latency, onPush } = options as MockApnsOptions;
  if (clock !== undefined || typeof latency === 'function' || onPush !== undefined) {
    throw new InvalidArgumentError(
      'clock, onPush and a latency function cannot cross into a worker (functions do not serialise); use a LatencySpec and config.script, or startMockApns in-process',
    );
  }

  const workerData: WorkerData = { options };
  const worker = new Worker(workerUrl, { workerData });
  const pendingStats = new Map<number, { resolve: (stats: MockApnsStats) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let exited: Error | undefined;

  const ready = new Promise<Extract<FromWorker, { type: 'ready' }>>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') resolve(message);
      else if (message.type === 'failed') reject(deserializeError(message.error));
      else if (message.type === 'stats') {
        pendingStats.get(message.id)?.resolve(message.stats);
        pendingStats.delete(message.id);
      }
    });
    worker.on('error', reject);
    worker.once('exit', (code) => {
      exited = new PushSimError('PUSHSIM_ERR_CLOSED', `mock APNs worker exited (code ${code})`);
      reject(exited);
      for (const pending of pendingStats.values()) pending.reject(exited);
      pendingStats.clear();
    });
  });

  let started: Extract<FromWorker, { type: 'ready' }>;
  try {
    started = await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }

  let closing: Promise<void> | undefined;
  const send = (message: ToWorker): void => worker.postMessage(message);
  return {
    url: started.url,
    ca: started.ca,
    credentials: started.credentials,
    clientCertificate: started.clientCertificate,
    environment: started.environment,
    seed: started.seed,
    stats() {
      if (exited !== undefined) return Promise.reject(exited);
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pendingStats.set(id, { resolve, reject });
        send({ type: 'stats', id });
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (exited !== undefined) {
          resolve();
          return;
        }
        const timer = setTimeout(() => void worker.terminate(), closeTimeoutMs);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        send({ type: 'close' });
      });
      return closing;
    },
  };
}

function deserializeError(error: SerializedError): Error {
  if (error.code === 'PUSHSIM_ERR_INVALID_ARGUMENT') return new InvalidArgumentError(error.message);
  if (error.code?.startsWith('PUSHSIM_ERR_')) return new PushSimError(error.code as ErrorCode, error.message);
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}
