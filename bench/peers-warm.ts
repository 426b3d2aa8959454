/**
 * The APNs clients of the peers benchmark (peers-client.ts) measured warm, all in ONE process, in
 * many short interleaved batches: each client opens its own HTTP/2 connection to one nghttpd, sends
 * `warmup` uncounted notifications (V8 has compiled its path), then the clients take turns sending
 * `batch` notifications each (`inFlight` open), in reversed order every other round, for `rounds`
 * rounds. Each batch is timed with process.cpuUsage(): CPU µs per notification in steady state.
 *
 * Why beside peers.ts (a fresh process per measurement, which is what a user's run pays, warm-up
 * included): on a shared machine a 3-second process lands on whatever load the neighbours make, so
 * its CPU per notification moves ±30 %; batches of a fraction of a second, alternated hundreds of
 * times, see the same load and leave a steadier per-round ratio. It shows what each notification
 * costs once compiled; peers.ts shows what a short run costs.
 *
 *   node dist/bench/peers-warm.js [batch=4000] [rounds=30] [inFlight=100] [warmup=5000] [--only=raw-apns,pushsim-apns] [--no-write]
 *
 * Prints a table and writes it into docs/benchmarks.md (its `peers-warm` section, which peers.js
 * keeps in place) unless `--no-write` or `--only`. Needs /usr/sbin/nghttpd (Debian
 * `nghttp2-server`); with taskset, nghttpd is pinned to one core and this process to the other.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedLoop } from './lib/closed-loop.js';
import { writeSection } from './lib/doc-section.js';
import { median, pinning } from './lib/h2load.js';
import { startNghttpd, writeDocroot } from './lib/nghttpd.js';
import { peersFixtures } from './lib/peers-fixtures.js';
import { peersLabels, peersWarmSection, prepareClient, type PeersClient, type PeersFixtures } from './peers-client.js';

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const batch = Number(positional[0] ?? 4000);
const rounds = Number(positional[1] ?? 30);
const inFlight = Number(positional[2] ?? 100);
const warmup = Number(positional[3] ?? 5000);
const apnsClients: readonly PeersClient[] = ['raw-apns', 'raw-apns-id', 'node-apn', 'pushsim-apns', 'pushsim-apns-bare'];
const only = flags.find((f) => f.startsWith('--only='))?.slice('--only='.length).split(',');
const clients = apnsClients.filter((c) => only === undefined || only.includes(c));
const write = !flags.includes('--no-write') && only === undefined;
/** Bounded: a batch that takes longer than this means something is wrong, not slow. */
const batchTimeoutMs = 120_000;

interface Batch {
  readonly cpuMicrosPerNotification: number;
  readonly perSecond: number;
}

async function timed(send: (i: number) => Promise<boolean>): Promise<Batch> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const ok = await Promise.race([
    closedLoop(batch, inFlight, send),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`a batch of ${batch} took over ${batchTimeoutMs} ms`)), batchTimeoutMs))),
  ]);
  clearTimeout(timer);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (ok !== batch) throw new Error(`only ${ok} of ${batch} notifications succeeded`);
  return { cpuMicrosPerNotification: (cpu.user + cpu.system) / batch, perSecond: (batch / ms) * 1000 };
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);
const spread = (values: readonly number[]): string => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
const quartile = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 4)] as number;

async function main(): Promise<void> {
  if (clients.length === 0) throw new Error(`--only names none of ${apnsClients.join(', ')}`);
  // Off nghttpd's core (startNghttpd pins it to the other), every thread of this process.
  if (pinning !== undefined) spawnSync('taskset', ['-a', '-p', '-c', String(pinning.client), String(process.pid)], { stdio: 'ignore' });
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-peers-warm-'));
  const server = await startNghttpd(join(dir, 'htdocs'), dir);
  const opened: { close: () => Promise<void> }[] = [];
  try {
    const { file, docroot } = await peersFixtures(dir, server.origin, server.ca);
    await writeDocroot(join(dir, 'htdocs'), docroot);
    const fixtures = JSON.parse(await readFile(file, 'utf8')) as PeersFixtures;
    const loadBefore = loadavg()[0] as number;
    const prepared = [];
    for (const client of clients) {
      const c = await prepareClient(client, fixtures);
      opened.push(c);
      await closedLoop(warmup, inFlight, c.send);
      prepared.push({ client, send: c.send, batches: [] as Batch[] });
    }
    for (let round = 0; round < rounds; round++) {
      for (const p of round % 2 === 0 ? prepared : [...prepared].reverse()) p.batches.push(await timed(p.send));
    }
    const loadAfter = loadavg()[0] as number;
    const yardstick = prepared[0] as (typeof prepared)[number];
    const lines = [
      '### APNs senders warm (steady state)',
      '',
      `\`node dist/bench/peers-warm.js ${batch} ${rounds} ${inFlight} ${warmup}\`: the same APNs clients, nghttpd and fixtures as above, all in one process, each on its own HTTP/2 connection: ${fmt(warmup, 0)} uncounted notifications each (V8 has compiled every path), then ${rounds} interleaved rounds of ${fmt(batch, 0)} notifications per client (${inFlight} in flight), order reversed every other round, each batch timed with \`process.cpuUsage()\`${pinning === undefined ? '' : `; this process pinned to CPU ${pinning.client}, nghttpd to CPU ${pinning.server}`}. Load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after. What each notification costs once compiled, where the table above (a fresh process per measurement) includes each client's warm-up; short batches alternated many times also see the same neighbours' load, so the per-round ratios spread less.`,
      '',
      `| client | CPU µs/notification, median (lower quartile) | yardstick CPU ÷ this (range) | notifications/s ÷ yardstick (range) |`,
      '|---|---:|---:|---:|',
    ];
    for (const p of prepared) {
      const cpu = p.batches.map((b) => b.cpuMicrosPerNotification);
      const cpuRatio = p.batches.map((b, i) => (yardstick.batches[i] as Batch).cpuMicrosPerNotification / b.cpuMicrosPerNotification);
      const rateRatio = p.batches.map((b, i) => b.perSecond / (yardstick.batches[i] as Batch).perSecond);
      lines.push(`| ${peersLabels[p.client]} | ${fmt(median(cpu))} (${fmt(quartile(cpu))}) | ${median(cpuRatio).toFixed(2)} (${spread(cpuRatio)}) | ${median(rateRatio).toFixed(2)} (${spread(rateRatio)}) |`);
    }
    console.log(lines.join('\n'));
    if (write) {
      await writeSection(peersWarmSection, lines.join('\n'));
      console.log('wrote its section of docs/benchmarks.md');
    }
  } finally {
    // Closing an idle session can leave nothing holding the event loop (peers-client.ts): hold it for the close.
    const hold = setTimeout(() => {}, 10_000);
    await Promise.all(opened.map((c) => c.close()));
    clearTimeout(hold);
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
