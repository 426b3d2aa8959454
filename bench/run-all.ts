/**
 * `npm run bench`: every benchmark, one after another, each in its own process so they do not
 * share a JIT or heap. Benchmarks print what they measured; nothing here asserts a speed.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = [
  // First: it writes docs/benchmarks.md (pushsim beside @parse/node-apn and a raw node:http2 loop).
  // 11 rounds: on these shared machines one round's ratio lands anywhere in 0.6–1.5, and 5 rounds left
  // the median several percent from where more rounds put it.
  ['peers.js', '30000', '11', '100', '100000'],
  // The same APNs clients warm, in one process: its section sits inside the page peers.js wrote.
  ['peers-warm.js', '4000', '30', '100', '5000'],
  ['sender-apns.js', '100000', '100'],
  ['mock-apns-h2load.js', '100000', '5'],
  ['mock-workers.js', '100000', '5', '2'],
  ['faults-overhead.js', '60000', '3'],
  ['mock-faults-overhead.js', '100000', '9'],
  ['sender-fcm-webpush.js', '50000', '100'],
  // After peers.js, which rewrites docs/benchmarks.md: this puts its own section back in.
  ['workers.js', '200000', '5', '200'],
  ['run-metrics.js', '60000', '5', '200'],
  ['virtual-transport.js', '50000', '5'],
  // Issue 17's acceptance; each writes its section into docs/benchmarks.md: a virtual hour at
  // 1,000/s with its memory verdicts, and a 64-variant tune --virtual at 1,000/s on every core.
  ['simulate.js', 'hour', '60', '1000'],
  ['simulate.js', 'tune', '10', '1000'],
];

let failed = 0;
for (const [script, ...args] of benches) {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  console.log(`\n### ${script} ${args.join(' ')}`);
  const { status } = spawnSync(process.execPath, [path, ...args], { stdio: 'inherit' });
  if (status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
