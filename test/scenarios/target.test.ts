/**
 * What a run tells its embedded mocks about the traffic ahead (scenarios/target.ts), so their
 * ledgers size the duplicate-detection tables up front (simulator/ledger/identities.ts).
 */
import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import { expectedTraffic } from '../../scenarios/target.js';

describe('expectedTraffic', () => {
  it("is a provider's share of the planned rate and count", () => {
    expect(expectedTraffic(defaultScenario, 1)).toEqual({ ratePerSecond: 5_000, count: 50_000 });
    expect(expectedTraffic(defaultScenario, 0.25)).toEqual({ ratePerSecond: 1_250, count: 12_500 });
  });

  it('announces nothing for a closed model (no planned rate) or a provider without traffic', () => {
    expect(expectedTraffic({ ...defaultScenario, load: { executor: 'closed', inFlight: 10, count: 1_000 } }, 1)).toBeUndefined();
    expect(expectedTraffic(defaultScenario, 0)).toBeUndefined();
  });
});
