/**
 * Memory under a long run: the resilient ApnsSender sends N notifications (default 1,000,000,
 * closed loop, 200 in flight) to the mock APNs answering 5 % of requests 503 ServiceUnavailable
 * (retryable), and samples RSS and heap as it goes. Flat numbers mean no per-notification state
 * outlives its outcome. The mock runs in a child process, so only the sender's memory is sampled.
 *
 *   node --expose-gc dist/bench/memory-soak.js [notifications=1000000] [inFlight=200]
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApnsSender } from '../sender/apns-sender.js';
import type { OutcomeStatus } from '../sender/outcome.js';
import { startChild } from './lib/children.js';

const total = Number(process.argv[2] ?? 1_000_000);
const inFlight = Number(process.argv[3] ?? 200);
const samples = 10;

const faults = { seed: 1, faults: [{ kind: 'outage', mode: 'unavailable', probability: 0.05 }] };
const credentialsFile = join(await mkdtemp(join(tmpdir(), 'pushsim-soak-')), 'credentials.json');
const mock = await startChild('bench/servers/mock-apns-faults.js', [JSON.stringify(faults), credentialsFile]);
const credentials = JSON.parse(await readFile(credentialsFile, 'utf8')) as { keyId: string; teamId: string; privateKey: string };

let retries = 0;
const sender = await ApnsSender.create({
  url: mock.url,
  credentials,
  maxInFlight: inFlight,
  policies: { retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 20, budget: { ratio: 0.2 } } },
  listener: { onRetry: () => retries++ },
});

const counts: Record<OutcomeStatus, number> = { accepted: 0, rejected: 0, failed: 0, expired: 0, dropped: 0 };
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1).padStart(7);
console.log(`resilient ApnsSender → mock APNs with 5 % 503s: ${total} notifications, ${inFlight} in flight${gc ? '' : ' (run with --expose-gc for steadier numbers)'}`);
console.log('     sent     rss MB    heap MB   retries');
let started = 0;
let done = 0;
let nextSample = total / samples;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (started < total) {
      started++;
      const outcome = await sender.send({ token: (started % 10_000).toString(16).padStart(64, '0'), topic: 'com.example', payload: '{"aps":{"alert":"soak"}}' });
      counts[outcome.status]++;
      done++;
      if (done >= nextSample) {
        nextSample += total / samples;
        gc?.();
        const m = process.memoryUsage();
        console.log(`${String(done).padStart(9)}  ${mb(m.rss)}    ${mb(m.heapUsed)}   ${retries}`);
      }
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
console.log(`done in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)}/s): ${JSON.stringify(counts)}`);
await sender.close();
await mock.stop();
