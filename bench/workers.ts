/**
 * `pushsim run --workers N` against nghttpd over TLS, beside its yardstick: the raw node:http2 APNs
 * loop (peers-client.ts) run in the same number of worker threads (workers-raw.ts). Every
 * measurement is a fresh process, in interleaved rounds (order reversed every other round):
 *
 *   pushsim run --workers 1 / 2   closed model (--in-flight), one connection per worker, token auth
 *   raw loop in 1 / 2 threads     the same in-flight total, one session per thread
 *   raw loop + apns-id, 2 threads the same, with a fresh apns-id per notification as pushsim sends
 *
 * For each: notifications/s (pushsim: result.json's achieved rate over the measured run; raw: over
 * its sending phase), CPU µs per notification of every thread while sending (pushsim: between CPU
 * samples taken every 50 ms, at result.json's start and end), and of the whole process, start-up and
 * warm-up included (process.cpuUsage at exit, through lib/report-cpu.ts) per notification sent
 * (every thread warms up with `warmup` of its own), so the cost of a worker shows. Then the ratios that matter, each the median of per-round ratios with their range:
 * pushsim ÷ raw at the same number of threads, and 2 ÷ 1 for each (how much a second thread adds).
 * The CPU per notification staying flat from 1 to 2 workers is what lets more cores scale.
 *
 *   node dist/bench/workers.js [count=200000] [rounds=5] [inFlight=200] [--out FILE] [--no-write]
 *
 * Writes its section into docs/benchmarks.md (between `<!-- workers:begin -->` and
 * `<!-- workers:end -->`, appended when absent) unless `--no-write`. Needs /usr/sbin/nghttpd
 * (Debian `nghttp2-server`). Bounded: every process is killed after 10 minutes.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateApnsSigningKey } from '../simulator/apns/credentials.js';
import { makeTokens } from '../scenarios/tokens.js';
import { benchPayload, benchTopic, median } from './lib/h2load.js';
import { startNghttpd, writeDocroot } from './lib/nghttpd.js';
import { cpuAt } from './lib/report-cpu.js';
import type { CpuSamples } from './lib/report-cpu.js';
import { benchmarksPage, section, writeSection } from './lib/doc-section.js';
import type { PeersFixtures } from './peers-client.js';
import type { RawThreadsReport } from './workers-raw.js';

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--out');
const count = Number(positional[0] ?? 200_000);
const rounds = Number(positional[1] ?? 5);
const inFlight = Number(positional[2] ?? 200);
const outIndex = process.argv.indexOf('--out');
const outFile = outIndex > 0 ? (process.argv[outIndex + 1] as string) : benchmarksPage;
const write = !flags.includes('--no-write');
/** Uncounted notifications before each measurement: pushsim's --warmup, and the raw loop's. */
const warmup = Math.min(5000, Math.max(100, Math.round(count / 20)));
const seed = 1;
const tokenCount = 100;
const killAfterMs = 600_000;

type Config = 'pushsim-1' | 'pushsim-2' | 'raw-1' | 'raw-2' | 'rawid-2';
const configs: readonly Config[] = ['raw-1', 'pushsim-1', 'raw-2', 'rawid-2', 'pushsim-2'];
const labels: Record<Config, string> = {
  'raw-1': 'raw `node:http2` loop, 1 thread',
  'pushsim-1': '`pushsim run --workers 1`',
  'raw-2': 'raw `node:http2` loop, 2 worker threads',
  'rawid-2': 'raw `node:http2` loop with an apns-id, 2 worker threads',
  'pushsim-2': '`pushsim run --workers 2`',
};

interface Measurement {
  readonly perSecond: number;
  /** Every thread of the process over the measured sending only, per notification. */
  readonly sendCpuMicrosPerNotification: number;
  /** Whole process, every thread, per notification sent (start-up and warm-up included). */
  readonly cpuMicrosPerNotification: number;
}

function runProcess(args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    // stderr only when it fails: pushsim's warnings (its own pauses on a busy machine) are not this page's subject.
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${args.slice(0, 3).join(' ')} exited with ${code ?? signal}: ${err}`));
      else resolve(out);
    });
  });
}

async function measure(config: Config, dir: string, scenarioFile: string, fixturesFile: string): Promise<Measurement> {
  const [kind, threads] = config.split('-') as ['pushsim' | 'raw' | 'rawid', string];
  if (kind !== 'pushsim') {
    const client = kind === 'rawid' ? 'raw-apns-id' : 'raw-apns';
    const out = await runProcess([fileURLToPath(new URL('./workers-raw.js', import.meta.url)), fixturesFile, String(count), String(inFlight), threads, String(warmup), client]);
    const report = JSON.parse(out.trim().split('\n').pop() as string) as RawThreadsReport;
    if (report.ok !== count) throw new Error(`${config}: ${count - report.ok} of ${count} notifications not accepted`);
    return { perSecond: (report.count / report.wallMs) * 1000, sendCpuMicrosPerNotification: report.sendCpuMicros / count, cpuMicrosPerNotification: report.processCpuMicros / (count + Number(threads) * warmup) };
  }
  const cpuFile = join(dir, `cpu-${config}.json`);
  const out = join(dir, `out-${config}`);
  const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
  const cpuHook = fileURLToPath(new URL('./lib/report-cpu.js', import.meta.url));
  const json = await runProcess(
    ['--import', cpuHook, bin, 'run', scenarioFile, '--in-flight', String(inFlight), '--count', String(count), '--warmup', String(warmup), '--connections', '1', '--workers', threads, '--json', '--quiet', '--no-fail-on-overload', '--out', out],
    { PUSHSIM_BENCH_CPU_FILE: cpuFile },
  );
  const result = JSON.parse(json) as { startedAt: string; durationMs: number; counts: { accepted: number }; rate: { achieved: number }; workers?: number };
  if (result.counts.accepted !== count) throw new Error(`${config}: ${count - result.counts.accepted} of ${count} notifications not accepted`);
  if (result.workers !== Number(threads)) throw new Error(`${config}: the run used ${result.workers} workers`);
  const cpuSamples = JSON.parse(await readFile(cpuFile, 'utf8')) as CpuSamples;
  const start = Date.parse(result.startedAt);
  const sendCpu = cpuAt(cpuSamples, start + result.durationMs) - cpuAt(cpuSamples, start);
  const { cpuMicros } = cpuSamples;
  // Every worker warms up with the whole --warmup: each thread compiles its own code.
  return { perSecond: result.rate.achieved, sendCpuMicrosPerNotification: sendCpu / count, cpuMicrosPerNotification: cpuMicros / (count + Number(threads) * warmup) };
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratioText = (values: readonly number[]): string => `${median(values).toFixed(2)} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-bench-workers-'));
  const docroot = join(dir, 'docroot');
  const nghttpd = await startNghttpd(docroot, dir);
  try {
    const tokens = makeTokens(tokenCount, 0, seed).tokens;
    const apns = generateApnsSigningKey();
    const fixtures: Pick<PeersFixtures, 'origin' | 'ca' | 'topic' | 'payload' | 'apns' | 'deviceTokens'> = { origin: nghttpd.origin, ca: nghttpd.ca, topic: benchTopic, payload: benchPayload, apns, deviceTokens: tokens };
    const fixturesFile = join(dir, 'fixtures.json');
    await writeFile(fixturesFile, JSON.stringify(fixtures), { mode: 0o600 });
    await writeFile(join(dir, 'key.p8'), apns.privateKey, { mode: 0o600 });
    await writeFile(join(dir, 'ca.pem'), nghttpd.ca);
    await writeDocroot(docroot, Object.fromEntries(tokens.map((t) => [`3/device/${t}`, ''])));
    const scenarioFile = join(dir, 'workers-bench.yaml');
    await writeFile(
      scenarioFile,
      [
        'name: workers-bench',
        `target: { url: "${nghttpd.origin}", caFile: "${join(dir, 'ca.pem')}", credentials: { keyFile: "${join(dir, 'key.p8')}", keyId: ${apns.keyId}, teamId: ${apns.teamId} } }`,
        `notification: { topic: ${benchTopic} }`,
        `tokens: { count: ${tokenCount}, seed: ${seed} }`,
        '',
      ].join('\n'),
    );
    const loadBefore = loadavg()[0] as number;
    const results = new Map<Config, Measurement[]>(configs.map((c) => [c, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? configs : [...configs].reverse();
      for (const config of order) {
        const m = await measure(config, dir, scenarioFile, fixturesFile);
        results.get(config)?.push(m);
        console.log(`round ${round + 1}/${rounds} ${config.padEnd(9)} ${fmt(m.perSecond).padStart(7)}/s  ${m.sendCpuMicrosPerNotification.toFixed(1)} µs CPU/notification sending, ${m.cpuMicrosPerNotification.toFixed(1)} whole process`);
      }
    }
    const loadAfter = loadavg()[0] as number;
    const of = (c: Config): Measurement[] => results.get(c) ?? [];
    const perRound = (a: Config, b: Config, pick: (m: Measurement) => number): number[] => of(a).map((m, i) => pick(m) / pick(of(b)[i] as Measurement));
    const rate = (m: Measurement): number => m.perSecond;
    const cpu = (m: Measurement): number => m.cpuMicrosPerNotification;
    const sendCpu = (m: Measurement): number => m.sendCpuMicrosPerNotification;
    const rows = configs.map((c) => `| ${labels[c]} | ${fmt(median(of(c).map(rate)))} | ${median(of(c).map(sendCpu)).toFixed(1)} | ${median(of(c).map(cpu)).toFixed(1)} | ${of(c).map((m) => fmt(m.perSecond)).join(', ')} |`);
    const command = `node dist/bench/workers.js ${count} ${rounds} ${inFlight}`;
    const body = [
      '## `pushsim run --workers` against nghttpd',
      '',
      `\`${command}\`: ${fmt(count)} notifications, ${inFlight} in flight in all (split between the threads), ${fmt(warmup)} uncounted first in each thread, APNs token auth over TLS to nghttpd, each configuration a fresh process, ${rounds} interleaved rounds; ${availableParallelism()} cores, load average ${loadBefore.toFixed(2)} before and ${loadAfter.toFixed(2)} after. CPU is every thread's of the process, per notification: while sending (pushsim: over result.json's measured run, from CPU samples every 50 ms), and for the whole process (start-up and warm-up included).`,
      '',
      '| configuration | notifications/s (median) | CPU µs/notification sending | whole process | rounds |',
      '| --- | ---: | ---: | ---: | --- |',
      ...rows,
      '',
      '| ratio (median of per-round ratios, range) | value |',
      '| --- | --- |',
      `| pushsim ÷ raw loop, 1 thread | ${ratioText(perRound('pushsim-1', 'raw-1', rate))} |`,
      `| pushsim ÷ raw loop, 2 threads | ${ratioText(perRound('pushsim-2', 'raw-2', rate))} |`,
      `| pushsim ÷ raw loop with an apns-id (the same protocol work), 2 threads | ${ratioText(perRound('pushsim-2', 'rawid-2', rate))} |`,
      `| raw loop CPU per notification sending, 2 threads: with an apns-id ÷ without | ${ratioText(perRound('rawid-2', 'raw-2', sendCpu))} |`,
      `| raw loop, 2 threads ÷ 1 | ${ratioText(perRound('raw-2', 'raw-1', rate))} |`,
      `| pushsim, 2 workers ÷ 1 | ${ratioText(perRound('pushsim-2', 'pushsim-1', rate))} |`,
      `| pushsim CPU per notification sending, 2 workers ÷ 1 | ${ratioText(perRound('pushsim-2', 'pushsim-1', sendCpu))} |`,
      `| raw loop CPU per notification sending, 2 threads ÷ 1 | ${ratioText(perRound('raw-2', 'raw-1', sendCpu))} |`,
      `| pushsim CPU per notification, whole process, 2 workers ÷ 1 | ${ratioText(perRound('pushsim-2', 'pushsim-1', cpu))} |`,
    ].join('\n');
    console.log(`\n${section('workers', body)}`);
    if (write) {
      await writeSection('workers', body, outFile);
      console.log(`wrote ${outFile}`);
    }
  } finally {
    await nghttpd.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
