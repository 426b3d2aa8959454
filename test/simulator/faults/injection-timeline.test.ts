/**
 * When the faults fired, per 100 ms of the fault timeline: counted by the engine on its own clock,
 * cleared with its reset, and added bin by bin over several mocks.
 */
import { describe, expect, it } from 'vitest';
import { FaultEngine } from '../../../simulator/faults/engine.js';
import { InjectionTimeline, injectionBinMs, maxInjectionBins, sumInjectionCounts } from '../../../simulator/faults/injection-timeline.js';

describe('InjectionTimeline', () => {
  it('counts each injection in its 100 ms bin from the start, filling the gaps with 0', () => {
    const t = new InjectionTimeline();
    t.count(0);
    t.count(99);
    t.count(250);
    t.count(-5); // a clock a hair behind the start: bin 0
    expect(t.snapshot()).toEqual({ binMs: injectionBinMs, counts: [3, 0, 1] });
    t.clear();
    expect(t.snapshot().counts).toEqual([]);
  });

  it('keeps 24 hours of bins however long it runs: later injections count in the last one', () => {
    const t = new InjectionTimeline();
    t.count(3 * 24 * 3600 * 1000);
    t.count(24 * 3600 * 1000 - 1);
    const { counts } = t.snapshot();
    expect(counts).toHaveLength(maxInjectionBins);
    expect(counts[maxInjectionBins - 1]).toBe(2);
  });

  it("sums several mocks' counts bin by bin, however long each is", () => {
    expect(sumInjectionCounts([{ binMs: 100, counts: [1, 2] }, { binMs: 100, counts: [0, 0, 0, 5] }, { binMs: 100, counts: [] }])).toEqual({ binMs: 100, counts: [1, 2, 0, 5] });
  });

  it('the engine counts what fired on its clock, and a reset starts over', () => {
    let now = 1_000_000;
    const engine = new FaultEngine({ clock: { now: () => now }, tickMs: 0, spec: { faults: [{ kind: 'error', id: 'e', apns: 'InternalServerError' }] } });
    try {
      const request = { provider: 'apns' as const, token: 'a'.repeat(64) };
      engine.decide(request);
      now += 350;
      engine.decide(request);
      engine.decide(request);
      expect(engine.injections.snapshot().counts).toEqual([1, 0, 0, 2]);
      expect(engine.list()[0]?.injected).toBe(3);
      engine.reset();
      now += 120;
      engine.decide(request);
      expect(engine.injections.snapshot().counts).toEqual([0, 1]);
    } finally {
      engine.close();
    }
  });
});
