/**
 * Messages between the primary of a multi-process mock (primary.ts) and its workers (worker.ts),
 * over node:cluster's IPC channel with 'advanced' (structured-clone) serialization. Only plain data
 * crosses: no clock, no functions, no FaultEngine.
 */
import type { FaultView } from '../faults/engine.js';
import type { FaultMetricsSnapshot } from '../faults/metrics.js';
import type { FaultSpec, FaultsDocument } from '../faults/spec.js';
import type { MockApnsWorkerInfo, MockApnsWorkerOptions, SerializedError } from '../apns/worker-protocol.js';
import type { MockFcmOptions } from '../fcm/options.js';
import type { MockFcm } from '../fcm/server.js';
import type { MockWebPushOptions } from '../webpush/options.js';
import type { MockWebPush } from '../webpush/server.js';
import type { PushSubscriptionJson } from '../webpush/subscriptions.js';

/** A mock's options as they cross into a worker: no clock, no ledger, faults as a spec or a spec file. */
type Crossing<T> = Omit<T, 'clock' | 'faults' | 'ledger'> & { readonly faults?: FaultsDocument | string };
export type MockFcmWorkerOptions = Crossing<MockFcmOptions>;
export type MockWebPushWorkerOptions = Crossing<MockWebPushOptions>;

/** Each provider's options as they cross into a worker. */
export interface ClusterOptions {
  readonly apns: MockApnsWorkerOptions;
  readonly fcm: MockFcmWorkerOptions;
  readonly webpush: MockWebPushWorkerOptions;
}

/** What a started worker tells the primary about its mock: the plain-data fields (the same on every worker). */
export interface ClusterInfo {
  readonly apns: MockApnsWorkerInfo & { readonly impersonated: readonly string[] };
  readonly fcm: Pick<MockFcm, 'url' | 'ca' | 'impersonated' | 'projectId' | 'serviceAccount'>;
  readonly webpush: Pick<MockWebPush, 'url' | 'ca' | 'impersonated' | 'endpointOrigin' | 'vapid'> & { readonly subscriptions: readonly PushSubscriptionJson[] };
}

/** The providers whose mock runs on several workers. */
export type ClusterProvider = keyof ClusterOptions;

/** The fault engine every worker builds, on the timeline the primary chose. */
export interface WorkerEngineSpec {
  readonly spec: FaultsDocument | undefined;
  readonly seed: number | undefined;
  readonly paused: boolean;
  /** Epoch ms of the shared timeline's start. */
  readonly startedAt: number;
}

export type ToClusterWorker =
  | {
      readonly type: 'start';
      readonly provider: ClusterProvider;
      readonly options: ClusterOptions[ClusterProvider];
      /** This worker's place among `count`: its share of count-based faults (shares.ts). */
      readonly index: number;
      readonly count: number;
      readonly engine: WorkerEngineSpec | undefined;
    }
  /** Flush the ledger batch, then answer with stats, fault metrics and injection counts. */
  | { readonly type: 'gather'; readonly id: number }
  | { readonly type: 'fault'; readonly id: number; readonly change: FaultChange }
  | { readonly type: 'count-streams' }
  /** Change the mock's own live state (tokens, subscriptions) the same way on every worker; answered with 'state-done'. */
  | { readonly type: 'state'; readonly id: number; readonly change: StateChange }
  /** Close gracefully (GOAWAY to every connection), flush, answer 'closed', exit. */
  | { readonly type: 'close' };

/** A change the control API made on the primary's engine, repeated on every worker's. */
export type FaultChange =
  | { readonly op: 'add'; readonly spec: FaultSpec }
  | { readonly op: 'replace'; readonly faultId: string; readonly spec: FaultSpec }
  | { readonly op: 'remove'; readonly faultId: string }
  /** Timeline restarts at `startedAt`; ledger batches of earlier generations are dropped. */
  | { readonly op: 'reset'; readonly startedAt: number; readonly generation: number };

/**
 * A change of a mock's live state made on every worker in turn, so that every worker answers alike:
 * FCM's token registry, Web Push's subscriptions (each worker derives the next one from the shared
 * secret, so all create the same).
 */
export type StateChange =
  | { readonly op: 'fcm-unregister' | 'fcm-reregister'; readonly token: string }
  | { readonly op: 'fcm-assign'; readonly token: string; readonly projectId: string }
  | { readonly op: 'webpush-create'; readonly applicationServerKey?: string | null }
  | { readonly op: 'webpush-expire'; readonly endpoint: string };

/**
 * Accepted notifications since the last batch, one entry per delivery in each list: provider, token,
 * identity ('' for none: counted, never a duplicate), epoch ms.
 */
export interface LedgerBatch {
  readonly type: 'ledger';
  readonly generation: number;
  readonly providers: string[];
  readonly tokens: string[];
  readonly ids: string[];
  readonly at: number[];
  /** Deliveries without an identity, as runs: provider, epoch ms, how many. */
  readonly plain: { readonly providers: string[]; readonly at: number[]; readonly counts: number[] };
}

/** What a worker reports when asked (and once more when it closes). */
export interface WorkerSnapshot {
  readonly stats: Record<string, unknown>;
  readonly metrics: FaultMetricsSnapshot | undefined;
  readonly faults: readonly Pick<FaultView, 'id' | 'injected'>[];
}

export type FromClusterWorker =
  /** The worker's module has loaded and listens for 'start' (a message sent earlier would be lost). */
  | { readonly type: 'hello' }
  | { readonly type: 'ready'; readonly info: ClusterInfo[ClusterProvider] }
  | { readonly type: 'failed'; readonly error: ClusterError }
  | LedgerBatch
  | ({ readonly type: 'gathered'; readonly id: number } & WorkerSnapshot)
  | { readonly type: 'fault-done'; readonly id: number; readonly error?: ClusterError }
  /** `result`: what the change gave (the new subscription of 'webpush-create'). */
  | { readonly type: 'state-done'; readonly id: number; readonly result?: unknown; readonly error?: ClusterError }
  | ({ readonly type: 'closed' } & WorkerSnapshot);

/** An error as it crosses: a system error keeps what names the address it failed on (listen → EADDRINUSE, exit 2). */
export interface ClusterError extends SerializedError {
  readonly syscall?: string;
  readonly address?: string;
  readonly port?: number;
}

export function serializeError(error: unknown): ClusterError {
  const { name, message, code, syscall, address, port } = (error instanceof Error ? error : new Error(String(error))) as Error & { code?: unknown; syscall?: unknown; address?: unknown; port?: unknown };
  return {
    name,
    message,
    ...(typeof code === 'string' && { code }),
    ...(typeof syscall === 'string' && { syscall }),
    ...(typeof address === 'string' && { address }),
    ...(typeof port === 'number' && { port }),
  };
}
