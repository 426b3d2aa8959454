/**
 * The resilient sender against every fault kind: the real ApnsSender → pushsim's fault proxy → the
 * real mock APNs, a couple of thousand notifications per fault. For each: every notification ends
 * in exactly one final state, the counts add up, nothing crashes or rejects unhandled, and the
 * mock's delivery ledger sees a duplicate only where accept-then-fail caused one.
 *
 * Policy: retries for answers that say "try again" (429/5xx, REFUSED_STREAM, GOAWAY-unprocessed,
 * connect failures), but not for failures the origin may have processed (timeouts, resets after
 * the request was written): those end as `failed`, so no fault but accept-then-fail can duplicate.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApnsSender } from '../../sender/apns-sender.js';
import type { Outcome, OutcomeStatus } from '../../sender/outcome.js';
import { startMockApns } from '../../simulator/apns/server.js';
import type { MockApns } from '../../simulator/apns/server.js';
import type { FaultsDocument } from '../../simulator/faults/spec.js';
import { startFaultProxy } from '../../simulator/proxy/proxy.js';
import type { FaultProxy } from '../../simulator/proxy/proxy.js';

const N = 2000;
const token = (i: number): string => (i % 400).toString(16).padStart(64, '0');

interface Case {
  readonly name: string;
  readonly faults: FaultsDocument['faults'];
  readonly phases?: FaultsDocument['phases'];
  /** What the sender must have had to deal with, so the case cannot pass vacuously. */
  readonly saw: (tally: Tally) => boolean;
  readonly duplicates?: boolean;
}

interface Tally {
  readonly byStatus: Record<OutcomeStatus, number>;
  readonly retries: number;
  readonly connectionsLost: number;
}

const cases: Case[] = [
  { name: 'latency (lognormal)', faults: [{ kind: 'latency', distribution: { kind: 'lognormal', medianMs: 3, sigma: 0.8 } }], saw: (t) => t.byStatus.accepted === N },
  { name: '429 TooManyRequests with Retry-After', faults: [{ kind: 'error', apns: 'TooManyRequests', retryAfterSeconds: 0, probability: 0.1 }], saw: (t) => t.retries > 50 },
  { name: '500 InternalServerError', faults: [{ kind: 'outage', mode: 'internal', probability: 0.1 }], saw: (t) => t.retries > 50 },
  { name: '503 ServiceUnavailable', faults: [{ kind: 'outage', mode: 'unavailable', probability: 0.1 }], saw: (t) => t.retries > 50 },
  { name: 'graceful GOAWAY (Shutdown)', faults: [{ kind: 'goaway', reason: 'Shutdown', probability: 0.005 }], saw: (t) => t.connectionsLost > 0 },
  { name: 'abrupt GOAWAY', faults: [{ kind: 'goaway', code: 'INTERNAL_ERROR', probability: 0.003 }], saw: (t) => t.connectionsLost > 0 },
  { name: 'RST_STREAM INTERNAL_ERROR', faults: [{ kind: 'reset', code: 'INTERNAL_ERROR', probability: 0.05 }], saw: (t) => t.byStatus.failed > 0 },
  { name: 'RST_STREAM REFUSED_STREAM', faults: [{ kind: 'reset', code: 'REFUSED_STREAM', probability: 0.05 }], saw: (t) => t.byStatus.accepted === N },
  {
    name: 'stream limit drops to 1 and comes back',
    phases: [{ name: 'before', durationMs: 150 }, { name: 'narrow', durationMs: 400 }, { name: 'wide' }],
    faults: [{ kind: 'streams', maxConcurrentStreams: 1, phase: 'narrow' }],
    saw: (t) => t.byStatus.accepted === N,
  },
  { name: 'stall / blackhole', faults: [{ kind: 'stall', probability: 0.01 }], saw: (t) => t.byStatus.failed > 0 },
  {
    name: 'refused connections, then recovery',
    // The first three connections, not a phase of wall time: a phase that began when the proxy
    // started could end before a slow machine's sender (key import, first JWT) ever connected.
    faults: [{ kind: 'connection', action: 'refuse', match: { connection: [1, 2, 3] } }],
    // Early notifications outlast the refusals with retries; none is lost or left without a state.
    saw: (t) => t.retries > 0 && t.byStatus.accepted > 0,
  },
  { name: 'TCP reset of live connections', faults: [{ kind: 'connection', action: 'reset', probability: 0.002 }], saw: (t) => t.connectionsLost > 0 },
  { name: 'accept-then-fail (503 after delivery)', faults: [{ kind: 'accept-then-fail', probability: 0.05 }], saw: (t) => t.retries > 0, duplicates: true },
];

let mock: MockApns;
beforeAll(async () => {
  mock = await startMockApns({});
});
afterAll(async () => {
  await mock.close();
});

let proxy: FaultProxy | undefined;
let sender: ApnsSender | undefined;
afterEach(async () => {
  await sender?.destroy();
  await proxy?.close();
  sender = undefined;
  proxy = undefined;
});

describe.each(cases)('resilient sender vs fault: $name', (c) => {
  it(`accounts for all ${N} notifications exactly once${c.duplicates ? '; the ledger counts the duplicates' : '; no duplicates'}`, async () => {
    proxy = await startFaultProxy({ upstream: mock.url, tls: false, faults: { seed: 7, ...(c.phases && { phases: c.phases }), faults: c.faults } });
    let retries = 0;
    let connectionsLost = 0;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    sender = await ApnsSender.create({
      url: proxy.url,
      credentials: mock.credentials,
      // Long enough for a loaded CI machine; the blackhole case is what reaches it.
      requestTimeoutMs: 1500,
      pool: { reconnectBaseMs: 20, reconnectMaxMs: 200, connectTimeoutMs: 1000 },
      policies: {
        retry: { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 200, retryMaybeProcessed: false, budget: { ratio: 1, reserve: 500 } },
        circuitBreaker: false,
      },
      listener: { onRetry: () => retries++, onConnectionRemoved: () => connectionsLost++, onConnectionFailed: () => connectionsLost++ },
    });
    const sends: Promise<Outcome>[] = [];
    for (let i = 0; i < N; i++) {
      sends.push(sender.send({ token: token(i), topic: 'com.example.app', id: randomUUID(), payload: { aps: { alert: `n${i}` } } }));
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 5)); // a paced arrival (~0.5 s), not one burst
    }
    const outcomes = await Promise.all(sends);
    process.off('unhandledRejection', onUnhandled);

    const byStatus: Record<OutcomeStatus, number> = { accepted: 0, rejected: 0, failed: 0, expired: 0, dropped: 0 };
    for (const o of outcomes) byStatus[o.status]++;
    expect(outcomes).toHaveLength(N);
    expect(byStatus.accepted + byStatus.rejected + byStatus.failed + byStatus.expired + byStatus.dropped).toBe(N);
    expect(unhandled).toEqual([]);
    const failures: Record<string, number> = {};
    for (const o of outcomes) if (o.status === 'failed') failures[o.message] = (failures[o.message] ?? 0) + 1;
    expect(c.saw({ byStatus, retries, connectionsLost }), JSON.stringify({ byStatus, retries, connectionsLost, failures })).toBe(true);

    const ledger = proxy.ledger?.summary();
    if (process.env['DEBUG_FAULTS']) console.log(c.name, JSON.stringify({ byStatus, retries, connectionsLost, failures, ledger: { u: ledger?.unique, d: ledger?.duplicates } }));
    expect(ledger).toBeDefined();
    if (ledger === undefined) return;
    // Every accepted outcome was delivered. A delivery without an accepted outcome can only be one the
    // sender could not know about — an answer lost with its connection — so it ended `failed`.
    expect(ledger.unique).toBeGreaterThanOrEqual(byStatus.accepted);
    expect(ledger.unique).toBeLessThanOrEqual(byStatus.accepted + byStatus.failed);
    expect(ledger.delivered).toBe(ledger.unique + ledger.duplicates);
    if (c.duplicates) expect(ledger.duplicates).toBeGreaterThan(0);
    else expect(ledger.duplicates).toBe(0);
  });
});
