/**
 * Issue 17's acceptance on this machine, measured (nothing asserted):
 *
 *   hour [minutes=60] [rate=1000]   one virtual hour at 1,000 notifications/s (3.6 M) against the
 *                                   simulated mock APNs, with a brownout (20 % 500s and a Pareto
 *                                   latency tail) and a 5-minute outage (503s): wall seconds, CPU µs
 *                                   per notification, notifications per wall second, RSS every
 *                                   virtual 5 minutes (flat memory) and the peak.
 *   tune [minutes=10] [rate=100]    a 64-variant `tune --virtual` grid (retry attempts × base delay ×
 *                                   breaker error rate × open time × minimum requests) over a
 *                                   10-minute brownout: wall seconds in all and per variant.
 *
 *   node dist/bench/simulate.js hour 60 1000
 *   node dist/bench/simulate.js tune 10 100
 *
 * Each mode is bounded by its count of notifications; a virtual run sends nothing on a socket.
 */
import type { ScenarioConfig } from '../scenarios/config.js';
import { defaultScenario } from '../scenarios/builtin/default.js';
import { simulation } from '../scenarios/simulate.js';
import { tunePolicies } from '../scenarios/tune.js';
import type { PolicyGrid } from '../scenarios/tune.js';

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

async function hour(minutes: number, rate: number): Promise<void> {
  const config = hourScenario(minutes, rate);
  const run = simulation(config, { progressIntervalMs: 5 * minuteMs });
  const rss: string[] = [];
  run.on('progress', (p) => rss.push(`${Math.round(p.elapsedMs / minuteMs)}m ${mb(process.memoryUsage().rss)}`));
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const result = await run.execute();
  const wallMs = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  const n = result.counts.scheduled;
  const attempts = result.attemptLatencyMs?.count ?? n;
  console.log(`${config.name}: ${n} notifications (${attempts} attempts) at ${rate}/s over ${(result.durationMs / minuteMs).toFixed(1)} virtual minutes`);
  console.log(`  wall ${(wallMs / 1000).toFixed(1)} s · CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (${((cpu.user + cpu.system) / n).toFixed(1)} µs per notification) · ${Math.round(n / (wallMs / 1000))} notifications and ${Math.round(attempts / (wallMs / 1000))} attempts per wall second`);
  console.log(`  RSS by virtual time: ${rss.join(' · ')} · peak ${mb(process.resourceUsage().maxRSS * 1024)}`);
  console.log(`  accepted ${result.counts.accepted}, rejected ${result.counts.rejected}, failed ${result.counts.failed}, duplicates ${result.delivery?.duplicates ?? '—'}, breaker transitions ${result.breakerTransitions?.length ?? 0}`);
}

/** 4 × 2 × 2 × 2 × 2 = 64 variants. */
const grid: PolicyGrid = {
  retry: { maxAttempts: [2, 3, 5, 8], baseDelayMs: [20, 200] },
  circuitBreaker: { errorRate: [0.25, 0.5], openMs: [1000, 5000], minRequests: [20, 100] },
};

async function tune(minutes: number, rate: number): Promise<void> {
  const config = hourScenario(minutes, rate);
  const wall0 = performance.now();
  let last = wall0;
  const perVariant: number[] = [];
  const report = await tunePolicies(config, grid, {
    virtual: {},
    onRun: (_index, _total, _label, run) => {
      run.once('done', () => {
        const now = performance.now();
        perVariant.push(now - last);
        last = now;
      });
    },
  });
  const wallMs = performance.now() - wall0;
  const sorted = [...perVariant].sort((a, b) => a - b);
  console.log(`tune --virtual: ${report.variants.length} variants of ${config.load.executor === 'constant-arrival-rate' ? config.load.count : '?'} notifications at ${rate}/s over ${minutes} virtual minutes`);
  console.log(`  wall ${(wallMs / 1000).toFixed(1)} s in all · per variant median ${(sorted[Math.floor(sorted.length / 2)]! / 1000).toFixed(2)} s, max ${(sorted.at(-1)! / 1000).toFixed(2)} s · peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);
  console.log(`  best: ${report.best?.label ?? '—'}`);
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1e6)} MB`;
}

const [mode = 'hour', a, b] = process.argv.slice(2);
const number = (text: string | undefined, fallback: number): number => {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`expected a positive number, got ${text}`);
  return value;
};
if (mode === 'hour') await hour(number(a, 60), number(b, 1000));
else if (mode === 'tune') await tune(number(a, 10), number(b, 100));
else throw new Error(`mode must be hour or tune, got ${mode}`);
