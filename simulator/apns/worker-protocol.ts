/**
 * Messages between startMockApnsInWorker (main thread) and worker.ts. Only structured-cloneable
 * data crosses: no functions, so no Clock object and no custom latency sampler.
 */
import type { ThreadPauseReport } from '../../core/pauses.js';
import type { LatencySpec } from '../distributions.js';
import type { FaultView } from '../faults/engine.js';
import type { InjectionCounts } from '../faults/injection-timeline.js';
import type { FaultsDocument } from '../faults/spec.js';
import type { LedgerSummary } from '../ledger/ledger.js';
import type { MockApnsOptions } from './options.js';
import type { MockApns } from './server.js';
import type { MockApnsStats } from './stats.js';

/**
 * Everything but functions: no clock, no latency sampler, no onPush handler, and faults as a spec
 * or a spec file (the engine is built inside the worker).
 */
export type MockApnsWorkerOptions = Omit<MockApnsOptions, 'clock' | 'latency' | 'onPush' | 'faults' | 'ledger'> & {
  readonly latency?: LatencySpec;
  readonly faults?: FaultsDocument | string;
};

export interface WorkerData {
  readonly options: MockApnsWorkerOptions;
}

/** Questions the main thread asks, each answered by a message of the same type and id. */
export type WorkerQuestion = 'stats' | 'ledger' | 'faults' | 'injections' | 'reset-faults' | 'pauses';

export type ToWorker =
  | { readonly type: WorkerQuestion; readonly id: number }
  /** Start measuring the worker's own pauses (core/pauses.ts), second 0 at `originEpochMs`; answered with 'measure-pauses'. */
  | { readonly type: 'measure-pauses'; readonly id: number; readonly originEpochMs: number }
  | { readonly type: 'close' };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

/** What a started mock tells the main thread about itself: MockApns's plain-data fields. */
export type MockApnsWorkerInfo = Pick<MockApns, 'url' | 'ca' | 'credentials' | 'clientCertificate' | 'environment' | 'seed' | 'controlUrl'>;

export type FromWorker =
  | ({ readonly type: 'ready' } & MockApnsWorkerInfo)
  | { readonly type: 'failed'; readonly error: SerializedError }
  | { readonly type: 'stats'; readonly id: number; readonly stats: MockApnsStats }
  | { readonly type: 'ledger'; readonly id: number; readonly summary: LedgerSummary }
  | { readonly type: 'faults'; readonly id: number; readonly faults: readonly FaultView[] }
  /** When the faults fired (FaultEngine.injections); undefined without faults. */
  | { readonly type: 'injections'; readonly id: number; readonly injections: InjectionCounts | undefined }
  | { readonly type: 'reset-faults'; readonly id: number }
  | { readonly type: 'measure-pauses'; readonly id: number }
  /** The worker thread's own event-loop delay and GC pauses since 'measure-pauses'. */
  | { readonly type: 'pauses'; readonly id: number; readonly pauses: ThreadPauseReport }
  | { readonly type: 'closed' };
