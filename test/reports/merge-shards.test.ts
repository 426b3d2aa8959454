import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../core/errors.js';
import { initHistograms } from '../../reports/histogram.js';
import { mergeResults, mergeWarnings } from '../../reports/merge.js';
import { ResultCollector, checkInvariant } from '../../reports/result.js';
import { parseResult } from '../../reports/result-parse.js';
import type { FinishOptions, Result, ShardInfo, Validity } from '../../reports/result.js';
import { formatText } from '../../reports/text.js';
import { accepted, invalid, pauseReports, rejected } from './fixtures.js';

const collectors: ResultCollector[] = [];

beforeAll(async () => {
  await initHistograms();
});

afterEach(() => {
  for (const c of collectors.splice(0)) c.destroy();
});

const digest = '0123456789abcdef';
const startAt = '2026-12-06T04:00:00.000Z';

/** Shard `index` of `count`: `n` accepted at `low`…`low + 9.9` ms and one rejected, started `offsetMs` after the agreed start. */
function shard(index: number, count: number, options: { n?: number; low?: number; offsetMs?: number; info?: Partial<ShardInfo>; finish?: Partial<FinishOptions> } = {}): Result {
  const c = new ResultCollector();
  collectors.push(c);
  const n = options.n ?? 100;
  for (let i = 0; i < n; i++) {
    c.onScheduled();
    c.onOutcome(accepted(), (options.low ?? 5) + (i % 100) / 10);
  }
  c.onScheduled();
  c.onOutcome({ ...rejected('Unregistered'), token: `dead-${index}` }, 3);
  return c.finish({
    startedAt: new Date(Date.parse(startAt) + (options.offsetMs ?? 1)),
    durationMs: 2000,
    targetRate: 1000 / count,
    scenario: 'default',
    shard: { index, count, scenarioDigest: digest, startAt, lateMs: options.offsetMs ?? 1, ...options.info },
    ...options.finish,
  });
}

const valid = (overrides: Partial<Validity['evidence']> = {}): Validity => ({
  ...invalid,
  valid: true,
  reasons: [],
  evidence: { ...invalid.evidence, sendLagP99Ms: 2, ...overrides },
});

describe('mergeResults of shards', () => {
  it('merges every shard once, in shard order whatever the order given, and says so in `shards`', () => {
    const parts = [shard(2, 3, { offsetMs: 4 }), shard(0, 3), shard(1, 3, { offsetMs: 2 })];
    const merged = mergeResults(parts, ['c.json', 'a.json', 'b.json']);
    expect(merged.shards).toEqual({ count: 3, scenarioDigest: digest, startAt, startSkewMs: 3 });
    expect(merged.shard).toBeUndefined();
    expect(merged.counts).toMatchObject({ scheduled: 303, accepted: 300, rejected: 3 });
    expect(merged.rate.target).toBeCloseTo(1000, 6);
    expect(merged.tokensToPrune?.map((t) => t.token)).toEqual(['dead-0', 'dead-1', 'dead-2']);
    expect(checkInvariant(merged)).toBeUndefined();
    expect(parseResult(JSON.parse(JSON.stringify(merged)))).toEqual(merged);
    expect(formatText(merged)).toContain(`merged from all 3 shards of the scenario (digest ${digest}), started at the agreed start ${startAt} within 3.00 ms of each other`);
    expect(formatText(parts[0] as Result)).toContain(`shard 2/3 of the scenario (digest ${digest}) · agreed start ${startAt}, began 4.00 ms after it`);
  });

  it('refuses a missing shard, a shard given twice, and shards of different runs, naming the files', () => {
    const refuse = (results: Result[], names: string[], message: RegExp): void => {
      expect(() => mergeResults(results, names)).toThrow(InvalidArgumentError);
      expect(() => mergeResults(results, names)).toThrow(message);
    };
    refuse([shard(0, 3), shard(2, 3)], ['a', 'c'], /^shard 1 of 3 missing: merge needs the result of every shard of the run, each once \(2 given\)$/);
    refuse([shard(0, 3)], ['a'], /^shards 1, 2 of 3 missing/);
    refuse([shard(0, 2), shard(1, 2), shard(1, 2)], ['a', 'b', 'b2'], /^shard 1\/2 is given twice: b and b2/);
    refuse([shard(0, 2), shard(1, 3)], ['a', 'b'], /^a is shard 0\/2 but b is shard 1\/3: the shards of one run all have the same N/);
    refuse([shard(0, 2), shard(1, 2, { info: { scenarioDigest: 'fedcba9876543210' } })], ['a', 'b'], /^a and b are shards of different scenarios \("default" 0123456789abcdef vs "default" fedcba9876543210\)/);
    const whole = { ...shard(0, 1), shard: undefined };
    refuse([shard(0, 2), whole, shard(1, 2)], ['a', 'w', 'b'], /^w is not a shard \(it ran the whole scenario\) but a is shard 0\/2/);
  });

  it('still merges results without shard information (processes started by hand) as given', () => {
    const plain = (offsetMs: number): Result => ({ ...shard(0, 1, { offsetMs }), shard: undefined });
    const merged = mergeResults([plain(0), plain(10)]);
    expect(merged.shards).toBeUndefined();
    expect(merged.counts.scheduled).toBe(202);
  });

  it('is a valid measurement only when every shard was: the reasons name their shard, the evidence is the worst', () => {
    const merged = mergeResults([
      shard(0, 3, { finish: { validity: valid({ cpuPercent: 50 }) } }),
      shard(1, 3, { finish: { validity: invalid } }),
      shard(2, 3, { finish: { validity: valid({ shed: 3, fireLagP99Ms: 7 }) } }),
    ]);
    const v = merged.validity as Validity;
    expect(v.valid).toBe(false);
    expect(v.failOnOverload).toBe(true);
    expect(v.reasons).toEqual([`shard 1/3: ${invalid.reasons[0] as string}`]);
    expect(v.bottleneck).toEqual({ kind: 'sender-in-flight-limit', summary: `shard 1/3: ${invalid.bottleneck?.summary as string}` });
    expect(v.evidence).toMatchObject({ shed: 3, shedPercent: 0.99, fireLagP99Ms: 7, cpuPercent: 50, eventLoop: { utilization: 0.2 } });
    expect(v.evidence.inFlight).toMatchObject({ senderLimit: 3, targetLimit: 3000, peakQueued: 870, senderLimitedPercent: 97 });
    const allValid = mergeResults([0, 1].map((i) => shard(i, 2, { finish: { validity: valid() } })));
    expect(allValid.validity?.valid).toBe(true);
    expect(allValid.validity?.reasons).toEqual([]);
  });

  it('is interrupted (or lost its target) at the earliest moment any shard was, on the merged clock, and says which shards', () => {
    const merged = mergeResults([
      shard(0, 3, { offsetMs: 0, finish: { interrupted: { signal: 'SIGTERM', atMs: 900 } } }),
      shard(1, 3, { offsetMs: 500, finish: { interrupted: { signal: 'SIGINT', atMs: 100 } } }),
      shard(2, 3, { offsetMs: 0, finish: { unreachable: { origin: 'http://127.0.0.1:1', cause: 'ECONNREFUSED', message: 'refused', atMs: 1500 } } }),
    ]);
    expect(merged.interrupted).toEqual({ signal: 'SIGINT', atMs: 600 });
    expect(merged.unreachable).toMatchObject({ cause: 'ECONNREFUSED', atMs: 1500 });
    expect(merged.warnings).toEqual([
      'shard 0/3 was interrupted by SIGTERM at 0.90 s of its run: the merged result is partial',
      'shard 1/3 was interrupted by SIGINT at 0.10 s of its run: the merged result is partial',
      'shard 2/3 lost its target (http://127.0.0.1:1: ECONNREFUSED): the merged result is partial',
    ]);
  });

  it('lost its recipients file at the earliest moment any shard did, on the merged clock, and says which shard', () => {
    const merged = mergeResults([
      shard(0, 2, { offsetMs: 0, finish: { recipientsLost: { file: 'users.csv', problem: 'has no recipients any more', atMs: 900 } } }),
      shard(1, 2, { offsetMs: 200, finish: { recipientsLost: { file: 'users.csv', problem: 'has no recipients any more', atMs: 100 } } }),
    ]);
    expect(merged.recipientsLost).toEqual({ file: 'users.csv', problem: 'has no recipients any more', atMs: 300 });
    expect(merged.warnings).toEqual([
      'shard 0/2 lost its recipients file (users.csv has no recipients any more): the merged result is partial',
      'shard 1/2 lost its recipients file (users.csv has no recipients any more): the merged result is partial',
    ]);
  });

  it('keeps every warning once with the shards that said it, each phase over its widest span, the worst pauses', () => {
    const phases = (shiftMs: number): FinishOptions['phases'] => [
      { name: 'healthy', startMs: 0, endMs: 1000 + shiftMs },
      { name: 'brownout', startMs: 1000 + shiftMs, endMs: 2000 },
    ];
    const mockless = { sender: pauseReports.sender, tail: { ownP99Ms: 9, acceptedP99Ms: 10, percent: 90 } };
    const merged = mergeResults([
      shard(0, 2, { offsetMs: 0, finish: { warnings: ['faults that cannot fire', 'only mine'], phases: phases(0), pauses: pauseReports } }),
      shard(1, 2, { offsetMs: 0, finish: { warnings: ['faults that cannot fire'], phases: phases(5), pauses: mockless } }),
    ]);
    expect(merged.warnings).toEqual(['[shard 0/2, shard 1/2] faults that cannot fire', '[shard 0/2] only mine']);
    expect(merged.phases).toEqual([
      { name: 'healthy', startMs: 0, endMs: 1005 },
      { name: 'brownout', startMs: 1000, endMs: 2000 },
    ]);
    expect(merged.pauses?.sender).toEqual(pauseReports.sender.summary);
    expect(merged.pauses?.mock).toEqual(pauseReports.mock.summary);
    // The tail is judged again against the merged accepted p99 (5 … 14.9 ms in both shards).
    expect(merged.pauses?.tail?.ownP99Ms).toBe(9);
    expect(merged.pauses?.tail?.acceptedP99Ms).toBe(merged.latencyMs.accepted.p99);
  });

  it('names breaker transitions by shard index, and warns when the shards were given different starts', () => {
    const a = shard(0, 2);
    const b = { ...shard(1, 2), breakerTransitions: [{ atMs: 10, origin: 'http://mock', from: 'closed', to: 'open' }] };
    expect(mergeResults([b, a]).breakerTransitions).toEqual([{ atMs: 10, origin: 'http://mock [shard 1/2]', from: 'closed', to: 'open' }]);
    const other = shard(1, 2, { info: { startAt: '2026-12-06T04:00:05.000Z' } });
    expect(mergeWarnings([a, other])).toEqual([`the shards were given different starts (${startAt}, 2026-12-06T04:00:05.000Z): give every shard the same --start-at`]);
    expect(mergeResults([a, other]).shards?.startAt).toBeUndefined();
  });
});
