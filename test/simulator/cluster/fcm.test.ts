/**
 * The mock FCM on two worker processes serving one port, one cluster for the whole file (each start
 * transpiles the sources twice): an access token from one worker's OAuth endpoint is accepted by the
 * other, a message sent twice on connections of different workers is one duplicate in the one ledger,
 * a control-API fault and a token unregistered through `tokens` apply on both, stats add up, and the
 * project quota is split so the whole mock accepts exactly its limit. Connections go to the workers in turn (round-robin).
 */
import type { ClientHttp2Session } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockFcmCluster, type MockFcmCluster } from '../../../simulator/cluster/primary.js';
import { fcmToken, h2, openH2, sendRequest, signAssertion, tokenForm, type RawResponse } from '../fcm/helpers.js';

const workerUrl = new URL('../fixtures/ts-cluster-worker.mjs', import.meta.url);
const clusterTestTimeout = 120_000;
/** The whole mock's project quota for the file: small enough that the last test exhausts it on both workers. */
const projectLimit = 40;
let mock: MockFcmCluster;
let bearer: string;
const sessions: ClientHttp2Session[] = [];

beforeAll(async () => {
  mock = await startMockFcmCluster({ control: { port: 0 }, deviceQuotas: false, projectQuota: { limit: projectLimit, windowMs: 3_600_000 } }, 2, { workerUrl });
  // The token comes from one worker's OAuth endpoint, on a connection of its own.
  const session = connect();
  const answer = await h2(session, tokenForm(await signAssertion(mock.serviceAccount)));
  expect(answer.status, answer.body).toBe(200);
  bearer = (JSON.parse(answer.body) as { access_token: string }).access_token;
}, clusterTestTimeout);

afterAll(async () => {
  for (const session of sessions.splice(0)) session.destroy();
  await mock?.close();
}, clusterTestTimeout);

function connect(): ClientHttp2Session {
  const session = openH2(mock.url, mock.ca);
  sessions.push(session);
  return session;
}

/** One message on a new connection: the next worker in turn. */
const sendOnNewConnection = (body: unknown): Promise<RawResponse> => h2(connect(), sendRequest(mock.projectId, bearer, body));

describe('startMockFcmCluster', { timeout: clusterTestTimeout }, () => {
  it('accepts the access token one worker issued on connections served by every worker, and reports one service account', async () => {
    expect(mock.serviceAccount.token_uri).toBe(`${mock.url}/token`);
    const before = await mock.workerStats();
    const answers = [];
    for (let n = 1; n <= 4; n++) answers.push(await sendOnNewConnection({ message: { token: fcmToken(n), data: { n: String(n) } } }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const after = await mock.workerStats();
    // Two sends on each worker: both accepted the token only one of them issued.
    expect(after.map((s, i) => s.accepted - (before[i]?.accepted ?? 0))).toEqual([2, 2]);
    expect(after.map((s) => s.tokensIssued).sort()).toEqual([0, 1]);
    const total = await mock.stats();
    expect(total).toMatchObject({ accepted: after[0]!.accepted + after[1]!.accepted, tokensIssued: 1, requests: after[0]!.requests + after[1]!.requests });
  });

  it('refuses a made-up token on every worker', async () => {
    const refused = [];
    for (let n = 0; n < 2; n++) refused.push((await h2(connect(), sendRequest(mock.projectId, 'ya29.pushsim-made-up.AAAA', { message: { token: fcmToken(9) } }))).status);
    expect(refused).toEqual([401, 401]);
  });

  it('counts a message sent on connections of both workers once in the one ledger, as a duplicate', async () => {
    const before = await mock.ledgerSummary();
    const body = { message: { token: fcmToken(20), data: { retry: 'same body' } } };
    const statuses = [(await sendOnNewConnection(body)).status, (await sendOnNewConnection(body)).status];
    expect(statuses).toEqual([200, 200]);
    const after = await mock.ledgerSummary();
    expect(after.delivered - before.delivered).toBe(2);
    expect(after.unique - before.unique).toBe(1);
    expect(after.duplicates - before.duplicates).toBe(1);
  });

  it('applies a fault added through the control API on both workers, and counts its injections over both', async () => {
    const added = await fetch(`${mock.controlUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'error', id: 'down', fcm: 'UNAVAILABLE' }) });
    expect(added.status).toBe(201);
    const before = await mock.workerStats();
    const statuses = [];
    for (let n = 1; n <= 4; n++) statuses.push((await sendOnNewConnection({ message: { token: fcmToken(30 + n) } })).status);
    expect(statuses).toEqual([503, 503, 503, 503]);
    expect((await mock.workerStats()).map((s, i) => s.requests - (before[i]?.requests ?? 0))).toEqual([2, 2]);
    expect(await mock.faultList()).toEqual([expect.objectContaining({ id: 'down', injected: 4 })]);
    expect((await fetch(`${mock.controlUrl}/faults/down`, { method: 'DELETE' })).status).toBe(204);
    expect((await sendOnNewConnection({ message: { token: fcmToken(39) } })).status).toBe(200);
  });

  it('unregisters and reassigns a token on every worker through tokens', async () => {
    // validate_only: the registry still answers, and the project quota of the last test is not used.
    const check = async (token: string): Promise<number[]> => [(await sendOnNewConnection({ validate_only: true, message: { token } })).status, (await sendOnNewConnection({ validate_only: true, message: { token } })).status];
    await mock.tokens.unregister(fcmToken(50));
    expect(await check(fcmToken(50))).toEqual([404, 404]);
    await mock.tokens.reregister(fcmToken(50));
    expect(await check(fcmToken(50))).toEqual([200, 200]);
    await mock.tokens.assign(fcmToken(51), 'another-project');
    expect(await check(fcmToken(51))).toEqual([403, 403]);
    await expect(mock.tokens.unregister('' as string)).rejects.toThrow(/token must be a non-empty string/);
  });

  it('splits the project quota between the workers: the whole mock accepts exactly its limit', async () => {
    const statuses: number[] = [];
    // Both workers get 30 more connections: far past each one's share (20) of the 40.
    for (let n = 0; n < 60; n++) statuses.push((await sendOnNewConnection({ message: { token: fcmToken(100 + n) } })).status);
    expect(new Set(statuses)).toEqual(new Set([200, 429]));
    // Every message delivered in this file (validate_only ones are not) is one of the project's.
    expect((await mock.ledgerSummary()).delivered).toBe(projectLimit);
    const stats = await mock.stats();
    expect(stats.byErrorCode.QUOTA_EXCEEDED).toBe(statuses.filter((s) => s === 429).length);
  });
});
