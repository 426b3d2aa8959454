/**
 * A mock (APNs, FCM or Web Push) on several processes serving one port (node:cluster): the primary
 * accepts every connection and hands it to the workers in turn (round-robin), each worker runs the
 * whole mock on its own event loop, and the primary keeps what must be one for the whole mock
 * (credentials and secrets shared by every worker: shared-options.ts):
 *
 *   primary ── the listening socket, round-robin ──► worker 1 … worker N (startMockApns/Fcm/WebPush each)
 *      │  one timeline (epoch chosen here), fault changes repeated on every worker (control.ts)
 *      │◄── ledger batches (compact identities) ── every worker: one ledger, duplicates across workers
 *      └─ control API, /metrics, stats(): the workers' numbers added (asked for when read)
 *
 * Why node:cluster and not a primary handing accepted sockets to child processes by hand, or
 * reusePort: reusePort needs Node ≥ 22.12 (the machines run 20); cluster's round-robin is that
 * hand-off, already written and kept by Node (one accept() in the primary, the handle passed over
 * IPC), and spreads connections evenly where the kernel's own balancing of a shared socket
 * (SCHED_NONE) leaves one worker with most of them. Connections, not requests, are spread: a client
 * with one connection is served by one worker.
 */
import cluster, { type Worker } from 'node:cluster';
import { assertCompiledScript } from '../../core/compiled-script.js';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, PushSimError, type ErrorCode } from '../../core/errors.js';
import type { MockApnsStats } from '../apns/stats.js';
import type { MockApnsWorkerOptions } from '../apns/worker-protocol.js';
import { startControlServer, type ControlServer } from '../control/server.js';
import { FaultEngine } from '../faults/engine.js';
import type { FaultView } from '../faults/engine.js';
import { resolveFaults } from '../apns/in-worker.js';
import type { MockFcmStats } from '../fcm/stats.js';
import { DeliveryLedger, type LedgerProvider, type LedgerSummary } from '../ledger/ledger.js';
import type { MockWebPushStats } from '../webpush/routes.js';
import { clusterControlEngine, type ClusterControlEngine } from './control.js';
import { mergeFaultMetrics, sumRecords } from './merge.js';
import { liveState, type LiveState } from './live-state.js';
import type { ClusterError, ClusterInfo, ClusterOptions, ClusterProvider, FaultChange, FromClusterWorker, LedgerBatch, MockFcmWorkerOptions, MockWebPushWorkerOptions, StateChange, ToClusterWorker, WorkerSnapshot } from './protocol.js';
import { sharedOptions } from './shared-options.js';

import { maxMockWorkers } from './limits.js';

export { maxMockWorkers } from './limits.js';
/** The workers' own close grace is 5 s; past this a worker is killed. */
const closeTimeoutMs = 10_000;

export interface MockClusterRuntime {
  /** Worker script; default the compiled `worker.js` beside this module. Tests point it at a TS-loading shim. */
  readonly workerUrl?: URL;
}

/**
 * A mock on `workers` processes: `Info`, the single mock's plain data (the same on every worker), and
 * its state by asking every worker.
 */
export type MockCluster<Info, Stats> = Info & MockClusterState<Stats>;

export interface MockClusterState<Stats> {
  readonly workers: number;
  /** Where the control API listens (on the primary), with the `control` option. */
  readonly controlUrl: string | undefined;
  /** The faults and timeline of the whole mock (what the control API drives); undefined without faults or control. */
  readonly faults: ClusterControlEngine | undefined;
  /** The whole mock's ledger, in this process; up to date after stats(), ledgerSummary() or close(). */
  readonly ledger: DeliveryLedger;
  /** Every worker's counters added (connections: open on all workers); after close(), the final ones. */
  stats(): Promise<Stats>;
  /** Each worker's own counters, in worker order (how the connections were spread). */
  workerStats(): Promise<Stats[]>;
  /** The ledger's summary once every worker has sent what it batched. */
  ledgerSummary(): Promise<LedgerSummary>;
  /** The faults with injections counted over every worker ([] without faults). */
  faultList(): Promise<readonly FaultView[]>;
  /** Like the single mock's faults.reset() (or ledger.clear() without faults), on every worker, one new timeline. */
  resetFaults(): Promise<void>;
  /** Rejects when a worker dies on its own (a crash): the mock is then closed and this says which and how. */
  readonly crashed: Promise<never>;
  /** GOAWAY (APNs: {"reason":"Shutdown"}) on every worker's connections, streams finish (at most 5 s), workers exit. */
  close(): Promise<void>;
}

/** The mock APNs on several processes (startMockApns's options that can cross a process). */
export type MockApnsCluster = MockCluster<ClusterInfo['apns'], MockApnsStats>;
/** The mock FCM on several processes: one service account and one access-token key for all; `serviceAccount.token_uri` is the mock's. */
export type MockFcmCluster = MockCluster<ClusterInfo['fcm'] & LiveState['fcm'], MockFcmStats>;
/** The mock Web Push service on several processes: one VAPID key pair, the same subscriptions on every worker. */
export type MockWebPushCluster = MockCluster<Omit<ClusterInfo['webpush'], 'subscriptions'> & LiveState['webpush'], MockWebPushStats>;

export function startMockApnsCluster(options: MockApnsWorkerOptions, workers: number, runtime: MockClusterRuntime = {}): Promise<MockApnsCluster> {
  return startMockCluster('apns', options, workers, runtime) as Promise<MockApnsCluster>;
}

export function startMockFcmCluster(options: MockFcmWorkerOptions, workers: number, runtime: MockClusterRuntime = {}): Promise<MockFcmCluster> {
  return startMockCluster('fcm', options, workers, runtime) as Promise<MockFcmCluster>;
}

export function startMockWebPushCluster(options: MockWebPushWorkerOptions, workers: number, runtime: MockClusterRuntime = {}): Promise<MockWebPushCluster> {
  return startMockCluster('webpush', options, workers, runtime) as Promise<MockWebPushCluster>;
}

/** Checks the number of workers a caller asked for (InvalidArgumentError naming the limits). */
export function checkMockWorkers(workers: unknown): number {
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1 || workers > maxMockWorkers) {
    throw new InvalidArgumentError(`workers must be a whole number from 1 to ${maxMockWorkers}, got ${String(workers)}`);
  }
  return workers;
}

interface Channel {
  readonly worker: Worker;
  readonly index: number;
  last: WorkerSnapshot | undefined;
}

/** The mock of `provider` on `workers` processes; the typed entries above are what callers use. */
export async function startMockCluster<P extends ClusterProvider>(provider: P, options: ClusterOptions[P], workers: number, runtime: MockClusterRuntime = {}): Promise<MockCluster<ClusterInfo[P] & LiveState[P], unknown>> {
  checkMockWorkers(workers);
  const workerUrl = runtime.workerUrl ?? new URL('./worker.js', import.meta.url);
  assertCompiledScript(workerUrl, 'worker script');
  const shared = await sharedOptions(provider, options);
  // What the primary keeps for the whole mock: the fault spec and seed, the ledger (its size), the control API.
  const { faults: faultsOption, faultSeed, ledgerRecords, ledgerExpected, control, faultsPaused, ...mockOptions } = shared as ClusterOptions[ClusterProvider];
  const spec = await resolveFaults(faultsOption);
  const hasEngine = spec !== undefined || control !== undefined;
  const startedAt = Date.now();
  const primaryEngine = hasEngine
    ? new FaultEngine({
        startedAt,
        ledgerRecords: ledgerRecords ?? 0,
        ...(ledgerExpected !== undefined && { ledgerExpected }),
        ...(spec !== undefined && { spec }),
        ...(faultSeed !== undefined && { seed: faultSeed }),
        ...(typeof faultsOption === 'string' && { source: faultsOption }),
        ...(faultsPaused === true && { paused: true }),
      })
    : undefined;
  const ledger = primaryEngine?.ledger ?? new DeliveryLedger({ maxRecords: ledgerRecords ?? 0, ...(ledgerExpected !== undefined && { expected: ledgerExpected }) });
  let generation = 0;

  cluster.setupPrimary({ exec: fileURLToPath(workerUrl), serialization: 'advanced' });
  const channels: Channel[] = [];
  const pending = new Map<number, { resolve: (message: FromClusterWorker) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let closing: Promise<void> | undefined;
  let failure: Error | undefined;
  let startFailed = false;
  let rejectCrashed: (error: Error) => void = () => {};
  const crashed = new Promise<never>((_resolve, reject) => (rejectCrashed = reject));
  crashed.catch(() => {}); // read by whoever serves; never an unhandled rejection

  const record = (batch: LedgerBatch): void => {
    if (batch.generation !== generation) return;
    for (let i = 0; i < batch.at.length; i++) {
      const id = batch.ids[i];
      ledger.record({ provider: batch.providers[i] as LedgerProvider, token: batch.tokens[i] as string, notificationId: id, at: batch.at[i] as number });
    }
    const { plain } = batch;
    for (let i = 0; i < plain.at.length; i++) ledger.recordUnidentified(plain.providers[i] as LedgerProvider, plain.at[i] as number, plain.counts[i] as number);
  };

  const ready: Promise<FromClusterWorker & { type: 'ready' }>[] = [];
  for (let index = 0; index < workers; index++) {
    const worker = cluster.fork({ PUSHSIM_MOCK_WORKER: String(index + 1) });
    const channel: Channel = { worker, index, last: undefined };
    const start: ToClusterWorker = { type: 'start', provider, options: mockOptions, index, count: workers, engine: hasEngine ? { spec, seed: faultSeed, paused: faultsPaused === true, startedAt } : undefined };
    channels.push(channel);
    ready.push(
      new Promise((resolve, reject) => {
        worker.on('message', (message: FromClusterWorker) => {
          if (message.type === 'ledger') record(message);
          else if (message.type === 'hello') worker.send(start);
          else if (message.type === 'ready') resolve(message);
          else if (message.type === 'failed') {
            // The worker exits after saying why: the start fails with its reason, not as a crash.
            startFailed = true;
            reject(revive(message.error));
          }
          else if (message.type === 'closed') channel.last = message;
          else {
            const waiting = pending.get(message.id);
            pending.delete(message.id);
            waiting?.resolve(message);
          }
        });
        worker.once('exit', (code, signal) => {
          const error = new PushSimError('PUSHSIM_ERR_CLOSED', `mock worker ${index + 1} of ${workers} (pid ${worker.process.pid}) exited ${signal === null ? `with code ${code}` : `on ${signal}`}${closing === undefined ? ' unexpectedly; the mock was closed' : ''}`);
          reject(error);
          if (closing !== undefined || failure !== undefined || startFailed) return;
          failure = error;
          for (const waiting of pending.values()) waiting.reject(error);
          pending.clear();
          rejectCrashed(error);
          void close();
        });
      }),
    );
  }

  const live = (): Channel[] => channels.filter((c) => !c.worker.isDead());
  const ask = (channel: Channel, message: ToClusterWorker & { id: number }): Promise<FromClusterWorker> =>
    new Promise((resolve, reject) => {
      if (failure !== undefined) return reject(failure);
      pending.set(message.id, { resolve, reject });
      channel.worker.send(message);
    });
  const gather = async (): Promise<void> => {
    if (closing !== undefined) return;
    await Promise.all(
      live().map(async (channel) => {
        const answer = await ask(channel, { type: 'gather', id: nextId++ });
        if (answer.type === 'gathered') channel.last = answer;
      }),
    );
  };
  const change = async (what: FaultChange): Promise<void> => {
    if (what.op === 'reset') generation = what.generation;
    const answers = await Promise.all(live().map((channel) => ask(channel, { type: 'fault', id: nextId++, change: what })));
    const failed = answers.find((answer) => answer.type === 'fault-done' && answer.error !== undefined);
    if (failed?.type === 'fault-done' && failed.error !== undefined) throw revive(failed.error);
  };
  const changeState = async (what: StateChange): Promise<unknown> => {
    const answers = await Promise.all(live().map((channel) => ask(channel, { type: 'state', id: nextId++, change: what })));
    const failed = answers.find((answer) => answer.type === 'state-done' && answer.error !== undefined);
    if (failed?.type === 'state-done' && failed.error !== undefined) throw revive(failed.error);
    const [first] = answers;
    return first?.type === 'state-done' ? first.result : undefined;
  };
  const snapshots = (): WorkerSnapshot[] => channels.flatMap((c) => (c.last === undefined ? [] : [c.last]));
  const engine = primaryEngine === undefined
    ? undefined
    : clusterControlEngine(primaryEngine, {
        refresh: gather,
        change,
        nextGeneration: () => generation + 1,
        countStreams: () => {
          for (const channel of live()) channel.worker.send({ type: 'count-streams' } satisfies ToClusterWorker);
        },
        metrics: () => mergeFaultMetrics(snapshots().flatMap((s) => (s.metrics === undefined ? [] : [s.metrics]))),
        injected: (id) => snapshots().reduce((sum, s) => sum + (s.faults.find((f) => f.id === id)?.injected ?? 0), 0),
      });
  let controlServer: ControlServer | undefined;

  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await Promise.all(channels.map((channel) => closeWorker(channel.worker)));
      await controlServer?.close();
      primaryEngine?.close();
    })());

  let started: FromClusterWorker & { type: 'ready' };
  try {
    [started] = (await Promise.all(ready)) as [FromClusterWorker & { type: 'ready' }];
    if (engine !== undefined && control !== undefined) {
      controlServer = await startControlServer({ engine, ...control });
    }
  } catch (error) {
    closing ??= Promise.all(channels.map((channel) => closeWorker(channel.worker))).then(() => primaryEngine?.close());
    await closing;
    // The first problem: a worker's own start error (port in use…) rather than its exit after it.
    throw error;
  }
  const info = started.info as ClusterInfo[P];
  return {
    ...info,
    ...liveState(provider, info, changeState),
    controlUrl: controlServer?.url,
    workers,
    faults: engine,
    ledger,
    crashed,
    async stats() {
      await gather();
      return sumRecords(snapshots().map((s) => s.stats));
    },
    async workerStats() {
      await gather();
      return snapshots().map((s) => s.stats);
    },
    async ledgerSummary() {
      await gather();
      return ledger.summary();
    },
    async faultList() {
      await gather();
      return engine?.list() ?? [];
    },
    async resetFaults() {
      if (engine !== undefined) await engine.reset();
      else {
        const done = change({ op: 'reset', startedAt: Date.now(), generation: generation + 1 });
        ledger.clear();
        await done;
      }
    },
    close,
  };
}

/** Asks a worker to close gracefully; kills it when it has not exited after the grace. */
function closeWorker(worker: Worker): Promise<void> {
  if (worker.isDead()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => worker.process.kill('SIGKILL'), closeTimeoutMs);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      worker.send({ type: 'close' } satisfies ToClusterWorker);
    } catch {
      worker.process.kill('SIGKILL');
    }
  });
}

/** A worker's error as the caller would have seen it in one process: pushsim's codes kept, system errors' code too (EADDRINUSE → exit 2). */
function revive(error: ClusterError): Error {
  if (error.code === 'PUSHSIM_ERR_INVALID_ARGUMENT') return new InvalidArgumentError(error.message);
  if (error.code?.startsWith('PUSHSIM_ERR_')) return new PushSimError(error.code as ErrorCode, error.message);
  const { name, message, ...system } = error;
  return Object.assign(new Error(message), { name }, system);
}
