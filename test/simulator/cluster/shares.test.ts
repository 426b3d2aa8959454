/** Count-based and metered faults divided between workers so that the whole mock behaves as one. */
import { describe, expect, it } from 'vitest';
import { shareOfCount, shareOfDocument, shareOfFault } from '../../../simulator/cluster/shares.js';

describe('shareOfCount', () => {
  it('gives each worker its part of a count, the parts adding up to the count', () => {
    expect([0, 1, 2].map((index) => shareOfCount(600_000, index, 3))).toEqual([200_000, 200_000, 200_000]);
    expect([0, 1].map((index) => shareOfCount(41, index, 2))).toEqual([21, 20]);
  });
});

describe('shareOfFault', () => {
  it('splits a limit so that the shares add up to it', () => {
    const shares = [0, 1, 2].map((index) => shareOfFault({ kind: 'error', limit: 7 }, index, 3).limit);
    expect(shares).toEqual([3, 2, 2]);
    expect([0, 1].map((index) => shareOfFault({ kind: 'error', limit: 1 }, index, 2).limit)).toEqual([1, 0]);
  });

  it('divides a throttle of the whole mock, keeps one per connection or device as it is', () => {
    expect(shareOfFault({ kind: 'throttle', ratePerSecond: 100, burst: 10 } as never, 0, 2)).toMatchObject({ ratePerSecond: 50, burst: 5 });
    expect(shareOfFault({ kind: 'throttle', per: 'project', ratePerSecond: 3 } as never, 1, 2)).toMatchObject({ ratePerSecond: 1.5, burst: 2 });
    expect(shareOfFault({ kind: 'throttle', per: 'device', ratePerSecond: 4, burst: 4 } as never, 0, 2)).toMatchObject({ ratePerSecond: 4, burst: 4 });
    expect(shareOfFault({ kind: 'latency', distribution: { kind: 'fixed', ms: 5 } } as never, 0, 2)).toEqual({ kind: 'latency', distribution: { kind: 'fixed', ms: 5 } });
  });

  it('shares every fault of a document and leaves its seed and phases alone', () => {
    expect(shareOfDocument({ seed: 4, phases: [{ name: 'a' }], faults: [{ kind: 'error', limit: 3 }] }, 1, 2)).toEqual({ seed: 4, phases: [{ name: 'a' }], faults: [{ kind: 'error', limit: 1 }] });
    expect(shareOfDocument(undefined, 0, 2)).toBeUndefined();
  });
});
