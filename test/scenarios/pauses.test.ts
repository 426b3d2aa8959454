import { describe, expect, it } from 'vitest';
import type { ThreadPauses } from '../../core/pauses.js';
import { judgePauses, pauseTail } from '../../scenarios/pauses.js';

const thread = (p99: number): ThreadPauses => ({ eventLoopDelayMs: { p50: 0.1, p99, max: p99 * 2 }, gc: { count: 3, totalMs: 12, maxMs: 6, percent: 0.1 } });

describe('pauseTail', () => {
  it("adds the sender's and the mock's event-loop delay p99 and sets them against the accepted p99", () => {
    expect(pauseTail(thread(4), thread(6), 40)).toEqual({ ownP99Ms: 10, acceptedP99Ms: 40, percent: 25 });
    // An in-process mock: the sender thread's number already holds its pauses.
    expect(pauseTail(thread(4), undefined, 40)).toEqual({ ownP99Ms: 4, acceptedP99Ms: 40, percent: 10 });
    expect(pauseTail(thread(4), undefined, null)).toBeUndefined();
  });
});

describe('judgePauses', () => {
  it('says nothing below a quarter of the tail', () => {
    expect(judgePauses({ ownP99Ms: 9, acceptedP99Ms: 40, percent: 22.5 })).toEqual({});
    expect(judgePauses(undefined)).toEqual({});
  });

  it('warns from a quarter of the tail on', () => {
    const verdict = judgePauses({ ownP99Ms: 10, acceptedP99Ms: 40, percent: 25 });
    expect(verdict.reason).toBeUndefined();
    expect(verdict.warning).toMatch(/pushsim's own pauses \(.*, 10 ms\) are 25 % of the accepted p99 \(40 ms\): part of the tail is pushsim's/);
  });

  it('makes the run invalid at the bound, once the pauses are 50 ms or more', () => {
    expect(judgePauses({ ownP99Ms: 60, acceptedP99Ms: 100, percent: 60 }).reason).toMatch(/above the 50 % bound \(validity\.maxPauseSharePercent\): the tail measures pushsim, not the target/);
    // Short pauses against a fast mock stay a warning, whatever their share.
    expect(judgePauses({ ownP99Ms: 8, acceptedP99Ms: 10, percent: 80 })).toMatchObject({ warning: expect.any(String) });
    expect(judgePauses({ ownP99Ms: 8, acceptedP99Ms: 10, percent: 80 }).reason).toBeUndefined();
    // A scenario may allow more.
    expect(judgePauses({ ownP99Ms: 60, acceptedP99Ms: 100, percent: 60 }, 75)).toMatchObject({ warning: expect.any(String) });
  });
});
