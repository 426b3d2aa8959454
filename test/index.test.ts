/**
 * The package entry as a user's test suite imports it — the README's example, kept honest.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApnsSender, startMockApns } from '../index.js';
import type { MockApns } from '../index.js';

let apns: MockApns;
let sender: ApnsSender;

beforeAll(async () => {
  apns = await startMockApns({ tls: true, unregistered: ['ab'.repeat(32)] });
  sender = await ApnsSender.create({ url: apns.url, credentials: apns.credentials, tls: { ca: apns.ca! } });
});

afterAll(async () => {
  await sender.close();
  await apns.close();
});

it('README example: an accepted push and a dead token', async () => {
  const ok = await sender.send({ token: 'cd'.repeat(32), topic: 'com.example.app', payload: { aps: { alert: 'Hello' } } });
  expect(ok.status).toBe('accepted');

  const dead = await sender.send({ token: 'ab'.repeat(32), topic: 'com.example.app', payload: { aps: { alert: 'Hello' } } });
  expect(dead).toMatchObject({ status: 'rejected', reason: 'Unregistered', retryClass: 'permanent' });

  expect(apns.stats()).toMatchObject({ requests: 2, accepted: 1, rejected: 1, byReason: { Unregistered: 1 } });
});
