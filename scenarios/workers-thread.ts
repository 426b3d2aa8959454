/**
 * A sender worker of a run split over worker threads (scenarios/workers.ts): runs its shard of the
 * scenario with its own pools and policies against the target the main thread opened, and reports
 * back by message. The target's startMeasuring() is the barrier: it says 'ready' (warmed up) and
 * waits for the common start the main thread sends, so every worker's clock starts at one instant.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLatencyHistogram } from '../reports/histogram.js';
import { MetricsTally } from './metrics.js';
import { ScenarioRun } from './runner.js';
import { waitUntil } from './shard.js';
import type { OpenTarget } from './target.js';
import { serializeError } from './workers.js';
import type { FromSenderWorker, SenderWorkerData, ToSenderWorker } from './workers.js';

const port = parentPort;
if (port === null) throw new Error('scenarios/workers-thread.js runs as a worker thread of `pushsim run --workers`');
const data = workerData as SenderWorkerData;
const post = (message: FromSenderWorker): void => port.postMessage(message);

const stop = new AbortController();
let go: (startAt: number | undefined) => void = () => {};
const started = new Promise<number | undefined>((resolve) => (go = resolve));
stop.signal.addEventListener('abort', () => go(undefined), { once: true });
port.on('message', (message: ToSenderWorker) => {
  if (message.type === 'go') go(message.startAt);
  else stop.abort(message.reason);
});

const target: OpenTarget = {
  ...data.target,
  startMeasuring: async () => {
    post({ type: 'ready' });
    const startAt = await started;
    if (startAt !== undefined) await waitUntil(startAt, stop.signal);
  },
  // The mocks, their pauses and ledgers are the main thread's.
  measurePauses: async () => {},
  mockPauses: async () => undefined,
  delivery: async () => undefined,
  close: async () => {},
};

const run = new ScenarioRun(data.config, { signal: stop.signal, shard: data.shard, ...(data.progressIntervalMs !== undefined && { progressIntervalMs: data.progressIntervalMs }) }, { target });
let tick = 0;
run.on('start', (info) => post({ type: 'start', info }));
run.on('warning', (message) => post({ type: 'warning', message }));
// Metrics go with each tick as one delta (never a message per notification), the last one before the result.
const tally = data.metrics === true ? new MetricsTally() : undefined;
tally?.attach(run);
// The tick's accepted latencies, as one histogram a tick (the live dashboard's percentiles so far).
const latency = data.acceptedLatency === true ? createLatencyHistogram() : undefined;
if (latency !== undefined) {
  run.on('outcome', (outcome, latencyMs) => {
    if (outcome.status === 'accepted') latency.recordMs(latencyMs);
  });
}
const sendLatency = (): void => {
  if (latency === undefined || latency.count === 0) return;
  post({ type: 'acceptedLatency', hdr: latency.encode() });
  latency.reset();
};
run.on('progress', (progress) => {
  if (tally !== undefined) post({ type: 'metrics', delta: tally.take() });
  sendLatency();
  post({ type: 'progress', progress: { ...progress, tick: ++tick } });
});
run.on('warmup', (warmup) => post({ type: 'warmup', warmup }));
try {
  const result = await run.execute();
  if (tally !== undefined) post({ type: 'metrics', delta: tally.take() });
  sendLatency();
  post({ type: 'result', result, acknowledged: run.acknowledged() });
} catch (error) {
  post({ type: 'failed', error: serializeError(error) });
} finally {
  latency?.destroy();
  port.close();
}
