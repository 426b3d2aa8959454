/**
 * During an outage phase the circuit opens, notifications go to the fallback route, and once the
 * provider recovers the circuit closes and traffic returns to the primary route.
 *
 *   sender ──primary──► fault proxy (healthy → down: 503 → recovering) ──► mock APNs
 *          └─fallback─► mock APNs directly (another origin of the same provider)
 */
import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { ApnsSender } from '../../sender/apns-sender.js';
import { ApnsTokenSigner } from '../../sender/auth/apns-token.js';
import { Http2Pool } from '../../sender/http2/pool.js';
import { apnsTokenAuth } from '../../sender/interceptors/apns-token-auth.js';
import type { Outcome } from '../../sender/outcome.js';
import { compose } from '../../sender/transport.js';
import { startMockApns } from '../../simulator/apns/server.js';
import { startFaultProxy } from '../../simulator/proxy/proxy.js';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

it('opens the circuit in the outage, delivers through the fallback meanwhile, and returns to the primary after recovery', async () => {
  const mock = await startMockApns({});
  cleanup.push(() => mock.close());
  const proxy = await startFaultProxy({
    upstream: mock.url,
    tls: false,
    faults: {
      seed: 3,
      phases: [{ name: 'healthy', durationMs: 300 }, { name: 'down', durationMs: 600 }, { name: 'recovering' }],
      faults: [{ kind: 'outage', mode: 'unavailable', phase: 'down' }],
    },
  });
  cleanup.push(() => proxy.close());

  // The secondary route is a full dispatch of its own: pool + authentication.
  const secondaryPool = new Http2Pool({ origin: mock.url });
  cleanup.push(() => secondaryPool.destroy());
  const signer = await ApnsTokenSigner.create(mock.credentials);
  const secondary = compose(secondaryPool.dispatch, apnsTokenAuth(signer));

  const transitions: string[] = [];
  const sender = await ApnsSender.create({
    url: proxy.url,
    credentials: mock.credentials,
    policies: {
      retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
      circuitBreaker: { minRequests: 20, errorRate: 0.5, windowMs: 1000, openMs: 150 },
      fallback: { name: 'secondary', to: secondary },
    },
    listener: { onBreakerStateChange: (_origin, from, to) => transitions.push(`${from}->${to}`) },
  });
  cleanup.push(() => sender.destroy());

  const outcomes: { at: number; outcome: Outcome }[] = [];
  const start = Date.now();
  // ~2 s of traffic at ~400/s: across healthy (0.3 s), down (0.6 s) and recovering.
  const sends: Promise<void>[] = [];
  while (Date.now() - start < 2000) {
    for (let i = 0; i < 4; i++) {
      const at = Date.now() - start;
      sends.push(sender.send({ token: 'ab'.repeat(32), topic: 'com.example.app', id: randomUUID(), payload: { aps: { alert: 'x' } } }).then((outcome) => void outcomes.push({ at, outcome })));
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(sends);

  // Nothing lost: every notification was accepted, by one route or the other.
  expect(outcomes.every((o) => o.outcome.status === 'accepted')).toBe(true);
  expect(transitions[0]).toBe('closed->open');
  expect(transitions).toContain('half-open->closed');
  expect(transitions.at(-1)).toBe('half-open->closed');
  const viaFallback = outcomes.filter((o) => o.outcome.route === 'secondary');
  expect(viaFallback.length).toBeGreaterThan(20);
  // The fallback was used in the outage only: early and late traffic went the primary way.
  expect(outcomes.filter((o) => o.at < 200).every((o) => o.outcome.route === undefined)).toBe(true);
  expect(outcomes.filter((o) => o.at > 1700).every((o) => o.outcome.route === undefined)).toBe(true);
  const ledger = proxy.ledger?.summary();
  expect(ledger?.duplicates).toBe(0);
});
