/**
 * A worker thread of `tune --virtual` (scenarios/tune-threads.ts): simulates one variant per
 * message and posts its result back. A simulation touches no socket and no shared state, and every
 * random choice comes from the variant's seed, so the result is the one the main thread would have
 * computed itself.
 */
import { parentPort } from 'node:worker_threads';
import { simulateScenario } from './simulate.js';
import type { ToTuneThread, FromTuneThread } from './tune-threads.js';
import { serializeError } from './workers.js';

const port = parentPort;
if (port === null) throw new Error('scenarios/tune-thread.js is a worker thread entry, not a script to run');
port.on('message', (job: ToTuneThread) => {
  // Async, so a scenario the simulation refuses at once (it throws) comes back as this variant's error too.
  (async () => simulateScenario(job.config, job.seed === undefined ? {} : { seed: job.seed }))().then(
    (result) => port.postMessage({ index: job.index, result } satisfies FromTuneThread),
    (error: unknown) => port.postMessage({ index: job.index, error: serializeError(error) } satisfies FromTuneThread),
  );
});
