/** The `ledger` option of the mocks: record into a ledger the caller holds (a worker forwards its deliveries this way). */
import { describe, expect, it } from 'vitest';
import { startMockApns } from '../../simulator/apns/server.js';
import { FaultEngine } from '../../simulator/faults/engine.js';
import { DeliveryLedger } from '../../simulator/ledger/ledger.js';
import { deviceToken, openClient, request, signProviderToken, validHeaders } from './apns/helpers.js';

describe('the ledger option', () => {
  it('records the mock\'s deliveries in the given ledger', async () => {
    const ledger = new DeliveryLedger();
    const mock = await startMockApns({ ledger });
    const client = openClient(mock);
    try {
      const jwt = await signProviderToken(mock.credentials);
      const answer = await request(client, { path: `/3/device/${deviceToken(1)}`, headers: validHeaders(jwt, { 'apns-id': '5e3a07a4-2c1b-4b5e-9a2d-000000000001' }), body: '{"aps":{}}' });
      expect(answer.status).toBe(200);
      expect(mock.ledger).toBe(ledger);
      expect(ledger.summary()).toMatchObject({ delivered: 1, unique: 1 });
    } finally {
      client.close();
      await mock.close();
    }
  });

  it('is refused when it is not a DeliveryLedger, or beside an engine of the caller\'s', async () => {
    await expect(startMockApns({ ledger: {} as never })).rejects.toThrow(/ledger must be a DeliveryLedger/);
    const engine = new FaultEngine({ tickMs: 0 });
    try {
      await expect(startMockApns({ faults: engine, ledger: new DeliveryLedger() })).rejects.toThrow(/give ledger to your FaultEngine instead/);
    } finally {
      engine.close();
    }
  });
});
