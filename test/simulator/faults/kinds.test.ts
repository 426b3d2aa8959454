import { afterEach, describe, expect, it } from 'vitest';
import { createFaultSampler, validateFaultLatency } from '../../../simulator/faults/distributions.js';
import { FaultEngine } from '../../../simulator/faults/engine.js';
import type { FaultsDocument } from '../../../simulator/faults/spec.js';
import { createRandom } from '../../../simulator/random.js';

const engines: FaultEngine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.close();
});

function setup(spec: FaultsDocument): { engine: FaultEngine; advance(ms: number): void } {
  let t = 1_700_000_000_000;
  const engine = new FaultEngine({ spec, clock: { now: () => t }, tickMs: 0 });
  engines.push(engine);
  return { engine, advance: (ms) => (t += ms) };
}

describe('throttle on fake time', () => {
  it('refills the bucket at ratePerSecond and computes Retry-After for FCM', () => {
    const { engine, advance } = setup({ faults: [{ kind: 'throttle', per: 'project', ratePerSecond: 2, burst: 2 }] });
    const fcm = { provider: 'fcm' as const, token: 't', project: 'p1' };
    expect(engine.decide(fcm)).toBeUndefined();
    expect(engine.decide(fcm)).toBeUndefined();
    const limited = engine.decide(fcm);
    expect(limited?.action).toMatchObject({ type: 'respond', response: { status: 429, reason: 'QUOTA_EXCEEDED', headers: { 'retry-after': '1' } } });
    // Another project has its own bucket.
    expect(engine.decide({ ...fcm, project: 'p2' })).toBeUndefined();
    advance(500); // one token back at 2/s
    expect(engine.decide(fcm)).toBeUndefined();
    expect(engine.decide(fcm)).toBeDefined();
  });

  it('per connection and per mock', () => {
    const { engine } = setup({ faults: [{ kind: 'throttle', per: 'connection', ratePerSecond: 0, burst: 1 }] });
    const apns = (connectionId: number) => ({ provider: 'apns' as const, token: 'a', connectionId });
    expect(engine.decide(apns(1))).toBeUndefined();
    expect(engine.decide(apns(1))?.action).toMatchObject({ response: { status: 429, reason: 'TooManyRequests' } });
    expect(engine.decide(apns(2))).toBeUndefined();
    const decision = engine.decide(apns(2));
    // APNs documents no Retry-After (protocols.md §1.6).
    expect(decision?.action).toMatchObject({ type: 'respond', response: { status: 429 } });
    expect(decision?.action?.type === 'respond' ? decision.action.response.headers : {}).not.toHaveProperty('retry-after');
  });
});

describe('throttle per device over many tokens', () => {
  it('forgets only buckets that have refilled: a drained one stays drained through the sweeps', () => {
    const { engine, advance } = setup({ faults: [{ kind: 'throttle', per: 'device', ratePerSecond: 1, burst: 1 }] });
    const device = (n: number) => ({ provider: 'apns' as const, token: `device-${n}` });
    // 30,000 devices, each with its one token spent: the bucket map passes its sweep size (10,000) twice.
    let limited = 0;
    for (let n = 0; n < 30_000; n++) if (engine.decide(device(n)) !== undefined) limited++;
    expect(limited).toBe(0);
    advance(500); // half a token back: none of them is full
    for (let n = 30_000; n < 60_000; n++) engine.decide(device(n));
    // Device 0's bucket was never full, so no sweep dropped it: still limited.
    expect(engine.decide(device(0))?.action).toMatchObject({ type: 'respond', response: { status: 429 } });
    advance(1_000); // now every bucket has refilled; the next sweep may drop them, which changes nothing
    for (let n = 60_000; n < 90_000; n++) engine.decide(device(n));
    expect(engine.decide(device(1))).toBeUndefined();
    expect(engine.decide(device(1))?.action).toMatchObject({ type: 'respond', response: { status: 429 } });
  });
});

describe('accept-then-fail and goaway decisions', () => {
  it('builds the failure per provider, 503 by default', () => {
    const { engine } = setup({ faults: [{ kind: 'accept-then-fail' }] });
    expect(engine.decide({ provider: 'apns', token: 'a', notificationId: 'id-1' })?.action).toMatchObject({
      type: 'accept-then-fail',
      then: { type: 'respond', response: { status: 503, reason: 'ServiceUnavailable', headers: { 'apns-id': 'id-1' } } },
    });
    expect(engine.decide({ provider: 'fcm', token: 'f' })?.action).toMatchObject({ then: { response: { status: 503, reason: 'UNAVAILABLE' } } });
    expect(engine.decide({ provider: 'webpush', token: '/w' })?.action).toMatchObject({ then: { response: { status: 503, reason: 'ServiceUnavailable' } } });
  });

  it('then: stall and reset', () => {
    const { engine } = setup({ faults: [{ kind: 'accept-then-fail', then: 'stall', match: { token: 's' } }, { kind: 'accept-then-fail', then: 'reset', code: 'CANCEL' }] });
    expect(engine.decide({ provider: 'apns', token: 's' })?.action).toEqual({ type: 'accept-then-fail', then: { type: 'stall' } });
    expect(engine.decide({ provider: 'apns', token: 'r' })?.action).toEqual({ type: 'accept-then-fail', then: { type: 'reset', code: 8 } });
  });

  it('counts an accept-then-fail only once the provider accepts; an open request holds its place under `limit` until settled', () => {
    const { engine } = setup({ faults: [{ kind: 'accept-then-fail', id: 'lost', limit: 1 }] });
    const injected = (): number | undefined => engine.list()[0]?.injected;
    const chosen = engine.decide({ provider: 'apns', token: 'a' });
    expect(chosen?.pending).toMatchObject({ id: 'lost', kind: 'accept-then-fail' });
    expect(injected()).toBe(0);
    // Still open: a concurrent request cannot take the limit's only injection as well.
    expect(engine.decide({ provider: 'apns', token: 'b' })).toBeUndefined();
    // Rejected by the provider (no delivered()), then over: the place is free again, nothing counted.
    chosen?.pending?.settled();
    chosen?.pending?.settled();
    expect(injected()).toBe(0);
    const next = engine.decide({ provider: 'apns', token: 'c' });
    next?.pending?.delivered();
    next?.pending?.delivered();
    next?.pending?.settled();
    expect(injected()).toBe(1);
    expect(engine.metrics.snapshot().injected).toEqual([{ id: 'lost', kind: 'accept-then-fail', count: 1 }]);
    expect(engine.decide({ provider: 'apns', token: 'd' })).toBeUndefined();
    // Other kinds count when chosen and carry nothing pending.
    const { engine: errors } = setup({ faults: [{ kind: 'error', apns: 'BadTopic' }] });
    expect(errors.decide({ provider: 'apns', token: 'a' })?.pending).toBeUndefined();
    expect(errors.list()[0]?.injected).toBe(1);
  });

  it('goaway on a request: graceful by default, abrupt with an error code', () => {
    const { engine } = setup({ faults: [{ kind: 'goaway', reason: 'Shutdown', match: { token: 'g' } }, { kind: 'goaway', code: 'PROTOCOL_ERROR', refuse: true }] });
    expect(engine.decide({ provider: 'apns', token: 'g' })?.action).toEqual({ type: 'goaway', code: 0, refuse: false, abrupt: false, debug: '{"reason":"Shutdown"}' });
    expect(engine.decide({ provider: 'apns', token: 'x' })?.action).toEqual({ type: 'goaway', code: 1, refuse: true, abrupt: true, debug: undefined });
  });

  it('connection faults answer onConnection only while active', () => {
    const { engine, advance } = setup({ faults: [{ kind: 'connection', action: 'slow-handshake', delayMs: 250, startMs: 1_000, durationMs: 1_000 }] });
    expect(engine.onConnection()).toEqual({ type: 'accept' });
    advance(1_000);
    expect(engine.onConnection()).toEqual({ type: 'delay', ms: 250 });
    advance(1_000);
    expect(engine.onConnection()).toEqual({ type: 'accept' });
  });
});

describe('extra latency distributions', () => {
  it('pareto has a long tail above its scale and respects maxMs', () => {
    const sample = createFaultSampler({ kind: 'pareto', scaleMs: 10, shape: 1.2, maxMs: 2_000 }, createRandom(5));
    const values = Array.from({ length: 5_000 }, sample);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...values)).toBeLessThanOrEqual(2_000);
    const sorted = [...values].sort((a, b) => a - b);
    // Median of Pareto(xm, α) = xm · 2^(1/α) ≈ 17.8 ms; its p99 is far above (≈ 464 ms).
    expect(sorted[2_500]).toBeGreaterThan(15);
    expect(sorted[2_500]).toBeLessThan(21);
    expect(sorted[4_950]).toBeGreaterThan(200);
  });

  it('bimodal mixes a fast and a slow mode by slowFraction', () => {
    const sample = createFaultSampler({ kind: 'bimodal', fast: { kind: 'fixed', ms: 2 }, slow: { kind: 'fixed', ms: 500 }, slowFraction: 0.1 }, createRandom(5));
    const values = Array.from({ length: 10_000 }, sample);
    const slow = values.filter((v) => v === 500).length;
    expect(values.every((v) => v === 2 || v === 500)).toBe(true);
    expect(slow).toBeGreaterThan(850);
    expect(slow).toBeLessThan(1_150);
  });

  it('validates with paths, for the built-in kinds too', () => {
    expect(validateFaultLatency({ kind: 'bimodal', fast: { kind: 'fixed' }, slow: { kind: 'nope' }, slowFraction: 2 }, 'd')).toEqual([
      'd.fast.ms must be a finite number >= 0, got undefined',
      expect.stringMatching(/^d\.slow\.kind must be one of/),
      'd.slowFraction must be a number from 0 to 1, got 2',
    ]);
    expect(validateFaultLatency({ kind: 'gamma' }, 'd')).toEqual([expect.stringContaining('fixed, uniform, normal, lognormal, recorded, pareto, bimodal')]);
  });
});
