/**
 * `pushsim mock apns --workers N` (and `mock fcm`, `mock webpush` when listed) under h2load beside
 * its yardstick, the bare node:http2 server run as N node:cluster workers the same way
 * (lib/mock-workers.ts), in interleaved rounds (lib/h2load.ts). Prints the medians and each
 * target's per-round ratio to the yardstick, with their spread.
 *
 *   node dist/bench/mock-workers.js [requests=100000] [rounds=5] [workers=2] [providers=apns]
 *   node dist/bench/mock-workers.js 100000 5 2 apns,fcm,webpush
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchPayload, interleave } from './lib/h2load.js';
import { mockWorkersProviders, mockWorkersSection, mockWorkersTargets, type MockWorkersProvider } from './lib/mock-workers.js';

const requests = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 5);
const workers = Number(process.argv[4] ?? 2);
const providers = (process.argv[5] ?? 'apns').split(',') as MockWorkersProvider[];
const unknown = providers.filter((p) => !mockWorkersProviders.includes(p));
if (unknown.length > 0) throw new Error(`providers must be a comma-separated list of ${mockWorkersProviders.join(', ')}; got ${unknown.join(', ')}`);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-mock-workers-'));
  try {
    const payloadFile = join(dir, 'payload.json');
    await writeFile(payloadFile, benchPayload);
    const targets = mockWorkersTargets(workers, providers);
    await interleave(targets, { rounds, requests, payloadFile });
    console.log(mockWorkersSection(targets, workers, requests, rounds).join('\n'));
    for (const target of targets) console.log(`${target.name}: rounds ${target.results.map((r) => r.perSecond.toFixed(0)).join(', ')} req/s`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
