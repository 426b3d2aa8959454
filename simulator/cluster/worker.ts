/**
 * Entry of one worker process of a multi-process mock (node:cluster, started by primary.ts): the
 * same startMockApns, startMockFcm or startMockWebPush on the shared port (providers.ts), with a fault engine on the primary's timeline and a ledger
 * that forwards every delivery to the primary. Signals are the primary's business: Ctrl-C in a
 * terminal reaches the whole process group, and the primary closes every worker gracefully.
 */
import { FaultEngine } from '../faults/engine.js';
import { ForwardingLedger } from './forwarding-ledger.js';
import { serializeError, type FaultChange, type FromClusterWorker, type ToClusterWorker, type WorkerSnapshot } from './protocol.js';
import { startWorkerMock, type WorkerMock } from './providers.js';
import { shareOfDocument, shareOfFault } from './shares.js';

if (process.send === undefined) throw new Error('simulator/cluster/worker.js must be started by the mock\'s primary (node:cluster), see primary.ts');
const post = (message: FromClusterWorker, then?: () => void): void => {
  if (process.connected) process.send?.(message, undefined, {}, () => then?.());
  else then?.();
};
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});

let mock: WorkerMock | undefined;
let engine: FaultEngine | undefined;
let place = { index: 0, count: 1 };
const ledger = new ForwardingLedger((batch) => post(batch));

function snapshot(): WorkerSnapshot {
  ledger.flush();
  return {
    stats: mock?.stats() ?? {},
    metrics: engine?.metrics.snapshot(),
    faults: (engine?.list() ?? []).map(({ id, injected }) => ({ id, injected })),
  };
}

function apply(change: FaultChange): void {
  if (change.op === 'reset') {
    // What was batched belongs to the timeline that ends here.
    ledger.flush();
    ledger.generation = change.generation;
    engine?.reset(change.startedAt);
    return;
  }
  if (engine === undefined) throw new Error('this mock has no fault engine');
  const share = (spec: Parameters<typeof shareOfFault>[0]) => shareOfFault(spec, place.index, place.count);
  if (change.op === 'add') engine.add(share(change.spec));
  else if (change.op === 'replace') engine.replace(change.faultId, share(change.spec));
  else engine.remove(change.faultId);
}

process.on('message', (message: ToClusterWorker) => {
  if (message.type === 'start') {
    place = { index: message.index, count: message.count };
    void (async () => {
      try {
        const spec = message.engine;
        if (spec !== undefined) {
          engine = new FaultEngine({
            ledger,
            startedAt: spec.startedAt,
            paused: spec.paused,
            ...(spec.spec !== undefined && { spec: shareOfDocument(spec.spec, place.index, place.count) }),
            ...(spec.seed !== undefined && { seed: spec.seed }),
          });
        }
        mock = await startWorkerMock(message.provider, message.options, engine === undefined ? { ledger } : { faults: engine }, place);
        post({ type: 'ready', info: mock.info });
      } catch (error) {
        engine?.close();
        post({ type: 'failed', error: serializeError(error) }, () => process.exit(0));
      }
    })();
  } else if (message.type === 'gather') {
    post({ type: 'gathered', id: message.id, ...snapshot() });
  } else if (message.type === 'fault') {
    try {
      apply(message.change);
      post({ type: 'fault-done', id: message.id });
    } catch (error) {
      post({ type: 'fault-done', id: message.id, error: serializeError(error) });
    }
  } else if (message.type === 'state') {
    try {
      if (mock === undefined) throw new Error('the mock has not started');
      post({ type: 'state-done', id: message.id, result: mock.change(message.change) });
    } catch (error) {
      post({ type: 'state-done', id: message.id, error: serializeError(error) });
    }
  } else if (message.type === 'count-streams') {
    engine?.countStreams();
  } else if (message.type === 'close') {
    void (async () => {
      try {
        await mock?.close();
      } finally {
        engine?.close();
        post({ type: 'closed', ...snapshot() }, () => process.exit(0));
      }
    })();
  }
});
post({ type: 'hello' });
