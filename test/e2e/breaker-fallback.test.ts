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
import { FaultEngine } from '../../simulator/faults/engine.js';
import { startFaultProxy } from '../../simulator/proxy/proxy.js';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

it('opens the circuit in the outage, delivers through the fallback meanwhile, and returns to the primary after recovery', async () => {
  const mock = await startMockApns({});
  cleanup.push(() => mock.close());
  // The proxy's phases follow a clock the test moves, so they line up with the traffic however
  // slow the machine is; the circuit breaker keeps real time (openMs) and is waited for.
  let now = 1_700_000_000_000;
  const engine = new FaultEngine({
    clock: { now: () => now },
    tickMs: 0,
    spec: {
      seed: 3,
      phases: [{ name: 'healthy', durationMs: 1000 }, { name: 'down', durationMs: 1000 }, { name: 'recovering' }],
      faults: [{ kind: 'outage', mode: 'unavailable', phase: 'down' }],
    },
  });
  cleanup.push(async () => engine.close());
  const proxy = await startFaultProxy({ upstream: mock.url, tls: false, faults: engine });
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

  const batch = async (count: number): Promise<Outcome[]> =>
    Promise.all(Array.from({ length: count }, () => sender.send({ token: 'ab'.repeat(32), topic: 'com.example.app', id: randomUUID(), payload: { aps: { alert: 'x' } } })));

  const healthy = await batch(40);
  now += 1000; // down: 503 from the proxy
  const down: Outcome[] = [];
  for (let i = 0; i < 10 && !transitions.includes('closed->open'); i++) down.push(...(await batch(20)));
  down.push(...(await batch(40))); // with the circuit open
  now += 1000; // recovering
  const recovering: Outcome[] = [];
  // Probes after openMs close the circuit again (bounded: 100 batches of 10 ms pauses).
  for (let i = 0; i < 100 && transitions.at(-1) !== 'half-open->closed'; i++) {
    recovering.push(...(await batch(5)));
    await new Promise((r) => setTimeout(r, 10));
  }
  const after = await batch(40);

  // Nothing lost: every notification was accepted, by one route or the other.
  expect([...healthy, ...down, ...recovering, ...after].every((o) => o.status === 'accepted')).toBe(true);
  expect(transitions[0]).toBe('closed->open');
  expect(transitions.at(-1)).toBe('half-open->closed');
  // The fallback was used in the outage only: traffic before and after it went the primary way.
  expect(down.filter((o) => o.route === 'secondary').length).toBeGreaterThan(20);
  expect(healthy.every((o) => o.route === undefined)).toBe(true);
  expect(after.every((o) => o.route === undefined)).toBe(true);
  const ledger = proxy.ledger?.summary();
  expect(ledger?.duplicates).toBe(0);
});
