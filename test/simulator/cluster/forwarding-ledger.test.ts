/** A worker's ledger batches compact identities for the primary instead of counting them itself. */
import { describe, expect, it } from 'vitest';
import { ForwardingLedger } from '../../../simulator/cluster/forwarding-ledger.js';
import type { LedgerBatch } from '../../../simulator/cluster/protocol.js';

describe('ForwardingLedger', () => {
  it('sends ids as given, bodies as a hash, and id-less deliveries as counted runs', () => {
    const sent: LedgerBatch[] = [];
    const ledger = new ForwardingLedger((batch) => sent.push(batch));
    ledger.record({ provider: 'apns', token: 't1', notificationId: 'ID-1', at: 10 });
    ledger.record({ provider: 'fcm', token: 't2', body: '{"message":{}}', at: 11 });
    ledger.record({ provider: 'fcm', token: 't3', body: '{"message":{}}', at: 11 });
    ledger.record({ provider: 'apns', token: 't4', at: 12 });
    ledger.record({ provider: 'apns', token: 't5', at: 12 });
    ledger.record({ provider: 'apns', token: 't6', at: 13 });
    expect(sent).toEqual([]);
    ledger.flush();
    expect(sent).toHaveLength(1);
    const [batch] = sent as [LedgerBatch];
    expect(batch.ids[0]).toBe('ID-1');
    // One body, one identity: the same hash for both tokens (the primary adds the token).
    expect(batch.ids[1]).toMatch(/^[0-9a-f]{16}$/);
    expect(batch.ids[2]).toBe(batch.ids[1]);
    expect(batch.tokens).toEqual(['t1', 't2', 't3']);
    expect(batch.plain).toEqual({ providers: ['apns', 'apns'], at: [12, 13], counts: [2, 1] });
    ledger.flush();
    expect(sent).toHaveLength(1);
  });

  it('sends a full batch at once, tagged with the timeline generation, and drops what clear() finds', () => {
    const sent: LedgerBatch[] = [];
    const ledger = new ForwardingLedger((batch) => sent.push(batch));
    ledger.generation = 3;
    for (let n = 0; n < 1_000; n++) ledger.record({ provider: 'apns', token: `t${n}`, notificationId: `id${n}`, at: n });
    expect(sent.map((b) => [b.generation, b.ids.length])).toEqual([[3, 1_000]]);
    ledger.record({ provider: 'apns', token: 'late', notificationId: 'late', at: 1 });
    ledger.clear();
    ledger.flush();
    expect(sent).toHaveLength(1);
  });
});
