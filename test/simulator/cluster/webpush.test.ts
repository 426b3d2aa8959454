/**
 * The mock Web Push service on two worker processes serving one port, one cluster for the whole file:
 * every worker knows the same subscriptions (endpoints and keys derived from one secret) and VAPID
 * key, a subscription created or expired while running changes on both, a push sent twice on
 * connections of different workers is one duplicate in the one ledger, a control-API fault applies
 * on both, and stats add up. Connections go to the workers in turn.
 */
import type { ClientHttp2Session } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockWebPushCluster, type MockWebPushCluster } from '../../../simulator/cluster/primary.js';
import type { PushSubscriptionJson } from '../../../simulator/webpush/subscriptions.js';
import { h2, openH2, type RawResponse } from '../fcm/helpers.js';
import { encryptFor, pathOf, vapidHeader } from '../webpush/helpers.js';

const workerUrl = new URL('../fixtures/ts-cluster-worker.mjs', import.meta.url);
const clusterTestTimeout = 120_000;
let mock: MockWebPushCluster;
let auth: string;
const sessions: ClientHttp2Session[] = [];

beforeAll(async () => {
  mock = await startMockWebPushCluster({ control: { port: 0 }, subscriptions: 3 }, 2, { workerUrl });
  auth = await vapidHeader(mock.vapid, mock.url);
}, clusterTestTimeout);

afterAll(async () => {
  for (const session of sessions.splice(0)) session.destroy();
  await mock?.close();
}, clusterTestTimeout);

/** One push on a new connection: the next worker in turn. */
function pushOnNewConnection(to: PushSubscriptionJson, body: Buffer = encryptFor(to, 'hello')): Promise<RawResponse> {
  const session = openH2(mock.url, mock.ca);
  sessions.push(session);
  return h2(session, { path: pathOf(to.endpoint), headers: { ttl: '60', 'content-encoding': 'aes128gcm', authorization: auth }, body });
}

describe('startMockWebPushCluster', { timeout: clusterTestTimeout }, () => {
  it('serves every subscription on every worker, and each worker decrypts with the same keys', async () => {
    expect(mock.subscriptions).toHaveLength(3);
    expect(mock.subscriptions.every((s) => s.endpoint.startsWith(`${mock.url}/push/`))).toBe(true);
    const before = await mock.workerStats();
    const statuses = [];
    for (const subscription of [...mock.subscriptions, mock.subscriptions[0]!]) statuses.push((await pushOnNewConnection(subscription)).status);
    expect(statuses).toEqual([201, 201, 201, 201]);
    const after = await mock.workerStats();
    expect(after.map((s, i) => s.created - (before[i]?.created ?? 0))).toEqual([2, 2]);
    // A subscription whose keys differed between workers would still be answered 201, but not decrypt.
    expect(after.map((s) => s.decryptFailures)).toEqual([0, 0]);
    expect(await mock.stats()).toMatchObject({ created: after[0]!.created + after[1]!.created, requests: after[0]!.requests + after[1]!.requests, rejected: 0 });
  });

  it('answers an unknown subscription with 410 on every worker', async () => {
    const unknown = { ...mock.subscriptions[0]!, endpoint: `${mock.url}/push/not-a-subscription` };
    expect([(await pushOnNewConnection(unknown)).status, (await pushOnNewConnection(unknown)).status]).toEqual([410, 410]);
  });

  it('counts a push sent on connections of both workers once in the one ledger, as a duplicate', async () => {
    const before = await mock.ledgerSummary();
    const to = mock.subscriptions[1]!;
    const body = encryptFor(to, 'sent twice');
    expect([(await pushOnNewConnection(to, body)).status, (await pushOnNewConnection(to, body)).status]).toEqual([201, 201]);
    const after = await mock.ledgerSummary();
    expect(after.delivered - before.delivered).toBe(2);
    expect(after.unique - before.unique).toBe(1);
    expect(after.duplicates - before.duplicates).toBe(1);
  });

  it('creates and expires a subscription on every worker, and lists the live ones', async () => {
    const created = await mock.createSubscription();
    expect(mock.subscriptions).toContainEqual(created);
    expect([(await pushOnNewConnection(created)).status, (await pushOnNewConnection(created)).status]).toEqual([201, 201]);
    await mock.expireSubscription(created.endpoint);
    expect(mock.subscriptions).not.toContainEqual(created);
    expect([(await pushOnNewConnection(created)).status, (await pushOnNewConnection(created)).status]).toEqual([410, 410]);
    await expect(mock.expireSubscription('https://elsewhere.example/push/x')).rejects.toThrow(/is not an endpoint of this mock/);
  });

  it('applies a fault added through the control API on both workers, and counts its injections over both', async () => {
    const added = await fetch(`${mock.controlUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'error', id: 'busy', webpush: 503 }) });
    expect(added.status).toBe(201);
    const before = await mock.workerStats();
    const statuses = [];
    for (let n = 0; n < 4; n++) statuses.push((await pushOnNewConnection(mock.subscriptions[2]!)).status);
    expect(statuses).toEqual([503, 503, 503, 503]);
    expect((await mock.workerStats()).map((s, i) => s.requests - (before[i]?.requests ?? 0))).toEqual([2, 2]);
    expect(await mock.faultList()).toEqual([expect.objectContaining({ id: 'busy', injected: 4 })]);
    expect((await fetch(`${mock.controlUrl}/faults/busy`, { method: 'DELETE' })).status).toBe(204);
    expect((await pushOnNewConnection(mock.subscriptions[2]!)).status).toBe(201);
  });
});
