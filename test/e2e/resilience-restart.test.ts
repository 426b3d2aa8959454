/**
 * The mock goes away mid-run and comes back on the same port: the sender reconnects with backoff,
 * retries what got no answer, and accounts for every notification exactly once.
 */
import { afterEach, expect, it } from 'vitest';
import { ApnsSender } from '../../sender/apns-sender.js';
import type { Outcome } from '../../sender/outcome.js';
import { startMockApns } from '../../simulator/apns/server.js';
import type { MockApns } from '../../simulator/apns/server.js';

let mocks: MockApns[] = [];
let sender: ApnsSender | undefined;
afterEach(async () => {
  await sender?.destroy();
  for (const m of mocks) await m.close();
  mocks = [];
});

it('survives the mock closing and restarting mid-run: every notification ends once, none lost', async () => {
  const first = await startMockApns({});
  mocks.push(first);
  const port = Number(new URL(first.url).port);
  const key = { keyId: first.credentials.keyId, teamId: first.credentials.teamId, key: first.credentials.privateKey };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  const retries: string[] = [];
  sender = await ApnsSender.create({
    url: first.url,
    credentials: first.credentials,
    pool: { reconnectBaseMs: 20, reconnectMaxMs: 100 },
    // Up to 100 attempts of at most 100 ms apart: seconds of retries, more than a starved machine's restart takes.
    policies: { retry: { maxAttempts: 100, baseDelayMs: 20, maxDelayMs: 100, budget: { ratio: 10, reserve: 1000 } }, circuitBreaker: false },
    listener: { onRetry: (_a, _d, cause) => retries.push(cause) },
  });
  const total = 3000;
  const outcomes: Promise<Outcome>[] = [];
  let restarted: Promise<void> | undefined;
  for (let i = 0; i < total; i++) {
    outcomes.push(sender.send({ token: (i % 500).toString(16).padStart(64, '0'), topic: 'com.example', payload: { aps: { alert: `n${i}` } } }));
    if (i === 1000) {
      // Close with notifications in flight, then come back on the same port a little later.
      restarted = first.close().then(async () => {
        await new Promise((r) => setTimeout(r, 150));
        mocks.push(await startMockApns({ port, keys: [key] }));
      });
    }
    if (i % 100 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  await restarted;
  const settled = await Promise.all(outcomes);
  process.off('unhandledRejection', onUnhandled);

  const counts: Record<string, number> = {};
  for (const o of settled) counts[o.status] = (counts[o.status] ?? 0) + 1;
  expect(settled).toHaveLength(total);
  expect(counts['accepted']).toBe(total);
  expect(retries.length).toBeGreaterThan(0);
  expect(unhandled).toEqual([]);
  // Every accepted outcome was accepted by one mock or the other (the closed one keeps its counts);
  // at-least-once retries of requests that may have been processed are the only way to exceed `total`.
  const served = mocks.reduce((sum, m) => sum + m.stats().accepted, 0);
  expect(mocks).toHaveLength(2);
  expect(first.stats().accepted).toBeGreaterThan(0);
  expect(served).toBeGreaterThanOrEqual(total);
});
