/**
 * `latency: { kind: recorded, file }`: sampling a profile's per-attempt HDR histogram. The issue's
 * acceptance, deterministically: a lognormal (median 20 ms, sigma 0.5) recorded and replayed keeps
 * its p50 and p99 within 5 % (here within 1 %).
 */
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../core/errors.js';
import { createLatencyHistogram, decodeHistogram } from '../../reports/histogram.js';
import { createSampler, validateLatencySpec } from '../../simulator/distributions.js';
import { createRandom } from '../../simulator/random.js';
import { quantileTable, recordedSampler } from '../../simulator/recorded-latency.js';
import { apnsMix, lognormalPart, profileOf, writeTemp } from './profile-fixtures.js';

const part = lognormalPart(20, 0.5, 200_000, apnsMix);
const file = writeTemp(profileOf({ apns: part }));

function replayed(sample: () => number, n: number): { p50: number; p99: number; min: number; max: number } {
  const histogram = createLatencyHistogram();
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  try {
    for (let i = 0; i < n; i++) {
      const ms = sample();
      min = Math.min(min, ms);
      max = Math.max(max, ms);
      histogram.recordMs(ms);
    }
    return { p50: histogram.percentileMs(50), p99: histogram.percentileMs(99), min, max };
  } finally {
    histogram.destroy();
  }
}

describe('recorded latency', () => {
  it('reproduces the recorded p50 and p99 within 1 % from 200,000 samples', () => {
    const sample = createSampler({ kind: 'recorded', file }, createRandom(42));
    const got = replayed(sample, 200_000);
    expect(part.latencyMs.p50).toBeGreaterThan(19.5);
    expect(part.latencyMs.p50).toBeLessThan(20.5);
    expect(Math.abs(got.p50 / part.latencyMs.p50 - 1)).toBeLessThan(0.01);
    expect(Math.abs(got.p99 / part.latencyMs.p99 - 1)).toBeLessThan(0.01);
    // Never outside what was recorded.
    expect(got.min).toBeGreaterThanOrEqual(0);
    expect(got.max).toBeLessThanOrEqual(part.latencyMs.max + 0.001);
  });

  it('reads the quantiles in one pass exactly as HdrHistogram reports them', () => {
    const table = quantileTable(part.latencyMs.hdr, 'test');
    const histogram = decodeHistogram(part.latencyMs.hdr);
    try {
      for (const [index, percentile] of [[1, 0.01], [5000, 50], [9000, 90], [9900, 99], [9990, 99.9]] as const) {
        expect(table[index]).toBeCloseTo(histogram.percentileMs(percentile), 3);
      }
    } finally {
      histogram.destroy();
    }
    expect(table[10_000]).toBeCloseTo(part.latencyMs.max, 3);
    for (let i = 1; i < table.length; i++) expect(table[i]).toBeGreaterThanOrEqual(table[i - 1] ?? 0);
  });

  it('is deterministic with the seed', () => {
    const table = quantileTable(part.latencyMs.hdr, 'test');
    const draw = (seed: number): number[] => {
      const sample = recordedSampler(table, createRandom(seed));
      return Array.from({ length: 20 }, () => sample());
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });

  it('picks the provider from a file with several, and needs it named', () => {
    const two = writeTemp(profileOf({ apns: part, fcm: lognormalPart(80, 0.3, 10_000, [{ status: 200, count: 10_000 }]) }));
    const fcm = replayed(createSampler({ kind: 'recorded', file: two, provider: 'fcm' }, createRandom(1)), 20_000);
    expect(fcm.p50).toBeGreaterThan(76);
    expect(fcm.p50).toBeLessThan(84);
    expect(validateLatencySpec({ kind: 'recorded', file: two })).toEqual([`latency.file: profile ${two}: it holds apns, fcm: name one with latency.provider`]);
    expect(() => createSampler({ kind: 'recorded', file: two }, createRandom(1))).toThrow(InvalidConfigError);
  });

  it('names a missing file, a bad one, a provider it lacks and wrong fields', () => {
    expect(validateLatencySpec({ kind: 'recorded', file: '/nonexistent/p.json' })[0]).toMatch(/^latency\.file: profile \/nonexistent\/p\.json: the file .*(no such file|does not exist)/i);
    expect(validateLatencySpec({ kind: 'recorded', file, provider: 'webpush' })).toEqual([`latency.file: profile ${file}: providers.webpush: the profile has no webpush part (it holds apns); record one from a run that sent to webpush, or name one of those`]);
    expect(validateLatencySpec({ kind: 'recorded', file: 3, provider: 'x' })).toEqual(['latency.file must be the path of a profile file (pushsim run --record-profile FILE), got 3']);
    expect(validateLatencySpec({ kind: 'recorded', file, provider: 'gcm' })).toEqual(["latency.provider must be one of apns, fcm, webpush, got 'gcm'"]);
    expect(validateLatencySpec({ kind: 'recorded', file, ms: 3 })).toEqual(["latency.ms is not a field of kind 'recorded' (fields: file, provider)"]);
  });
});
