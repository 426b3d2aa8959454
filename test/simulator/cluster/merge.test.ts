/** The whole mock's numbers are its workers' added field by field. */
import { describe, expect, it } from 'vitest';
import { mergeFaultMetrics, sumRecords } from '../../../simulator/cluster/merge.js';

describe('sumRecords', () => {
  it('adds numbers at the same place, nested records too, and keeps a field only one worker has', () => {
    const merged = sumRecords([
      { requests: 3, accepted: 2, byReason: { BadDeviceToken: 1 }, connections: 1 },
      { requests: 4, accepted: 4, byReason: { BadDeviceToken: 2, Unregistered: 1 }, connections: 2 },
    ]);
    expect(merged).toEqual({ requests: 7, accepted: 6, byReason: { BadDeviceToken: 3, Unregistered: 1 }, connections: 3 });
    expect(sumRecords([])).toEqual({});
  });
});

describe('mergeFaultMetrics', () => {
  it('adds requests, responses of the same kind, injections per fault and the gauges', () => {
    const worker = (n: number) => ({
      requests: { apns: n },
      responses: [{ provider: 'apns', status: 200, reason: 'accepted', injected: false, count: n }, { provider: 'apns', status: 503, reason: 'ServiceUnavailable', injected: true, count: 1 }],
      injected: [{ id: 'down', kind: 'error', count: 1 }],
      connectionsOpened: n,
      connectionsActive: 1,
      streamsActive: 0,
    });
    expect(mergeFaultMetrics([worker(2), worker(5)])).toEqual({
      requests: { apns: 7 },
      responses: [{ provider: 'apns', status: 200, reason: 'accepted', injected: false, count: 7 }, { provider: 'apns', status: 503, reason: 'ServiceUnavailable', injected: true, count: 2 }],
      injected: [{ id: 'down', kind: 'error', count: 2 }],
      connectionsOpened: 7,
      connectionsActive: 2,
      streamsActive: 0,
    });
  });
});
