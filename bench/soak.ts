/**
 * Soak: the default scenario (mock APNs in its worker thread, lognormal latency, 2 % dead tokens)
 * at a steady rate for a configurable time, sampling the process every few seconds, then the three
 * verdicts a soak is for (bench/lib/soak-verdicts.ts): RSS flat after it settles, the median of the
 * per-second p99 at the end as at the start, the worst per-second p99 not growing. Around it, a
 * yardstick: 10-second runs of the same scenario before and after, whose accepted p99 the long
 * run's is compared with (same machine, same minutes).
 *
 *   node dist/bench/soak.js --minutes 5 --rate 5000 [--sample 10] [--settle MIN] [--window MIN]
 *                           [--yardstick 10] [--out pushsim-soak]
 *
 * Writes soak.md (the table and verdicts) and the long run's result.json to --out, and prints
 * soak.md. A verdict is measured, not asserted: the exit code is 0 whatever it says (1 on a crash).
 * An hour (--minutes 60) needs a quiet machine: on a shared one pushsim falls behind its schedule
 * and the run says so (validity), which makes its latency pushsim's.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Result } from '../reports/result.js';
import { defaultScenario } from '../scenarios/builtin/default.js';
import type { ScenarioConfig } from '../scenarios/config.js';
import { describeHeapGrowth, limitHeapGrowth, runHeapGrowingPercent } from '../cli/heap-growth.js';
import { ScenarioRun } from '../scenarios/runner.js';
import { defaultBounds, sampleTable, soakVerdicts } from './lib/soak-verdicts.js';
import type { SoakSample } from './lib/soak-verdicts.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    rate: { type: 'string', default: '5000' },
    sample: { type: 'string', default: '10' },
    settle: { type: 'string' },
    window: { type: 'string' },
    yardstick: { type: 'string', default: '10' },
    out: { type: 'string', default: 'pushsim-soak' },
  },
});
const number = (name: string, text: string | undefined, min: number, max: number): number => {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    console.error(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
};
const minutes = number('minutes', values.minutes, 0.5, 24 * 60);
const rate = number('rate', values.rate, 1, 100_000);
const sampleSeconds = number('sample', values.sample, 1, 600);
const yardstickSeconds = number('yardstick', values.yardstick, 0, 600);
const defaults = defaultBounds(minutes);
const bounds = {
  settleMinutes: values.settle === undefined ? defaults.settleMinutes : number('settle', values.settle, 0, minutes),
  windowMinutes: values.window === undefined ? defaults.windowMinutes : number('window', values.window, 1 / 60, minutes),
};
const durationSeconds = Math.round(minutes * 60);
const round2 = (value: number): number => Math.round(value * 100) / 100;

/** The default scenario at `rate` for `seconds`, reporting overload instead of failing on it. */
function scenario(seconds: number): ScenarioConfig {
  return {
    ...defaultScenario,
    load: { executor: 'constant-arrival-rate', rate, count: Math.round(rate * seconds) },
    validity: { ...defaultScenario.validity, failOnOverload: false },
  };
}

async function yardstick(): Promise<Result | undefined> {
  if (yardstickSeconds === 0) return undefined;
  return new ScenarioRun(scenario(yardstickSeconds)).execute();
}

// The heap growth `pushsim run` sets for a run against its mocks (cli/heap-growth.ts): this process runs the same scenario in-process.
const heapGrowing = runHeapGrowingPercent('mocks', process.env);
limitHeapGrowth(heapGrowing);
const loadAtStart = loadavg();
console.error(`soak: default scenario, ${minutes} min at ${rate}/s (${Math.round(rate * durationSeconds)} notifications), samples every ${sampleSeconds} s; load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`);
const before = await yardstick();

const samples: SoakSample[] = [];
const run = new ScenarioRun(scenario(durationSeconds));
let nextSample = sampleSeconds;
run.on('progress', ({ elapsedMs }) => {
  const second = Math.floor(elapsedMs / 1000);
  if (second < nextSample) return;
  nextSample = second + sampleSeconds;
  const { rss, heapUsed } = process.memoryUsage();
  samples.push({ second, rssBytes: rss, heapUsedBytes: heapUsed });
  console.error(`  ${(second / 60).toFixed(2)} min: RSS ${Math.round(rss / 1024 / 1024)} MB, heap ${Math.round(heapUsed / 1024 / 1024)} MB`);
});
run.on('warning', (message) => console.error(`  warning: ${message}`));
const result = await run.execute();
const after = await yardstick();
const loadAtEnd = loadavg();

const timeline = result.timeline ?? [];
const verdicts = soakVerdicts(samples, timeline, durationSeconds, bounds);
const p99 = (r: Result | undefined): string => (r === undefined ? '—' : `${r.latencyMs.accepted.p99.toFixed(1)} ms`);
const shortP99s = [before, after].flatMap((r) => (r === undefined ? [] : [r.latencyMs.accepted.p99]));
const shortMean = shortP99s.length === 0 ? undefined : shortP99s.reduce((a, b) => a + b, 0) / shortP99s.length;
const { pauses, validity } = result;
const thread = (name: string, t: NonNullable<Result['pauses']>['sender'] | undefined): string =>
  t === undefined ? '' : `- ${name}: event-loop delay p50 ${t.eventLoopDelayMs.p50} · p99 ${t.eventLoopDelayMs.p99} · max ${t.eventLoopDelayMs.max} ms; GC ${t.gc.count} pauses, ${t.gc.totalMs.toFixed(0)} ms (${t.gc.percent.toFixed(2)} % of the time), longest ${t.gc.maxMs.toFixed(1)} ms`;

const runLines = [
  `- ${result.counts.scheduled} scheduled, ${result.counts.accepted} accepted, ${result.counts.rejected} rejected, ${result.counts.failed} failed, ${result.counts.dropped} dropped; achieved ${result.rate.achieved.toFixed(1)}/s of ${rate}/s`,
  `- accepted latency p50 ${result.latencyMs.accepted.p50.toFixed(1)} · p99 ${result.latencyMs.accepted.p99.toFixed(1)} · max ${result.latencyMs.accepted.max.toFixed(1)} ms`,
  `- ${validity === undefined ? 'no validity verdict' : validity.valid ? 'a valid measurement of the target' : `NOT a valid measurement of the target: ${validity.reasons.join('; ')}`}`,
  thread('sender thread', pauses?.sender),
  thread('mock worker', pauses?.mock),
  pauses?.tail === undefined ? '' : `- own pauses together ${pauses.tail.ownP99Ms} ms at p99: ${pauses.tail.percent.toFixed(1)} % of the accepted p99`,
  shortMean === undefined
    ? ''
    : `- yardstick, ${yardstickSeconds}-s runs of the same scenario: accepted p99 ${p99(before)} before, ${p99(after)} after; the soak's p99 ÷ their mean = ${(result.latencyMs.accepted.p99 / shortMean).toFixed(2)}`,
].filter((line) => line !== '');

const report = [
  `# pushsim soak: default scenario, ${minutes} min at ${rate}/s`,
  `\`node dist/bench/soak.js --minutes ${minutes} --rate ${rate} --sample ${sampleSeconds} --settle ${round2(bounds.settleMinutes)} --window ${round2(bounds.windowMinutes)} --yardstick ${yardstickSeconds}\` · node ${process.version} · load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')} at the end · heap growth ${describeHeapGrowth(heapGrowing)}`,
  '## Verdicts',
  [verdicts.rss, verdicts.median, verdicts.worst].map((v) => `- ${v.line}`).join('\n'),
  '## The run',
  runLines.join('\n'),
  `## Every ${sampleSeconds} s`,
  "RSS and heap (the sending thread) sampled then; p99 median and worst over the per-second p99 of the seconds since the previous sample; pushsim's own longest event-loop delay and GC time in them, per thread.",
  sampleTable(samples, timeline),
].join('\n\n');

await mkdir(values.out, { recursive: true });
await writeFile(join(values.out, 'soak.md'), `${report}\n`);
await writeFile(join(values.out, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(report);
console.error(`soak: wrote ${join(values.out, 'soak.md')} and the run's result.json`);
