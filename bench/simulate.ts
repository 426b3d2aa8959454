/**
 * Issue 17's acceptance on this machine, measured (nothing asserted):
 *
 *   hour [minutes=60] [rate=1000]          one virtual hour at 1,000 notifications/s (3.6 M) against
 *                                          the simulated mock APNs, with a brownout (20 % 500s and a
 *                                          Pareto latency tail) and a 5-minute outage (503s): wall
 *                                          seconds, CPU µs per notification, notifications per wall
 *                                          second, and memory every twelfth of the run (5 virtual
 *                                          minutes of an hour) with two flat-memory verdicts.
 *   tune [minutes=10] [rate=100] [threads] a 64-variant `tune --virtual` grid (retry attempts × base
 *                                          delay × breaker error rate × open time × minimum requests)
 *                                          over a 10-minute brownout, on `threads` worker threads
 *                                          (default: every core): wall seconds in all and per variant.
 *
 *   node dist/bench/simulate.js hour 60 1000
 *   node dist/bench/simulate.js tune 10 1000
 *
 * Memory: each sample reads RSS and V8's heap as the run left them, then forces a full garbage
 * collection and reads the heap again, the live heap: what the simulation really holds. Between
 * two major collections V8 lets garbage pile up to a limit it sizes from the live heap and the
 * allocation rate, and grows that limit over the first minutes of a run; RSS follows it, so RSS
 * samples move with where they fall in V8's collection cycle while the live heap stays put. The
 * verdicts: RSS, and the live heap, after the settle time within ±10 % of their value there, to the
 * end (the soak's rule, bench/lib/soak-verdicts.ts). The settle time is a sixth of the run (minute
 * 10 of an hour), not the soak's 5 minutes: V8 sizes its heap over the first seconds of *wall*
 * time, and a virtual hour reaches minute 5 after 2.5–4 s of it, while the young generation may
 * still be growing (in one variant of the code RSS stood 13 % higher from minute 10 on than at
 * minute 5, then flat to ±3 %, with the live heap flat throughout).
 *
 * Writes its section into docs/benchmarks.md (`<!-- simulate-hour:begin -->`, `simulate-tune`)
 * unless `--no-write`. Each mode is bounded by its count of notifications; a virtual run sends
 * nothing on a socket.
 */
import { availableParallelism, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ScenarioConfig } from '../scenarios/config.js';
import { defaultScenario } from '../scenarios/builtin/default.js';
import { describeHeapGrowth, limitHeapGrowth, runHeapGrowingPercent } from '../cli/heap-growth.js';
import { simulation } from '../scenarios/simulate.js';
import { tunePolicies } from '../scenarios/tune.js';
import type { PolicyGrid } from '../scenarios/tune.js';
import { writeSection } from './lib/doc-section.js';
import { bandVerdict } from './lib/soak-verdicts.js';
import type { Verdict } from './lib/soak-verdicts.js';

const minuteMs = 60_000;

/** `minutes` of load at `rate`/s: a third healthy, a sixth brownout, then healthy, an outage of a twelfth, recovery. */
function hourScenario(minutes: number, rate: number): ScenarioConfig {
  const part = (share: number): number => Math.round(minutes * minuteMs * share);
  return {
    ...defaultScenario,
    name: `virtual-${minutes}min`,
    description: 'healthy, brownout, healthy, outage, recovery on virtual time',
    target: { kind: 'mock', provider: 'apns', tls: false, latency: { kind: 'lognormal', medianMs: 20, sigma: 0.5 }, worker: false },
    load: { executor: 'constant-arrival-rate', rate, count: Math.round(minutes * 60 * rate) },
    tokens: { count: 100_000, unregisteredRatio: 0.01, seed: 1 },
    policies: { retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2000 } },
    faults: {
      seed: 7,
      phases: [
        { name: 'healthy', durationMs: part(1 / 3) },
        { name: 'brownout', durationMs: part(1 / 6) },
        { name: 'steady', durationMs: part(1 / 4) },
        { name: 'outage', durationMs: part(1 / 12) },
        { name: 'recovering' },
      ],
      faults: [
        { kind: 'error', id: 'brownout-errors', phase: 'brownout', probability: 0.2, apns: 'InternalServerError' },
        { kind: 'latency', id: 'brownout-tail', phase: 'brownout', distribution: { kind: 'pareto', scaleMs: 20, shape: 2, maxMs: 2000 } },
        { kind: 'outage', id: 'outage', phase: 'outage' },
      ],
    },
  } as ScenarioConfig;
}

/** A full collection on demand, without `--expose-gc` on the command line (run-all starts the bench as a plain script). */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

interface MemoryAt {
  readonly second: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** heapUsed right after a full collection. */
  readonly liveHeap: number;
}

async function hour(minutes: number, rate: number): Promise<void> {
  // The heap growth `pushsim simulate` sets (cli/commands/simulate-action.ts): this process runs the same simulation in-process.
  const heapGrowing = runHeapGrowingPercent('mocks', process.env);
  limitHeapGrowth(heapGrowing);
  const config = hourScenario(minutes, rate);
  const gc = exposeGc();
  const sampleMs = Math.max(1000, Math.round((minutes * minuteMs) / 12 / 1000) * 1000);
  const run = simulation(config, { progressIntervalMs: sampleMs });
  const memory: MemoryAt[] = [];
  /** CPU µs of the forced collections, left out of the simulation's CPU (a dozen full collections are ~1 s of it). */
  let gcMicros = 0;
  run.on('progress', (p) => {
    const m = process.memoryUsage();
    const before = process.cpuUsage();
    gc();
    const spent = process.cpuUsage(before);
    gcMicros += spent.user + spent.system;
    memory.push({ second: Math.round(p.elapsedMs / 1000), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, liveHeap: process.memoryUsage().heapUsed });
  });
  const load0 = loadavg()[0] as number;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const result = await run.execute();
  const wallMs = performance.now() - wall0;
  const cpuTotal = process.cpuUsage(cpu0);
  const cpuMicros = cpuTotal.user + cpuTotal.system - gcMicros;
  const n = result.counts.scheduled;
  const attempts = result.attemptLatencyMs?.count ?? n;
  // A sixth of the run (see the file comment): past V8's heap sizing in wall time.
  const settleMinutes = minutes / 6;
  const verdicts: Verdict[] = [
    bandVerdict('RSS', memory.map((m) => ({ second: m.second, bytes: m.rss })), settleMinutes),
    bandVerdict('live heap (after a full collection)', memory.map((m) => ({ second: m.second, bytes: m.liveHeap })), settleMinutes),
  ];
  const command = `node dist/bench/simulate.js hour ${minutes} ${rate}`;
  const body = [
    '## One virtual hour (`pushsim simulate`)',
    '',
    `\`${command}\`: ${config.name}, ${fmt(n)} notifications (${fmt(attempts)} attempts) at ${fmt(rate)}/s over ${(result.durationMs / minuteMs).toFixed(1)} virtual minutes against the simulated mock APNs: healthy, a brownout (20 % 500s, Pareto latency tail), healthy, an outage (503s), recovery. ${availableParallelism()} cores, load average ${load0.toFixed(2)} before and ${(loadavg()[0] as number).toFixed(2)} after; heap growth ${describeHeapGrowth(heapGrowing)}.`,
    '',
    `- wall ${(wallMs / 1000).toFixed(1)} s; CPU ${(cpuMicros / 1e6).toFixed(1)} s, ${(cpuMicros / n).toFixed(1)} µs per notification (without the ${(gcMicros / 1e6).toFixed(1)} s of the samples' forced collections); ${fmt(Math.round(n / (wallMs / 1000)))} notifications and ${fmt(Math.round(attempts / (wallMs / 1000)))} attempts per wall second; peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`,
    `- accepted ${fmt(result.counts.accepted)}, rejected ${fmt(result.counts.rejected)}, failed ${fmt(result.counts.failed)}, duplicates ${result.delivery?.duplicates ?? '—'}, breaker transitions ${result.breakerTransitions?.length ?? 0}`,
    ...verdicts.map((v) => `- ${v.line}`),
    '',
    'RSS and heap as the run left them at each sample, then the live heap after a forced full collection (MB):',
    '',
    '| virtual minute | RSS | heap used | heap total | external | array buffers | live heap |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...memory.map((m) => `| ${(m.second / 60).toFixed(1)} | ${mbNumber(m.rss)} | ${mbNumber(m.heapUsed)} | ${mbNumber(m.heapTotal)} | ${mbNumber(m.external)} | ${mbNumber(m.arrayBuffers)} | ${mbNumber(m.liveHeap)} |`),
    '',
    'The live heap is what the simulation holds; RSS also holds the garbage V8 lets pile up between two major collections, up to a limit it sizes from the live heap and grows over the first minutes of a run, so an RSS sample depends on where in that cycle it falls.',
  ].join('\n');
  await publish('simulate-hour', body);
}

/** 4 × 2 × 2 × 2 × 2 = 64 variants. */
const grid: PolicyGrid = {
  retry: { maxAttempts: [2, 3, 5, 8], baseDelayMs: [20, 200] },
  circuitBreaker: { errorRate: [0.25, 0.5], openMs: [1000, 5000], minRequests: [20, 100] },
};

async function tune(minutes: number, rate: number, threads: number): Promise<void> {
  const config = hourScenario(minutes, rate);
  const load0 = loadavg()[0] as number;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const finished: number[] = [];
  const report = await tunePolicies(config, grid, { virtual: { threads }, onResult: () => finished.push(performance.now() - wall0) });
  const wallMs = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const count = config.load.executor === 'constant-arrival-rate' ? config.load.count : 0;
  const command = `node dist/bench/simulate.js tune ${minutes} ${rate} ${threads}`;
  const body = [
    '## A 64-variant `pushsim tune --virtual`',
    '',
    `\`${command}\`: ${report.variants.length} variants (retry attempts × base delay × breaker error rate × open time × minimum requests) of ${fmt(count)} notifications at ${fmt(rate)}/s over ${minutes} virtual minutes of the same brownout-and-outage scenario, on ${threads} worker thread(s); ${availableParallelism()} cores, load average ${load0.toFixed(2)} before and ${(loadavg()[0] as number).toFixed(2)} after.`,
    '',
    `- wall ${(wallMs / 1000).toFixed(1)} s in all (${(wallMs / 1000 / report.variants.length).toFixed(2)} s per variant); CPU of every thread ${cpuSeconds.toFixed(1)} s (${(cpuSeconds / report.variants.length).toFixed(2)} s per variant, ${(cpuSeconds / (wallMs / 1000)).toFixed(2)} cores busy on average); first variant finished after ${((finished[0] ?? 0) / 1000).toFixed(1)} s; peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`,
    `- best: ${report.best?.label ?? '—'}`,
  ].join('\n');
  await publish('simulate-tune', body);
}

/** Prints the section and, unless --no-write, puts it into docs/benchmarks.md. */
async function publish(name: string, body: string): Promise<void> {
  console.log(body);
  if (!process.argv.includes('--no-write')) {
    await writeSection(name, body);
    console.log(`(section ${name} written to docs/benchmarks.md)`);
  }
}

const fmt = (n: number): string => n.toLocaleString('en-US');

function mbNumber(bytes: number): string {
  return String(Math.round(bytes / 1024 / 1024));
}

function mb(bytes: number): string {
  return `${mbNumber(bytes)} MB`;
}

const [mode = 'hour', a, b, c] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const number = (text: string | undefined, fallback: number): number => {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`expected a positive number, got ${text}`);
  return value;
};
if (mode === 'hour') await hour(number(a, 60), number(b, 1000));
else if (mode === 'tune') await tune(number(a, 10), number(b, 100), number(c, availableParallelism()));
else throw new Error(`mode must be hour or tune, got ${mode}`);
