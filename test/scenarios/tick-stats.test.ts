/** The live status's glance at the last tick (scenarios/tick-stats.ts): p99, phase, breaker. */
import { describe, expect, it } from 'vitest';
import { TickStats, worseBreaker } from '../../scenarios/tick-stats.js';

describe('TickStats', () => {
  it('p99 of what was accepted in the tick, then a fresh tick; null when nothing was', () => {
    const stats = new TickStats(undefined);
    for (let i = 1; i <= 100; i++) stats.onAccepted(i);
    expect(stats.takeP99()).toBe(99);
    expect(stats.takeP99()).toBeNull();
    stats.onAccepted(7);
    expect(stats.takeP99()).toBe(7);
  });

  it('keeps a bounded sample past 4,096 values per tick, and its p99 stays close', () => {
    const stats = new TickStats(undefined);
    // 100,000 values 0..99,999 in a shuffled order: the true p99 is 98,999.
    for (let i = 0; i < 100_000; i++) stats.onAccepted((i * 7_919) % 100_000);
    const p99 = stats.takeP99() as number;
    expect(Math.abs(p99 - 98_999)).toBeLessThan(1_000);
  });

  it('the worst breaker state among origins, undefined until one changed', () => {
    const stats = new TickStats(undefined);
    expect(stats.breaker()).toBeUndefined();
    stats.onBreakerStateChange('https://a', 'open');
    stats.onBreakerStateChange('https://b', 'half-open');
    expect(stats.breaker()).toBe('open');
    stats.onBreakerStateChange('https://a', 'closed');
    expect(stats.breaker()).toBe('half-open');
    expect(worseBreaker('closed', undefined)).toBe('closed');
    expect(worseBreaker('half-open', 'open')).toBe('open');
  });

  it('names the fault phase at a time of the run, and nothing without phases', () => {
    const stats = new TickStats([{ name: 'healthy', durationMs: 3_000 }, { name: 'brownout', durationMs: 2_000 }, { name: 'recovering' }]);
    expect([0, 2_999, 3_000, 4_999, 9_000].map((t) => stats.phaseAt(t))).toEqual(['healthy', 'healthy', 'brownout', 'brownout', 'recovering']);
    expect(new TickStats(undefined).phaseAt(1_000)).toBeUndefined();
  });
});
