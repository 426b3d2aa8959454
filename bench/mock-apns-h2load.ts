/**
 * Mock APNs throughput under h2load (Debian nghttp2-client), next to the yardstick: a bare
 * node:http2 server that only answers 200 (servers/bare-h2.ts). Three servers, each a child
 * process, driven by the same h2load command in interleaved rounds (lib/h2load.ts):
 *
 *   bare node:http2          the ceiling for a node:http2 server on this machine
 *   mock APNs, validated     the default profile: token auth (the JWT is verified once, then cached),
 *                            every APNs check, APNs framing
 *   mock APNs, accept-all    the benchmark profile: no validation (Pushy's BenchmarkApnsServer)
 *
 * Prints req/s (2xx answers per second) and the server's CPU µs per request, medians over the
 * rounds, and the ratios to bare. These 2-core machines are noisy (lib/h2load.ts): compare ratios from one run.
 * A token-auth connection allows 1 stream until its token is validated (protocols.md §1.9), so
 * h2load's first burst on each validated connection is partly refused (REFUSED_STREAM); those are
 * counted as failed by h2load and left out of req/s.
 *
 *   node dist/bench/mock-apns-h2load.js [requests=200000] [rounds=3]
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bareTarget, benchPayload, describeH2load, describeTarget, interleave, medianPerSecond, mockApnsTarget, type Target } from './lib/h2load.js';

const requests = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 3);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-h2load-'));
  const payloadFile = join(dir, 'payload.json');
  await writeFile(payloadFile, benchPayload);
  const targets: Target[] = [bareTarget(), mockApnsTarget('mock APNs, validated', []), mockApnsTarget('mock APNs, accept-all', ['--accept-all'])];
  await interleave(targets, { rounds, requests, payloadFile });
  console.log(describeH2load(requests));
  console.log(`payload ${benchPayload.length} bytes; ${rounds} interleaved rounds, each on fresh, warmed-up servers; medians:`);
  const bare = medianPerSecond(targets[0] as Target);
  for (const target of targets) console.log(describeTarget(target, bare, 24));
}

await main();
