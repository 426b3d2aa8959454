/**
 * End to end: the real sender against the real mock APNs over a real socket, h2c and TLS.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ApnsSender } from '../../sender/apns-sender.js';
import type { Outcome } from '../../sender/outcome.js';
import { startMockApns } from '../../simulator/apns/server.js';
import type { MockApns } from '../../simulator/apns/server.js';

const topic = 'com.example.e2e';
const token = (i: number): string => i.toString(16).padStart(64, '0');

let mock: MockApns | undefined;
let sender: ApnsSender | undefined;
afterEach(async () => {
  await sender?.destroy();
  await mock?.close();
  sender = undefined;
  mock = undefined;
});

function tally(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.status === 'rejected' ? `rejected:${o.reason}` : o.status;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe.each([{ tls: false }, { tls: true }])('sender → mock APNs (tls: $tls)', ({ tls }) => {
  it('delivers a batch: every notification ends accepted or rejected Unregistered, counts add up', async () => {
    const unregistered = [token(3), token(7)];
    mock = await startMockApns({ tls, unregistered: { [token(3)]: 1_458_114_061_260, [token(7)]: 1_600_000_000_000 } });
    sender = await ApnsSender.create({ url: mock.url, credentials: mock.credentials, ...(mock.ca && { tls: { ca: mock.ca } }) });
    const outcomes = await Promise.all(Array.from({ length: 500 }, (_, i) => sender!.send({ token: token(i % 10), topic, payload: { aps: { alert: `n${i}` } } })));
    expect(tally(outcomes)).toEqual({ accepted: 400, 'rejected:Unregistered': 100 });
    const rejected = outcomes.find((o) => o.status === 'rejected' && o.token === token(3));
    expect(rejected).toMatchObject({ httpStatus: 410, retryClass: 'permanent', timestamp: 1_458_114_061_260 });
    expect(unregistered).toContain(rejected?.token);
    const accepted = outcomes.find((o) => o.status === 'accepted');
    expect(accepted?.status === 'accepted' && accepted.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(mock.stats().requests).toBe(500);
  });

  it('a JWT signed by a key the mock does not know is rejected InvalidProviderToken', async () => {
    mock = await startMockApns({ tls });
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    sender = await ApnsSender.create({ url: mock.url, credentials: { keyId: 'UNKNOWN123', teamId: mock.credentials.teamId, privateKey: stranger }, ...(mock.ca && { tls: { ca: mock.ca } }) });
    const outcome = await sender.send({ token: token(1), topic, payload: { aps: {} } });
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 403, reason: 'InvalidProviderToken', retryClass: 'config' });
  });

  it('a provider token older than an hour is rejected ExpiredProviderToken', async () => {
    mock = await startMockApns({ tls });
    // The sender's clock runs 61 minutes behind the mock's, so its fresh token is already stale there.
    const behind = { now: () => Date.now() - 61 * 60_000 };
    sender = await ApnsSender.create({ url: mock.url, credentials: mock.credentials, clock: behind, ...(mock.ca && { tls: { ca: mock.ca } }) });
    const outcome = await sender.send({ token: token(1), topic, payload: { aps: {} } });
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 403, reason: 'ExpiredProviderToken', retryClass: 'auth' });
  });
});
