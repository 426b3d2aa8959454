/**
 * The mock on several processes under h2load (bench/mock-workers.ts, and a section of
 * docs/benchmarks.md written by bench/peers.ts): `pushsim mock apns --workers N` beside the bare
 * node:http2 server run as N cluster workers the same way (servers/bare-h2-cluster.ts). Nothing is
 * pinned to a core here but h2load (lib/h2load.ts): the servers' processes need every core.
 */
import { startChild } from './children.js';
import { describeH2load, median, medianCpu, medianPerSecond, mockApnsTarget, type Target } from './h2load.js';

/** [bare node:http2 × N, mock APNs validating × N, mock APNs accept-all × N]: the first is the yardstick. */
export function mockWorkersTargets(workers: number): Target[] {
  return [
    { name: `bare node:http2, ${workers} workers`, start: async () => ({ child: await startChild('bench/servers/bare-h2-cluster.js', [String(workers)]), authorization: 'bearer unused' }), results: [] },
    mockApnsTarget(`mock APNs validating, ${workers} workers`, ['--workers', String(workers)], [], false),
    mockApnsTarget(`mock APNs accept-all, ${workers} workers`, ['--workers', String(workers), '--accept-all'], [], false),
  ];
}

/** Per round, each target's req/s over the yardstick's in the same round. */
export function roundRatios(target: Target, yardstick: Target): number[] {
  return target.results.map((r, i) => r.perSecond / ((yardstick.results[i]?.perSecond as number) ?? Number.NaN));
}

const range = (values: readonly number[]): string => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

/** The markdown section: the command, the table (median req/s, median of per-round ratios with their range). */
export function mockWorkersSection(targets: readonly Target[], workers: number, requests: number, rounds: number): string[] {
  const bare = targets[0] as Target;
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  return [
    `## The mock APNs on ${workers} worker processes under h2load`,
    '',
    `\`pushsim mock apns --workers ${workers}\` (one port, node:cluster round-robin; docs/mock-workers.md) beside the bare \`node:http2\` server run as ${workers} cluster workers the same way, \`${describeH2load(requests)}\`, ${rounds} interleaved rounds, each on fresh servers warmed up with an uncounted run. Only h2load is pinned: the servers' processes share every core. "× bare" is the median of per-round ratios, with their range; CPU counts the primary and its workers (/proc).`,
    '',
    '| server | requests/s | × bare (range) | CPU µs/request, all its processes |',
    '|---|---:|---:|---:|',
    ...targets.map((target) => {
      const r = roundRatios(target, bare);
      return `| ${target.name} | ${fmt(medianPerSecond(target))} | ${median(r).toFixed(2)} (${range(r)}) | ${medianCpu(target).toFixed(1)} |`;
    }),
    '',
  ];
}
