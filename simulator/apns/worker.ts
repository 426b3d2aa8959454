/**
 * Worker-thread entry of the mock APNs server (started by in-worker.ts): the same startMockApns,
 * on its own event loop, so a load generator in the main thread does not compete with the mock
 * for one loop (style-models.md lesson 9: measure the sender, not the mock).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PauseMonitor } from '../../core/pauses.js';
import { startMockApns } from './server.js';
import type { FromWorker, ToWorker, WorkerData } from './worker-protocol.js';

if (parentPort === null) throw new Error('simulator/apns/worker.js must be started as a worker thread (see in-worker.ts)');
const port = parentPort;
const post = (message: FromWorker): void => port.postMessage(message);

try {
  const { options } = workerData as WorkerData;
  const mock = await startMockApns(options);
  // The mock's own pauses, measured on its thread: the main thread cannot see them.
  const pauses = new PauseMonitor();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'stats') {
      post({ type: 'stats', id: message.id, stats: mock.stats() });
    } else if (message.type === 'ledger') {
      post({ type: 'ledger', id: message.id, summary: mock.ledger.summary() });
    } else if (message.type === 'faults') {
      post({ type: 'faults', id: message.id, faults: mock.faults?.list() ?? [] });
    } else if (message.type === 'injections') {
      post({ type: 'injections', id: message.id, injections: mock.faults?.injections.snapshot() });
    } else if (message.type === 'reset-faults') {
      if (mock.faults) mock.faults.reset();
      else mock.ledger.clear();
      post({ type: 'reset-faults', id: message.id });
    } else if (message.type === 'measure-pauses') {
      pauses.start(message.originEpochMs);
      post({ type: 'measure-pauses', id: message.id });
    } else if (message.type === 'pauses') {
      post({ type: 'pauses', id: message.id, pauses: pauses.report() });
    } else if (message.type === 'close') {
      pauses.stop();
      void mock.close().finally(() => {
        post({ type: 'closed' });
        port.close();
      });
    }
  });
  post({ type: 'ready', url: mock.url, ca: mock.ca, credentials: mock.credentials, clientCertificate: mock.clientCertificate, environment: mock.environment, seed: mock.seed, controlUrl: mock.controlUrl });
} catch (error) {
  const { name, message, code } = error as Error & { code?: unknown };
  post({ type: 'failed', error: { name, message, ...(typeof code === 'string' && { code }) } });
  port.close();
}
