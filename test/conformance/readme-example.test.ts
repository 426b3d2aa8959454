/**
 * The README's "Devices, failures on demand, certificate auth" example, through the package entry,
 * kept honest like test/index.test.ts keeps the first one.
 */
import { connect } from 'node:http2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockApns, type MockApns } from '../../index.js';
import { deviceToken } from '../simulator/apns/helpers.js';
import { open } from './helpers.js';

const [alice, bob, carol, dave, erin, frank] = [1, 2, 3, 4, 5, 6].map(deviceToken) as [string, string, string, string, string, string];
let apns: MockApns;

beforeAll(async () => {
  apns = await startMockApns({
    tls: true,
    mtls: true,
    config: {
      devices: { 'com.example.app': [alice] },
      unregistered: { [bob]: 1458114061260 },
      expired: [carol],
      topics: { forbidden: ['com.example.blocked'], disallowed: ['com.example.old'] },
      script: { [dave]: ['ServiceUnavailable', 'accept'] },
    },
    deviceRateLimit: { max: 100, windowMs: 60_000 },
  });
  apns.devices.unregister(erin);
  apns.rules.script(frank, 'InternalServerError');
});
afterAll(() => apns.close());

it('README: devices, scripted failures and certificate auth', async () => {
  const session = connect(apns.url, { ca: apns.ca, ...apns.clientCertificate });
  session.close();
  const client = open(apns.url, { ca: apns.ca, cert: apns.clientCertificate!.cert, key: apns.clientCertificate!.key });
  const reason = async (token: string, topic = 'com.example.app') => {
    const r = await client.send({ path: `/3/device/${token}`, headers: { 'apns-topic': topic }, body: '{"aps":{}}' });
    return r.status === 200 ? 200 : `${r.status} ${(JSON.parse(r.body) as { reason: string }).reason}`;
  };
  expect(await reason(alice)).toBe(200);
  expect(await reason(bob)).toBe('410 Unregistered');
  expect(await reason(carol)).toBe('410 ExpiredToken');
  expect(await reason(dave)).toBe('503 ServiceUnavailable');
  expect(await reason(dave)).toBe(200);
  expect(await reason(erin)).toBe('410 Unregistered');
  expect(await reason(frank)).toBe('500 InternalServerError');
  client.close();
  expect(apns.stats()).toMatchObject({ requests: 7, accepted: 2, rejected: 5 });
});
