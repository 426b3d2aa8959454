/** Delivered but not acknowledged: the ledger's distinct deliveries set against the sender's acceptances, per provider. */
import { describe, expect, it } from 'vitest';
import { AcknowledgementCounter, describeNotAcknowledged, withAcknowledgements } from '../../reports/delivery.js';
import type { LedgerSummary } from '../../simulator/ledger/ledger.js';
import { accepted, failed, rejected } from './fixtures.js';

const ledger = (byProvider: LedgerSummary['byProvider'], unidentified = 0): Omit<LedgerSummary, 'recordsKept'> => {
  const delivered = Object.values(byProvider).reduce((n, c) => n + c.delivered, 0);
  const duplicates = Object.values(byProvider).reduce((n, c) => n + c.duplicates, 0);
  return { delivered, unique: delivered - duplicates, unidentified, duplicates, tokensWithDuplicates: 0, duplicatesByToken: {}, byProvider, byPhase: {} };
};

describe('AcknowledgementCounter', () => {
  it('counts accepted outcomes per provider, not those of another status or delivered through a fallback route', () => {
    const counter = new AcknowledgementCounter();
    for (const outcome of [accepted(), accepted(2), { ...accepted(), provider: 'fcm' as const }, rejected('Unregistered'), failed(), { ...accepted(), route: 'webhook' }]) counter.onOutcome(outcome);
    expect(counter.snapshot()).toEqual({ apns: 2, fcm: 1 });
  });
});

describe('withAcknowledgements', () => {
  it('is the distinct deliveries less the acknowledged ones, per provider and in total, exact when every delivery had an identity', () => {
    // APNs: 100 delivered, 5 of them duplicates (retries after a lost answer): 95 notifications; 90 acknowledged.
    const summary = withAcknowledgements(ledger({ apns: { delivered: 100, duplicates: 5 }, fcm: { delivered: 10, duplicates: 0 } }), { apns: 90, fcm: 10 });
    expect(summary).toMatchObject({
      delivered: 110,
      acknowledged: 100,
      notAcknowledged: 5,
      notAcknowledgedExact: true,
      byProvider: { apns: { delivered: 100, duplicates: 5, acknowledged: 90, notAcknowledged: 5 }, fcm: { delivered: 10, duplicates: 0, acknowledged: 10, notAcknowledged: 0 } },
    });
  });

  it('says it is an estimate when deliveries had no identity, or more were acknowledged than delivered', () => {
    expect(withAcknowledgements(ledger({ apns: { delivered: 10, duplicates: 0 } }, 3), { apns: 8 })).toMatchObject({ notAcknowledged: 2, notAcknowledgedExact: false });
    // 12 acknowledged, 10 distinct deliveries: identities were lost somewhere; never a negative count.
    expect(withAcknowledgements(ledger({ apns: { delivered: 10, duplicates: 0 } }), { apns: 12 })).toMatchObject({ notAcknowledged: 0, notAcknowledgedExact: false, byProvider: { apns: { notAcknowledged: 0 } } });
    // A provider acknowledged without any delivery in the ledger.
    expect(withAcknowledgements(ledger({}), { fcm: 1 })).toMatchObject({ notAcknowledged: 0, notAcknowledgedExact: false, byProvider: { fcm: { delivered: 0, acknowledged: 1 } } });
  });

  it('is described for the summaries, with ≈ when not exact', () => {
    expect(describeNotAcknowledged({ notAcknowledged: 4, notAcknowledgedExact: true })).toBe('delivered but not acknowledged 4');
    expect(describeNotAcknowledged({ notAcknowledged: 4, notAcknowledgedExact: false })).toMatch(/^delivered but not acknowledged ≈4 /);
    expect(describeNotAcknowledged({})).toBeUndefined();
  });
});
