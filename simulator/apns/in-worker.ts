/**
 * Runs the mock APNs server in a worker thread, so that on a small (2-core) machine the load
 * generator in the main thread and the mock each get an event loop (style-models.md lesson 9).
 *
 * The worker script is the compiled `worker.js` next to this file. Under vitest the sources are
 * `.ts` and there is no such file: check `canStartMockApnsInWorker()` and fall back to the
 * in-process `startMockApns`.
 */
import { assertCompiledScript, compiledScriptExists } from '../../core/compiled-script.js';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError, InvalidConfigError, PushSimError, type ErrorCode } from '../../core/errors.js';
import type { ThreadPauseReport } from '../../core/pauses.js';
import { FaultEngine } from '../faults/engine.js';
import { loadFaultsFile } from '../faults/spec-file.js';
import { validateFaultsDocument } from '../faults/spec.js';
import type { FaultsDocument } from '../faults/spec.js';
import type { FaultView } from '../faults/engine.js';
import type { InjectionCounts } from '../faults/injection-timeline.js';
import type { LedgerSummary } from '../ledger/ledger.js';
import type { MockApnsOptions } from './options.js';
import type { MockApnsStats } from './stats.js';
import type { FromWorker, MockApnsWorkerInfo, MockApnsWorkerOptions, SerializedError, ToWorker, WorkerData, WorkerQuestion } from './worker-protocol.js';

export type { MockApnsWorkerOptions } from './worker-protocol.js';

/** The mock's plain-data fields as MockApns has them (the control API, if any, listens inside the worker), and its state by message. */
export interface MockApnsInWorker extends MockApnsWorkerInfo {
  stats(): Promise<MockApnsStats>;
  /** The mock's delivery ledger (MockApns.ledger) as plain data: deliveries, duplicates, per phase. */
  ledgerSummary(): Promise<LedgerSummary>;
  /** The engine's faults with their injection counts (MockApns.faults.list()); [] without faults. */
  faultList(): Promise<readonly FaultView[]>;
  /** When the faults fired, per 100 ms of their timeline (MockApns.faults.injections); undefined without faults. */
  injections(): Promise<InjectionCounts | undefined>;
  /** MockApns.faults.reset() (starting paused faults, restarting the timeline), or without faults clears the ledger. */
  resetFaults(): Promise<void>;
  /**
   * Starts measuring the worker thread's own event-loop delay and GC pauses (core/pauses.ts), its
   * seconds counted from `originEpochMs` (`performance.timeOrigin + performance.now()` of the caller's
   * clock zero); restarting forgets what was measured.
   */
  measurePauses(originEpochMs: number): Promise<void>;
  /** The worker thread's own pauses since measurePauses(): over the whole time and per second. */
  pauses(): Promise<ThreadPauseReport>;
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
  return compiledScriptExists(workerUrl);
}

export async function startMockApnsInWorker(
  options: MockApnsWorkerOptions = {},
  runtime: WorkerRuntimeOptions = {},
): Promise<MockApnsInWorker> {
  const workerUrl = runtime.workerUrl ?? defaultWorkerUrl;
  assertCompiledScript(workerUrl, 'worker script', 'use startMockApns in-process');
  // The types already forbid these; plain-JS callers get a clear message instead of a DataCloneError.
  const { clock, latency, onPush } = options as MockApnsOptions;
  if (clock !== undefined || typeof latency === 'function' || onPush !== undefined) {
    throw new InvalidArgumentError(
      'clock, onPush and a latency function cannot cross into a worker (functions do not serialise); use a LatencySpec and config.script, or startMockApns in-process',
    );
  }

  if ((options.faults as unknown) instanceof FaultEngine) {
    throw new InvalidArgumentError('a FaultEngine cannot cross into a worker; give faults as a spec (or a spec file path): the worker builds the engine');
  }
  // Read and check the spec here, so its problems come back as an InvalidConfigError listing each one.
  const faults = await resolveFaults(options.faults);
  const workerData: WorkerData = { options: { ...options, ...(faults !== undefined && { faults }) } };
  const worker = new Worker(workerUrl, { workerData });
  const pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let exited: Error | undefined;

  const ready = new Promise<Extract<FromWorker, { type: 'ready' }>>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') resolve(message);
      else if (message.type === 'failed') reject(deserializeError(message.error));
      else if (message.type !== 'closed') {
        pending.get(message.id)?.resolve(answerOf(message) as never);
        pending.delete(message.id);
      }
    });
    worker.on('error', reject);
    worker.once('exit', (code) => {
      exited = new PushSimError('PUSHSIM_ERR_CLOSED', `mock APNs worker exited (code ${code})`);
      reject(exited);
      for (const waiting of pending.values()) waiting.reject(exited);
      pending.clear();
    });
  });

  let started: Extract<FromWorker, { type: 'ready' }>;
  try {
    started = await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }

  const { type: _ready, ...info } = started;
  let closing: Promise<void> | undefined;
  const send = (message: ToWorker): void => worker.postMessage(message);
  const ask = <T>(type: WorkerQuestion | 'measure-pauses', originEpochMs = 0): Promise<T> => {
    if (exited !== undefined) return Promise.reject(exited);
    return new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: never) => void, reject });
      send(type === 'measure-pauses' ? { type, id, originEpochMs } : { type, id });
    });
  };
  return {
    ...info,
    stats: () => ask<MockApnsStats>('stats'),
    ledgerSummary: () => ask<LedgerSummary>('ledger'),
    faultList: () => ask<readonly FaultView[]>('faults'),
    injections: () => ask<InjectionCounts | undefined>('injections'),
    resetFaults: () => ask<undefined>('reset-faults').then(() => undefined),
    measurePauses: (originEpochMs) => ask<undefined>('measure-pauses', originEpochMs).then(() => undefined),
    pauses: () => ask<ThreadPauseReport>('pauses'),
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

/** A spec file read, or a spec checked: an InvalidConfigError lists every problem, before any worker starts. */
export async function resolveFaults(faults: FaultsDocument | string | undefined): Promise<FaultsDocument | undefined> {
  if (typeof faults === 'string') return loadFaultsFile(faults);
  if (faults === undefined) return undefined;
  const problems = validateFaultsDocument(faults);
  if (problems.length > 0) throw new InvalidConfigError('the faults option', problems);
  return faults;
}

function deserializeError(error: SerializedError): Error {
  if (error.code === 'PUSHSIM_ERR_INVALID_ARGUMENT') return new InvalidArgumentError(error.message);
  if (error.code?.startsWith('PUSHSIM_ERR_')) return new PushSimError(error.code as ErrorCode, error.message);
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}

/** What an answer from the worker resolves its question with. */
function answerOf(message: Exclude<FromWorker, { type: 'ready' | 'failed' | 'closed' }>): unknown {
  switch (message.type) {
    case 'stats':
      return message.stats;
    case 'ledger':
      return message.summary;
    case 'faults':
      return message.faults;
    case 'injections':
      return message.injections;
    case 'pauses':
      return message.pauses;
    case 'reset-faults':
    case 'measure-pauses':
      return undefined;
  }
}
