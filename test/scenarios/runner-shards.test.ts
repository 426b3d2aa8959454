import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../core/errors.js';
import { initHistograms } from '../../reports/histogram.js';
import { mergeResults } from '../../reports/merge.js';
import { checkInvariant } from '../../reports/result.js';
import type { Result } from '../../reports/result.js';
import { smallMixedScenario } from './fixtures/small-mixed.js';
import { ScenarioRun } from '../../scenarios/runner.js';
import type { RunWaiting } from '../../scenarios/runner.js';
import { scenarioDigest } from '../../scenarios/shard.js';

const small = smallMixedScenario;

/** What must not depend on how the run was split: counts, reasons, and the APNs and FCM tokens to prune (Web Push endpoints are each mock's own). */
function outcomes(result: Result): unknown {
  const { scheduled, accepted, rejected, failed, expired, dropped } = result.counts;
  const pruned = (result.tokensToPrune ?? []).filter((t) => t.provider !== 'webpush').map((t) => `${t.provider}:${t.token}`);
  return { counts: { scheduled, accepted, rejected, failed, expired, dropped }, byReason: result.byReason, pruned: pruned.sort() };
}

beforeAll(async () => {
  await initHistograms();
});

describe('ScenarioRun with a shard', () => {
  it('three shards of a mixed run, merged, reach the same recipients as the whole run: the same counts, reasons and dead tokens', async () => {
    const whole = await new ScenarioRun(small).execute();
    const parts: Result[] = [];
    for (const index of [2, 0, 1]) parts.push(await new ScenarioRun(small, { shard: { index, count: 3 } }).execute());
    for (const part of parts) {
      expect(part.counts.scheduled).toBe(200);
      expect(part.rate.target).toBe(1000);
      expect(part.shard).toEqual({ index: part.shard?.index, count: 3, scenarioDigest: scenarioDigest(small) });
      expect(checkInvariant(part)).toBeUndefined();
      // Each second's histogram, for the merge's per-second percentiles.
      expect(part.timeline?.filter((s) => s.accepted > 0).every((s) => typeof s.hdr === 'string')).toBe(true);
    }
    expect(whole.timeline?.some((s) => s.hdr !== undefined)).toBe(false);
    const merged = mergeResults(parts);
    expect(outcomes(merged)).toEqual(outcomes(whole));
    expect(merged.counts.rejected).toBeGreaterThan(0);
    expect(merged.rate.target).toBe(3000);
    // The mocks' ledgers, each shard's own, add up to the whole's deliveries.
    expect(merged.delivery?.delivered).toBe(whole.delivery?.delivered);
    // Per-second percentiles where shards shared a second: from their histograms, none left null.
    for (const s of merged.timeline?.filter((t) => t.accepted > 0) ?? []) expect(s.p99, `second ${s.second}`).toEqual(expect.any(Number));
  });

  it('a warm-up does not shift which recipient a measured notification reaches', async () => {
    const cold = await new ScenarioRun(small).execute();
    const warm = await new ScenarioRun({ ...small, warmup: 37 }).execute();
    expect(outcomes(warm)).toEqual(outcomes(cold));
  });

  it('waits for the agreed start after getting ready, and records it; thresholds are left to the merged result', async () => {
    const startAt = Date.now() + 300;
    const waiting: RunWaiting[] = [];
    const warnings: string[] = [];
    const run = new ScenarioRun({ ...small, thresholds: ['count(failed)==0'] }, { shard: { index: 1, count: 2 }, startAt });
    run.on('waiting', (w) => waiting.push(w));
    run.on('warning', (w) => warnings.push(w));
    const result = await run.execute();
    expect(waiting).toEqual([{ startAt, waitMs: expect.any(Number) as unknown }]);
    expect(Date.parse(result.startedAt)).toBeGreaterThanOrEqual(startAt);
    expect(result.shard).toMatchObject({ index: 1, count: 2, startAt: new Date(startAt).toISOString(), lateMs: expect.any(Number) as unknown });
    expect(result.thresholds).toBeUndefined();
    expect(warnings).toContain("the scenario's thresholds are not judged on a shard (its counts and throughput are 1/2 of the run's): judge the merged result");
    expect(result.warnings).toContain(warnings[0]);
  });

  it('refuses, at construction, a shard that does not exist or has nothing to send, and a start long past', () => {
    expect(() => new ScenarioRun(small, { shard: { index: 2, count: 2 } })).toThrow(InvalidArgumentError);
    expect(() => new ScenarioRun(small, { shard: { index: 0, count: 601 } })).toThrow(/shard 0\/601 of scenario "mixed": the load plans 600 notification\(s\); 601 shards need at least 601/);
    expect(() => new ScenarioRun(small, { startAt: Date.now() - 60_000 })).toThrow(/the scheduled start .*: that is \d+\.\d s ago/);
  });
});
