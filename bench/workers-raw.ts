/**
 * The yardstick of bench/workers.ts: the raw node:http2 APNs loop of peers-client.ts run in
 * `threads` worker threads of one process, `count` and `inFlight` split between them, each thread
 * with its own session. Each thread warms up (`warmup` uncounted notifications: as each of pushsim's
 * workers does, every thread compiling its own code), they wait at a barrier,
 * and send together; prints one JSON line: wall time of the sending phase, CPU of the whole process
 * (every thread) over that phase, and since the process started.
 *
 *   node dist/bench/workers-raw.js <fixtures.json> <count> <inFlight> <threads> [warmup=0] [raw-apns|raw-apns-id]
 *
 * `raw-apns-id` (peers-client.ts) adds a fresh apns-id per notification, as pushsim sends.
 */
import { readFile } from 'node:fs/promises';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { closedLoop } from './lib/closed-loop.js';
import { prepareClient } from './peers-client.js';
import type { PeersClient, PeersFixtures } from './peers-client.js';

export interface RawThreadsReport {
  readonly threads: number;
  readonly count: number;
  readonly ok: number;
  readonly wallMs: number;
  /** CPU of every thread of the process during the sending phase, µs. */
  readonly sendCpuMicros: number;
  /** CPU of the whole process until the end of sending, µs (start-up, imports and warm-up included). */
  readonly processCpuMicros: number;
}

interface ThreadData {
  readonly fixturesFile: string;
  readonly count: number;
  readonly inFlight: number;
  readonly warmup: number;
  readonly client: RawClient;
}

type RawClient = Extract<PeersClient, 'raw-apns' | 'raw-apns-id'>;

/** Part `j` of `total` split between `parts` as evenly as whole numbers allow. */
function share(total: number, parts: number, j: number): number {
  return Math.floor(total / parts) + (j < total % parts ? 1 : 0);
}

async function thread(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('not a worker');
  const data = workerData as ThreadData;
  const fixtures = JSON.parse(await readFile(data.fixturesFile, 'utf8')) as PeersFixtures;
  const { send, close } = await prepareClient(data.client, fixtures);
  if (!(await send(0))) throw new Error(`${data.client}: the first notification was not accepted`);
  await closedLoop(data.warmup, Math.min(data.inFlight, Math.max(1, data.warmup)), send);
  const go = new Promise<void>((resolve) => port.once('message', () => resolve()));
  port.postMessage({ type: 'ready' });
  await go;
  const ok = await closedLoop(data.count, data.inFlight, send);
  port.postMessage({ type: 'done', ok });
  // Closing an idle session can leave nothing holding the event loop (peers-client.ts): hold it for the close.
  const hold = setTimeout(() => {}, 10_000);
  await close();
  clearTimeout(hold);
  port.close();
}

async function main(): Promise<void> {
  const [fixturesFile, countText, inFlightText, threadsText, warmupText, clientText = 'raw-apns'] = process.argv.slice(2);
  if (fixturesFile === undefined || (clientText !== 'raw-apns' && clientText !== 'raw-apns-id')) throw new Error('usage: workers-raw.js <fixtures.json> <count> <inFlight> <threads> [warmup] [raw-apns|raw-apns-id]');
  const client: RawClient = clientText;
  const count = Number(countText ?? 30_000);
  const inFlight = Number(inFlightText ?? 100);
  const threads = Number(threadsText ?? 1);
  const warmup = Number(warmupText ?? 0);
  const workers = Array.from({ length: threads }, (_, j) => {
    const data: ThreadData = { fixturesFile, count: share(count, threads, j), inFlight: share(inFlight, threads, j), warmup, client };
    return new Worker(new URL(import.meta.url), { workerData: data });
  });
  const exits = workers.map((w) => new Promise((resolve) => w.once('exit', resolve)));
  const failed = new Promise<never>((_, reject) => {
    for (const w of workers) {
      w.once('error', reject);
      w.once('exit', (code) => code !== 0 && reject(new Error(`a sending thread exited with ${code}`)));
    }
  });
  const next = (w: Worker): Promise<{ type: string; ok?: number }> => new Promise((resolve) => w.once('message', resolve));
  const ready = workers.map(next);
  await Promise.race([Promise.all(ready), failed]);
  const done = workers.map(next);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const w of workers) w.postMessage('go');
  const answers = await Promise.race([Promise.all(done), failed]);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage();
  const report: RawThreadsReport = {
    threads,
    count,
    ok: answers.reduce((sum, a) => sum + (a.ok ?? 0), 0),
    wallMs,
    sendCpuMicros: cpu.user - cpu0.user + cpu.system - cpu0.system,
    processCpuMicros: cpu.user + cpu.system,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  await Promise.all(exits);
}

if (isMainThread) await main();
else await thread();
