import { describe, expect, it } from 'vitest';
import { DeliveryLedger } from '../../../simulator/ledger/ledger.js';

describe('DeliveryLedger', () => {
  it('counts deliveries, and duplicates by client id, per token, provider and phase', () => {
    let now = 1_000;
    const ledger = new DeliveryLedger({ clock: { now: () => now }, phaseAt: (at) => (at < 2_000 ? 'healthy' : 'degraded'), maxRecords: 100 });
    ledger.record({ provider: 'apns', token: 't1', notificationId: 'AAAA-1', deliveryId: 'AAAA-1', attempt: 1 });
    ledger.record({ provider: 'apns', token: 't2', notificationId: 'bbbb-2', attempt: 1 });
    now = 2_500;
    // The same notification again (ids compare case-insensitively: APNs UUIDs).
    const again = ledger.record({ provider: 'apns', token: 't1', notificationId: 'aaaa-1', attempt: 2 });
    expect(again).toMatchObject({ duplicateOf: 1, phase: 'degraded', at: 2_500, attempt: 2 });
    ledger.record({ provider: 'fcm', token: 't1', body: '{"message":{"token":"t1"}}' });
    ledger.record({ provider: 'fcm', token: 't1', body: Buffer.from('{"message":{"token":"t1"}}') });
    ledger.record({ provider: 'fcm', token: 't1', body: '{"message":{"token":"t1","data":{"n":"2"}}}' });
    expect(ledger.summary()).toEqual({
      delivered: 6,
      unique: 4,
      unidentified: 0,
      duplicates: 2,
      tokensWithDuplicates: 1,
      duplicatesByToken: { t1: 2 },
      byProvider: { apns: { delivered: 3, duplicates: 1 }, fcm: { delivered: 3, duplicates: 1 } },
      byPhase: { healthy: { delivered: 2, duplicates: 0 }, degraded: { delivered: 4, duplicates: 2 } },
      recordsKept: 6,
    });
    expect(ledger.duplicatesFor('t1')).toBe(2);
  });

  it('without an id or body, every delivery is its own notification', () => {
    const ledger = new DeliveryLedger();
    ledger.record({ provider: 'webpush', token: '/push/1', deliveryId: 'https://push.example/m/1' });
    ledger.record({ provider: 'webpush', token: '/push/1' });
    expect(ledger.summary()).toMatchObject({ delivered: 2, unique: 2, unidentified: 2, duplicates: 0, byPhase: { run: { delivered: 2, duplicates: 0 } } });
  });

  it('recordUnidentified(provider, at, n) counts what n record() calls without an identity count, with or without kept records', () => {
    const phaseAt = (at: number): string => (at < 2_000 ? 'healthy' : 'degraded');
    for (const maxRecords of [0, 10]) {
      const runs = new DeliveryLedger({ phaseAt, maxRecords });
      const single = new DeliveryLedger({ phaseAt, maxRecords });
      for (const [provider, at, n] of [['apns', 1_000, 3], ['fcm', 1_500, 1], ['apns', 2_500, 4], ['webpush', 2_600, 0]] as const) {
        runs.recordUnidentified(provider, at, n);
        for (let i = 0; i < n; i++) single.record({ provider, token: '', at });
      }
      runs.record({ provider: 'apns', token: 't', notificationId: 'x', at: 2_700 });
      single.record({ provider: 'apns', token: 't', notificationId: 'x', at: 2_700 });
      expect(runs.summary()).toEqual(single.summary());
      expect(runs.summary()).toMatchObject({ delivered: 9, unidentified: 8, byPhase: { healthy: { delivered: 4 }, degraded: { delivered: 5 } } });
      expect(runs.records().length).toBe(single.records().length);
    }
  });

  it('remembers identities for one to two windows: retries are duplicates, a repeat long after is new', () => {
    let now = 0;
    const ledger = new DeliveryLedger({ clock: { now: () => now }, identityWindowMs: 1_000 });
    const deliver = (at: number): number => {
      now = at;
      return ledger.record({ provider: 'apns', token: 't', notificationId: 'n-1' }).duplicateOf;
    };
    expect([deliver(0), deliver(900), deliver(1_500), deliver(3_200)]).toEqual([0, 1, 2, 3]);
    // Two quiet windows: both generations forgotten.
    expect(deliver(6_000)).toBe(0);
    expect(ledger.summary()).toMatchObject({ delivered: 5, unique: 2, duplicates: 3 });
    expect(() => new DeliveryLedger({ identityWindowMs: 0 })).toThrow(/identityWindowMs/);
  });

  it('never takes an APNs body for an identity: without an apns-id, repeats are unidentified', () => {
    const ledger = new DeliveryLedger();
    for (let i = 0; i < 3; i++) ledger.record({ provider: 'apns', token: 't', body: '{"aps":{}}' });
    ledger.record({ provider: 'fcm', token: 't', body: '{"message":{}}' });
    ledger.record({ provider: 'fcm', token: 't', body: '{"message":{}}' });
    expect(ledger.summary()).toMatchObject({ delivered: 5, unidentified: 3, duplicates: 1, unique: 4 });
  });

  it('keeps no records by default, and counts exactly anyway', () => {
    const ledger = new DeliveryLedger();
    ledger.record({ provider: 'apns', token: 't', notificationId: 'n' });
    expect(ledger.records()).toEqual([]);
    expect(ledger.summary()).toMatchObject({ delivered: 1, recordsKept: 0 });
  });

  it('keeps counting past maxRecords, keeping the newest records', () => {
    const ledger = new DeliveryLedger({ maxRecords: 4 });
    for (let i = 0; i < 10; i++) ledger.record({ provider: 'apns', token: `t${i}`, notificationId: `n${i}` });
    expect(ledger.summary()).toMatchObject({ delivered: 10, unique: 10 });
    expect(ledger.records().length).toBeLessThanOrEqual(4);
    expect(ledger.records().at(-1)?.token).toBe('t9');
    ledger.clear();
    expect(ledger.summary()).toMatchObject({ delivered: 0, recordsKept: 0 });
  });

  it('rejects bad options at construction', () => {
    expect(() => new DeliveryLedger({ maxRecords: -1 })).toThrow(/maxRecords must be an integer/);
  });
});
