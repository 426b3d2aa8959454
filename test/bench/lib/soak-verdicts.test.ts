import { describe, expect, it } from 'vitest';
import { defaultBounds, median, sampleTable, soakVerdicts } from '../../../bench/lib/soak-verdicts.js';
import type { SoakSample } from '../../../bench/lib/soak-verdicts.js';
import type { TimelineSecond } from '../../../reports/timeline.js';

const MB = 1024 * 1024;
const hour = 3_600;

/** An hour of per-second entries with p99 from `p99At(second)`. */
function timeline(p99At: (second: number) => number | null, seconds = hour): TimelineSecond[] {
  return Array.from({ length: seconds + 2 }, (_, second) => ({
    second,
    scheduled: 5_000,
    accepted: 4_900,
    rejected: 100,
    failed: 0,
    expired: 0,
    dropped: 0,
    p50: 8,
    p99: p99At(second),
    max: 90,
    senderDelayMs: second % 60 === 0 ? 30 : 2,
    senderGcMs: 5,
    mockDelayMs: 1,
    mockGcMs: 2,
  }));
}

/** One sample every 10 s of an hour, RSS from `rssAt(second)` in MB. */
function samples(rssAt: (second: number) => number): SoakSample[] {
  return Array.from({ length: hour / 10 }, (_, i) => ({ second: (i + 1) * 10, rssBytes: rssAt((i + 1) * 10) * MB, heapUsedBytes: 60 * MB }));
}

const bounds = defaultBounds(60);

describe('soakVerdicts', () => {
  it('uses the acceptance’s 5th minute and 10-minute windows for an hour, scaled down for shorter runs', () => {
    expect(defaultBounds(60)).toEqual({ settleMinutes: 5, windowMinutes: 10 });
    expect(defaultBounds(5)).toEqual({ settleMinutes: 5 / 6, windowMinutes: 5 / 3 });
  });

  it('passes a flat hour: RSS within ±10 % of minute 5, median and worst p99 steady', () => {
    // Memory climbs while the first windows fill, then holds (±3 %); p99 wobbles around 45 ms with a spike a minute.
    const verdicts = soakVerdicts(samples((s) => (s < 300 ? 300 + s : 600 + 18 * (((s / 10 + 1) % 3) - 1))), timeline((s) => (s % 60 === 30 ? 120 : 45 + (s % 7))), hour, bounds);
    expect(verdicts.rss).toMatchObject({ passed: true });
    expect(verdicts.rss.line).toMatch(/^RSS after minute 5 \(600 MB\) to the end: 582 MB–618 MB \(−3\.0 % … \+3\.0 %; bound ±10 %\) — PASS$/);
    expect(verdicts.median.line).toMatch(/^median per-second p99, last 10 min vs first 10 min: 48\.0 ms vs 48\.0 ms \(\+0\.0 %; bound ±20 %\) — PASS$/);
    expect(verdicts.worst.line).toMatch(/^worst per-second p99 per 10-min window: 120\.0, 120\.0, 120\.0, 120\.0, 120\.0, 120\.0 ms; last 120\.0 ms \/ first 120\.0 ms = 1\.00 \(bound ≤ 1\.25\) — PASS$/);
  });

  it('fails memory that keeps growing, a tail that drifts up, and a worst second that grows', () => {
    // What the issue saw: RSS 518 → 747 MB, worst p99 200 → 600 ms.
    const verdicts = soakVerdicts(samples((s) => 500 + s / 10), timeline((s) => 45 + s / 100), hour, bounds);
    expect(verdicts.rss).toMatchObject({ passed: false, line: expect.stringMatching(/^RSS after minute 5 \(530 MB\) to the end: 530 MB–860 MB \(\+0\.0 % … \+62\.3 %; bound ±10 %\) — FAIL$/) });
    expect(verdicts.median.passed).toBe(false);
    expect(verdicts.worst.passed).toBe(false);
    expect(verdicts.worst.line).toMatch(/= \d\.\d\d \(bound ≤ 1\.25\) — FAIL$/);
  });

  it('says so rather than passing when there is nothing to compare', () => {
    const verdicts = soakVerdicts([], timeline(() => null, 60), 60, defaultBounds(1));
    expect(verdicts.rss).toEqual({ passed: false, line: expect.stringMatching(/^RSS: no samples after minute/) });
    expect(verdicts.median.passed).toBe(false);
    expect(verdicts.worst.passed).toBe(false);
  });
});

describe('sampleTable', () => {
  it('summarises the seconds since the previous sample: p99 median and worst, the longest own delay, GC time summed', () => {
    const table = sampleTable(samples(() => 600).slice(0, 2), timeline((s) => 40 + s));
    const rows = table.split('\n');
    expect(rows[0]).toBe('| minute | RSS MB | heap MB | p99 median ms | p99 worst ms | sender delay max ms | mock delay max ms | sender GC ms | mock GC ms |');
    // Seconds 0–9: p99 40…49, second 0 had a 30 ms sender delay, 10 × 5 ms of GC.
    expect(rows[2]).toBe('| 0.17 | 600 | 60 | 44.5 | 49.0 | 30.0 | 1.0 | 50.0 | 20.0 |');
    expect(rows[3]).toBe('| 0.33 | 600 | 60 | 54.5 | 59.0 | 2.0 | 1.0 | 50.0 | 20.0 |');
  });

  it('median of an even and an odd count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
