/**
 * What `pushsim run --metrics-port` costs the run: the same closed-model run against nghttpd over
 * TLS, without the metrics server, with it never scraped, and with it scraped once a second by
 * this process (harder than a Prometheus at its usual 15 s), each a fresh process, in interleaved rounds (order reversed every
 * other round). CPU is every thread's of the pushsim process over result.json's measured run (CPU
 * samples every 50 ms, lib/report-cpu.ts), per notification; the ratio "with ÷ without" is the
 * median of the per-round ratios, with their range; then the tally's own work per notification in process.
 *
 *   node dist/bench/run-metrics.js [count=60000] [rounds=5] [inFlight=200]
 *
 * Needs /usr/sbin/nghttpd (Debian `nghttp2-server`). Bounded: every process is killed after 10 minutes.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateApnsSigningKey } from '../simulator/apns/credentials.js';
import { createRunRegistry } from '../cli/run-metrics-registry.js';
import { MetricsTally, RunMetrics } from '../scenarios/metrics.js';
import { makeTokens } from '../scenarios/tokens.js';
import type { Outcome } from '../sender/outcome.js';
import { benchTopic, median } from './lib/h2load.js';
import { startNghttpd, writeDocroot } from './lib/nghttpd.js';
import { cpuAt } from './lib/report-cpu.js';
import type { CpuSamples } from './lib/report-cpu.js';

const [count, rounds, inFlight] = [Number(process.argv[2] ?? 60_000), Number(process.argv[3] ?? 5), Number(process.argv[4] ?? 200)];
const warmup = 2000;
const tokenCount = 100;
const killAfterMs = 600_000;

type Config = 'without' | 'unscraped' | 'with';

interface Measurement {
  readonly cpuMicrosPerNotification: number;
  readonly perSecond: number;
  readonly scrapes: number;
}

/** Runs pushsim; with metrics, scrapes /metrics every second from the URL it prints. */
function runPushsim(args: readonly string[], env: Record<string, string>, scrape: boolean): Promise<{ stdout: string; scrapes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let scrapes = 0;
    let scraper: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
      const url = /metrics at (http:\S+)/.exec(stderr)?.[1];
      if (scrape && url !== undefined && scraper === undefined) {
        scraper = setInterval(() => {
          fetch(url).then(
            async (response) => {
              await response.text();
              scrapes++;
            },
            () => {},
          );
        }, 1000);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(scraper);
      if (code !== 0) reject(new Error(`pushsim run exited with ${code ?? signal}: ${stderr}`));
      else resolve({ stdout, scrapes });
    });
  });
}

async function measure(config: Config, dir: string, scenarioFile: string): Promise<Measurement> {
  const cpuFile = join(dir, `cpu-${config}.json`);
  const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
  const cpuHook = fileURLToPath(new URL('./lib/report-cpu.js', import.meta.url));
  const metrics = config === 'without' ? [] : ['--metrics-port', '0'];
  const args = ['--import', cpuHook, bin, 'run', scenarioFile, '--in-flight', String(inFlight), '--count', String(count), '--warmup', String(warmup), '--connections', '1', '--workers', '1', '--json', '--quiet', '--no-fail-on-overload', '--out', join(dir, `out-${config}`), ...metrics];
  const { stdout, scrapes } = await runPushsim(args, { PUSHSIM_BENCH_CPU_FILE: cpuFile }, config === 'with');
  const result = JSON.parse(stdout) as { startedAt: string; durationMs: number; counts: { accepted: number }; rate: { achieved: number } };
  if (result.counts.accepted !== count) throw new Error(`${config}: ${count - result.counts.accepted} of ${count} notifications not accepted`);
  const samples = JSON.parse(await readFile(cpuFile, 'utf8')) as CpuSamples;
  const start = Date.parse(result.startedAt);
  const cpu = cpuAt(samples, start + result.durationMs) - cpuAt(samples, start);
  return { cpuMicrosPerNotification: cpu / count, perSecond: result.rate.achieved, scrapes };
}

/** CPU µs of the tally's per-notification work alone (one outcome, one attempt), over `n` in this process. */
function tallyMicrosPerNotification(n: number): number {
  const tally = new MetricsTally();
  const outcome: Outcome = { status: 'accepted', provider: 'apns', token: 'x', attempts: 1, id: undefined };
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    tally.onOutcome(outcome, (i % 97) * 0.7);
    tally.onAttempt((i % 89) * 0.6);
  }
  const { user, system } = process.cpuUsage(before);
  if (tally.notifications() !== n) throw new Error('tally lost outcomes');
  return (user + system) / n;
}

/** CPU µs of rendering one scrape in process (no socket), for a run with two providers' outcomes, reasons and breakers. */
async function scrapeMicros(n: number): Promise<number> {
  const metrics = new RunMetrics({ load: { executor: 'constant-arrival-rate', rate: 1000, count: 10_000 }, faults: { phases: [{ name: 'healthy', durationMs: 1000 }, { name: 'brownout' }] } } as unknown as ConstructorParameters<typeof RunMetrics>[0]);
  for (const provider of ['apns', 'fcm'] as const) {
    for (let i = 0; i < 1000; i++) metrics.tally.onOutcome({ status: 'accepted', provider, token: 'x', attempts: 1, id: undefined }, i % 300);
    metrics.tally.onOutcome({ status: 'rejected', provider, token: 'x', attempts: 1, httpStatus: 410, reason: 'Unregistered', retryClass: 'permanent' }, 5);
    metrics.tally.onOutcome({ status: 'dropped', provider, token: 'x', attempts: 0, cause: 'queue-full' }, 5);
    metrics.tally.onBreaker(`https://${provider}`, 'open');
  }
  const registry = createRunRegistry(metrics, { p99Ms: () => 1, maxMs: () => 2 });
  await registry.metrics();
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await registry.metrics();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / n;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-bench-run-metrics-'));
  const docroot = join(dir, 'docroot');
  const nghttpd = await startNghttpd(docroot, dir);
  try {
    const tokens = makeTokens(tokenCount, 0, 1).tokens;
    const apns = generateApnsSigningKey();
    await writeFile(join(dir, 'key.p8'), apns.privateKey, { mode: 0o600 });
    await writeFile(join(dir, 'ca.pem'), nghttpd.ca);
    await writeDocroot(docroot, Object.fromEntries(tokens.map((t) => [`3/device/${t}`, ''])));
    const scenarioFile = join(dir, 'run-metrics-bench.yaml');
    await writeFile(
      scenarioFile,
      [
        'name: run-metrics-bench',
        `target: { url: "${nghttpd.origin}", caFile: "${join(dir, 'ca.pem')}", credentials: { keyFile: "${join(dir, 'key.p8')}", keyId: ${apns.keyId}, teamId: ${apns.teamId} } }`,
        `notification: { topic: ${benchTopic} }`,
        `tokens: { count: ${tokenCount}, seed: 1 }`,
        '',
      ].join('\n'),
    );
    const loadBefore = loadavg()[0] as number;
    const results: Record<Config, Measurement[]> = { without: [], unscraped: [], with: [] };
    const configs: Config[] = ['without', 'unscraped', 'with'];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? configs : [...configs].reverse();
      for (const config of order) {
        const m = await measure(config, dir, scenarioFile);
        results[config].push(m);
        console.log(`round ${round + 1}/${rounds} ${config.padEnd(9)} ${m.cpuMicrosPerNotification.toFixed(2)} µs CPU/notification, ${Math.round(m.perSecond)}/s${config === 'with' ? `, ${m.scrapes} scrapes` : ''}`);
      }
    }
    const ratios = (c: Config): number[] => results[c].map((m, i) => m.cpuMicrosPerNotification / (results.without[i] as Measurement).cpuMicrosPerNotification);
    const ratioText = (values: number[]): string => `${median(values).toFixed(3)} (range ${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)})`;
    const cpu = (c: Config): string => median(results[c].map((m) => m.cpuMicrosPerNotification)).toFixed(2);
    console.log(`\nnode dist/bench/run-metrics.js ${count} ${rounds} ${inFlight}: ${count} notifications, ${inFlight} in flight, APNs token auth over TLS to nghttpd, ${rounds} interleaved rounds; ${availableParallelism()} cores, load average ${loadBefore.toFixed(2)} before and ${(loadavg()[0] as number).toFixed(2)} after`);
    console.log(`CPU µs per notification (median): without ${cpu('without')}, with --metrics-port never scraped ${cpu('unscraped')}, scraped every second ${cpu('with')}`);
    console.log(`never scraped ÷ without: ${ratioText(ratios('unscraped'))}`);
    console.log(`scraped every second ÷ without: ${ratioText(ratios('with'))}`);
    const tally = median(Array.from({ length: 5 }, () => tallyMicrosPerNotification(1_000_000)));
    const scrape = await scrapeMicros(2000);
    const perSecond = median(results.without.map((m) => m.perSecond));
    console.log(`one scrape rendered in process (no socket; 2,000, two providers): ${scrape.toFixed(0)} µs CPU; once a second at this run's ${Math.round(perSecond)}/s that is ${(scrape / perSecond).toFixed(2)} µs per notification, ${((100 * scrape) / perSecond / Number(cpu('without'))).toFixed(2)} % of a notification's CPU`);
    console.log(`the tally alone (one outcome and one attempt, 5 × 1,000,000 in this process, median): ${(tally * 1000).toFixed(0)} ns per notification, ${((100 * tally) / Number(cpu('without'))).toFixed(2)} % of a notification's CPU without metrics`);
  } finally {
    await nghttpd.stop();
  }
}

await main();
