/**
 * The mock APNs on two worker processes serving one port: both workers serve, the ledger counts a
 * duplicate that reached the two workers once, a fault added through the control API applies on
 * both, stats add up, and close() sends GOAWAY to every client. Workers run the .ts sources through
 * a shim (fixtures/ts-cluster-worker.mjs).
 */
import type { ClientHttp2Session } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { checkMockWorkers, startMockApnsCluster, type MockApnsCluster } from '../../../simulator/cluster/primary.js';
import { deviceToken, openClient, request, signProviderToken, validHeaders } from '../apns/helpers.js';

const workerUrl = new URL('../fixtures/ts-cluster-worker.mjs', import.meta.url);
/** Each test starts two processes that each transpile the mock's sources: on a busy 2-core machine that alone can take half a minute. */
const clusterTestTimeout = 120_000;
let mock: MockApnsCluster | undefined;
const clients: ClientHttp2Session[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await mock?.close();
  mock = undefined;
}, clusterTestTimeout);

/** Opens a connection and sends one push on it (a new connection goes to the next worker in turn). */
async function pushOnNewConnection(cluster: MockApnsCluster, jwt: string, token: string, apnsId: string): Promise<{ client: ClientHttp2Session; status: number; body: string }> {
  const client = openClient(cluster);
  clients.push(client);
  const answer = await request(client, { path: `/3/device/${token}`, headers: validHeaders(jwt, { 'apns-id': apnsId }), body: '{"aps":{}}' });
  return { client, status: answer.status, body: answer.body };
}

describe('startMockApnsCluster', { timeout: clusterTestTimeout }, () => {
  it('serves one port from both workers, and counts a duplicate that reached each worker once', async () => {
    mock = await startMockApnsCluster({}, 2, { workerUrl });
    const jwt = await signProviderToken(mock.credentials);
    const id = '5e3a07a4-2c1b-4b5e-9a2d-000000000001';
    const first = await pushOnNewConnection(mock, jwt, deviceToken(1), id);
    const second = await pushOnNewConnection(mock, jwt, deviceToken(1), id);
    expect([first.status, second.status]).toEqual([200, 200]);
    // One request on each worker: the two deliveries of one notification met different workers.
    expect((await mock.workerStats()).map((s) => s.requests)).toEqual([1, 1]);
    const ledger = await mock.ledgerSummary();
    expect(ledger).toMatchObject({ delivered: 2, unique: 1, duplicates: 1, duplicatesByToken: { [deviceToken(1)]: 1 } });
    expect(await mock.stats()).toMatchObject({ requests: 2, accepted: 2, rejected: 0, connections: 2 });
  });

  it('applies a fault added through the control API on every worker, and counts its injections over all', async () => {
    mock = await startMockApnsCluster({ control: { port: 0 } }, 2, { workerUrl });
    expect(mock.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const added = await fetch(`${mock.controlUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'error', id: 'down', apns: 'ServiceUnavailable' }) });
    expect(added.status).toBe(201);
    const jwt = await signProviderToken(mock.credentials);
    const answers = [];
    for (let n = 1; n <= 4; n++) answers.push(await pushOnNewConnection(mock, jwt, deviceToken(n), `5e3a07a4-2c1b-4b5e-9a2d-00000000000${n}`));
    expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 503]);
    expect((await mock.workerStats()).map((s) => s.requests)).toEqual([2, 2]);
    const listed = (await (await fetch(`${mock.controlUrl}/faults`)).json()) as { faults: { id: string; injected: number }[] };
    expect(listed.faults).toEqual([expect.objectContaining({ id: 'down', injected: 4 })]);
    const metrics = await (await fetch(`${mock.controlUrl}/metrics`)).text();
    expect(metrics).toContain('pushsim_faults_injected_total{kind="error",fault="down"} 4');
    const removed = await fetch(`${mock.controlUrl}/faults/down`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    const after = await pushOnNewConnection(mock, jwt, deviceToken(9), '5e3a07a4-2c1b-4b5e-9a2d-000000000009');
    expect(after.status).toBe(200);
  });

  it('splits a fault limit between the workers so that the whole mock injects at most the limit', async () => {
    mock = await startMockApnsCluster({ faults: { faults: [{ kind: 'error', id: 'twice', apns: 'InternalServerError', limit: 2 }] } }, 2, { workerUrl });
    const jwt = await signProviderToken(mock.credentials);
    const statuses = [];
    for (let n = 1; n <= 6; n++) statuses.push((await pushOnNewConnection(mock, jwt, deviceToken(n), `5e3a07a4-2c1b-4b5e-9a2d-00000000001${n}`)).status);
    expect(statuses.filter((s) => s === 500)).toHaveLength(2);
    expect(await mock.faultList()).toEqual([expect.objectContaining({ id: 'twice', injected: 2 })]);
  });

  it('starts paused faults on every worker at one new epoch with resetFaults(), and clears the one ledger', async () => {
    mock = await startMockApnsCluster({ faults: { faults: [{ kind: 'error', id: 'later', apns: 'ServiceUnavailable' }] }, faultsPaused: true }, 2, { workerUrl });
    const jwt = await signProviderToken(mock.credentials);
    const healthy = [await pushOnNewConnection(mock, jwt, deviceToken(1), '5e3a07a4-2c1b-4b5e-9a2d-000000000031'), await pushOnNewConnection(mock, jwt, deviceToken(2), '5e3a07a4-2c1b-4b5e-9a2d-000000000032')];
    expect(healthy.map((a) => a.status)).toEqual([200, 200]);
    expect((await mock.ledgerSummary()).delivered).toBe(2);
    const before = mock.faults?.startedAt ?? 0;
    await mock.resetFaults();
    expect(mock.faults?.startedAt).toBeGreaterThanOrEqual(before);
    expect((await mock.ledgerSummary()).delivered).toBe(0);
    const faulted = [await pushOnNewConnection(mock, jwt, deviceToken(3), '5e3a07a4-2c1b-4b5e-9a2d-000000000033'), await pushOnNewConnection(mock, jwt, deviceToken(4), '5e3a07a4-2c1b-4b5e-9a2d-000000000034')];
    expect(faulted.map((a) => a.status)).toEqual([503, 503]);
    expect(await mock.faultList()).toEqual([expect.objectContaining({ id: 'later', injected: 2 })]);
  });

  it('refuses options that cannot cross into a process, before starting any', async () => {
    await expect(startMockApnsCluster({ clock: { now: () => 0 } } as never, 2, { workerUrl })).rejects.toThrow(/clock, onPush, ledger and a latency function cannot cross/);
    await expect(startMockApnsCluster({ mtls: 'apple' }, 2, { workerUrl })).rejects.toThrow(/mtls: 'apple'/);
  });

  it('closes every worker gracefully: each client sees GOAWAY, then its connection closes', async () => {
    mock = await startMockApnsCluster({}, 2, { workerUrl });
    const jwt = await signProviderToken(mock.credentials);
    const connected = [await pushOnNewConnection(mock, jwt, deviceToken(1), '5e3a07a4-2c1b-4b5e-9a2d-000000000021'), await pushOnNewConnection(mock, jwt, deviceToken(2), '5e3a07a4-2c1b-4b5e-9a2d-000000000022')];
    const events = connected.map(({ client }) => new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      client.on('goaway', () => seen.push('goaway'));
      client.on('close', () => resolve([...seen, 'close']));
    }));
    await mock.close();
    expect(await Promise.all(events)).toEqual([['goaway', 'close'], ['goaway', 'close']]);
    // What was counted before closing stays readable.
    expect((await mock.stats()).requests).toBe(2);
    expect(mock.ledger.summary().delivered).toBe(2);
  });

  it('reports a worker that dies on its own as an error naming it, and closes the rest', async () => {
    mock = await startMockApnsCluster({}, 2, { workerUrl });
    const { default: cluster } = await import('node:cluster');
    const victim = Object.values(cluster.workers ?? {})[0];
    victim?.process.kill('SIGKILL');
    await expect(mock.crashed).rejects.toThrow(/mock worker \d of 2 \(pid \d+\) exited on SIGKILL unexpectedly/);
    await expect(mock.stats()).resolves.toBeDefined();
  });

  it('refuses a number of workers outside 1–64', () => {
    expect(() => checkMockWorkers(0)).toThrow(/from 1 to 64, got 0/);
    expect(() => checkMockWorkers(1.5)).toThrow(/from 1 to 64/);
    expect(checkMockWorkers(2)).toBe(2);
  });
});
