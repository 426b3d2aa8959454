import { afterEach, describe, expect, it } from 'vitest';
import { FaultEngine } from '../../../simulator/faults/engine.js';
import type { FaultsDocument } from '../../../simulator/faults/spec.js';
import type { FaultDecision, FaultRequestInfo } from '../../../simulator/faults/types.js';

const engines: FaultEngine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.close();
});

function fakeClock(start = 1_700_000_000_000): { now(): number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function engine(spec: FaultsDocument, clock = fakeClock()): FaultEngine {
  const built = new FaultEngine({ spec, clock, tickMs: 0 });
  engines.push(built);
  return built;
}

const token = (n: number): string => n.toString(16).padStart(64, '0');
const apns = (n: number, extra: Partial<FaultRequestInfo> = {}): FaultRequestInfo => ({ provider: 'apns', token: token(n), topic: 'com.example.app', pushType: 'alert', priority: 10, ...extra });
const reason = (decision: FaultDecision | undefined): string | undefined =>
  decision?.action?.type === 'respond' ? decision.action.response.reason : decision?.action?.type;

describe('targeting', () => {
  it('matches provider, token pattern, topic, push type, priority and connection', () => {
    const e = engine({
      faults: [{ kind: 'error', apns: 'BadDeviceToken', match: { provider: 'apns', token: '^0+1$', topic: 'com.example.app', pushType: 'alert', priority: 10, connection: [2] } }],
    });
    expect(reason(e.decide(apns(1, { connectionId: 2 })))).toBe('BadDeviceToken');
    expect(e.decide(apns(2, { connectionId: 2 }))).toBeUndefined();
    expect(e.decide(apns(1, { connectionId: 1 }))).toBeUndefined();
    expect(e.decide(apns(1, { connectionId: 2, topic: 'other' }))).toBeUndefined();
    expect(e.decide(apns(1, { connectionId: 2, pushType: 'background' }))).toBeUndefined();
    expect(e.decide(apns(1, { connectionId: 2, priority: 5 }))).toBeUndefined();
    expect(e.decide({ provider: 'fcm', token: token(1), connectionId: 2 })).toBeUndefined();
  });


  it('keeps spec order between faults aimed at listed tokens and faults for everyone', () => {
    const e = engine({
      faults: [
        { kind: 'error', apns: 'BadDeviceToken', match: { tokens: [token(1)] } },
        { kind: 'outage', match: { token: '^0+[12]$' } },
        { kind: 'error', apns: 'DeviceTokenNotForTopic', match: { tokens: [token(2), token(3)] } },
        { kind: 'error', apns: 'Unregistered', enabled: false },
      ],
    });
    expect([1, 2, 3, 4].map((n) => reason(e.decide(apns(n))))).toEqual(['BadDeviceToken', 'ServiceUnavailable', 'DeviceTokenNotForTopic', undefined]);
    // A fault added live joins the index: token 4 is now targeted, and the disabled one stays out.
    e.add({ kind: 'reset', match: { tokens: [token(4)] } });
    expect(reason(e.decide(apns(4)))).toBe('reset');
    expect(e.remove('error-0')).toBe(true);
    expect(reason(e.decide(apns(1)))).toBe('ServiceUnavailable');
  });
  it('counts attempts only for tokens a request fault could meet; a fault added live counts from then', () => {
    const e = engine({ faults: [{ kind: 'outage', firstNPerToken: 1, match: { tokens: [token(2)] } }, { kind: 'streams', maxConcurrentStreams: 1 }] });
    expect([e.decide(apns(1)), e.decide(apns(1))]).toEqual([undefined, undefined]);
    expect(e.attemptFor(apns(1))).toBe(0);
    expect([reason(e.decide(apns(2))), reason(e.decide(apns(2)))]).toEqual(['ServiceUnavailable', undefined]);
    expect(e.attemptFor(apns(2))).toBe(2);
    e.add({ kind: 'error', apns: 'BadDeviceToken', firstNPerToken: 1 });
    expect([reason(e.decide(apns(1))), reason(e.decide(apns(1)))]).toEqual(['BadDeviceToken', undefined]);
    // Every request was counted for the metrics all the same.
    expect(e.metrics.snapshot().requests).toEqual({ apns: 6 });
  });

  it('remembers attempts for the most recently seen attemptTokens tokens only: a long soak to many tokens stays bounded', () => {
    const e = new FaultEngine({ spec: { faults: [{ kind: 'outage', firstNPerToken: 1 }] }, tickMs: 0, attemptTokens: 2 });
    engines.push(e);
    // Token 1 fails once, then passes; tokens 2 and 3 fill the current generation and push 1 to the older one.
    expect([1, 1, 2, 3].map((n) => reason(e.decide(apns(n))))).toEqual(['ServiceUnavailable', undefined, 'ServiceUnavailable', 'ServiceUnavailable']);
    // Still remembered (read back from the older generation): its third attempt passes.
    expect(reason(e.decide(apns(1)))).toBeUndefined();
    expect(e.attemptFor(apns(1))).toBe(3);
    // Four more tokens later, token 2 is forgotten: it counts from 1 again.
    for (const n of [4, 5, 6, 7]) e.decide(apns(n));
    expect(e.attemptFor(apns(2))).toBe(0);
    expect(reason(e.decide(apns(2)))).toBe('ServiceUnavailable');
    expect(() => new FaultEngine({ attemptTokens: 0 })).toThrow(/attemptTokens must be an integer >= 1/);
  });

  it('applies a provider error only to providers it names one for', () => {
    const e = engine({ faults: [{ kind: 'error', fcm: 'UNREGISTERED' }] });
    expect(e.decide(apns(1))).toBeUndefined();
    const decision = e.decide({ provider: 'fcm', token: 'abc' });
    expect(decision?.action).toMatchObject({ type: 'respond', response: { status: 404, reason: 'UNREGISTERED' } });
  });

  it('fails the first N attempts per token, then lets retries through', () => {
    const e = engine({ faults: [{ kind: 'outage', firstNPerToken: 2 }] });
    const outcomes = [1, 1, 1, 2, 2].map((n) => reason(e.decide(apns(n))));
    expect(outcomes).toEqual(['ServiceUnavailable', 'ServiceUnavailable', undefined, 'ServiceUnavailable', 'ServiceUnavailable']);
  });

  it('selects every Nth matching request and stops at the limit', () => {
    const e = engine({ faults: [{ kind: 'reset', everyNth: 3, limit: 2 }] });
    const fired = Array.from({ length: 12 }, (_, i) => e.decide(apns(i)) !== undefined);
    expect(fired.map((f, i) => (f ? i : -1)).filter((i) => i >= 0)).toEqual([2, 5]);
    expect(e.list()[0]).toMatchObject({ id: 'reset-0', injected: 2 });
  });

  it('adds the delays of every latency fault and lets the first action win', () => {
    const e = engine({
      faults: [
        { kind: 'latency', distribution: { kind: 'fixed', ms: 5 } },
        { kind: 'outage' },
        { kind: 'error', apns: 'BadTopic' },
        { kind: 'latency', distribution: { kind: 'fixed', ms: 7 } },
      ],
    });
    const decision = e.decide(apns(1));
    expect(decision?.delayMs).toBe(12);
    expect(reason(decision)).toBe('ServiceUnavailable');
    expect(decision?.fired.map((f) => f.id)).toEqual(['latency-0', 'outage-1', 'latency-3']);
  });
});

describe('probability and determinism', () => {
  const spec: FaultsDocument = {
    seed: 7,
    faults: [
      { kind: 'error', apns: 'InternalServerError', probability: 0.3 },
      { kind: 'latency', probability: 0.5, distribution: { kind: 'pareto', scaleMs: 2, shape: 1.5, maxMs: 500 } },
    ],
  };
  const run = (order: number[], seed?: number): Map<number, string> => {
    const e = new FaultEngine({ spec, clock: fakeClock(), tickMs: 0, ...(seed !== undefined && { seed }) });
    engines.push(e);
    const seen = new Map<number, string>();
    for (const n of order) {
      const d = e.decide(apns(n));
      seen.set(n, `${reason(d) ?? '-'}/${d?.delayMs.toFixed(3) ?? '0'}`);
    }
    return seen;
  };

  it('injects the same faults on the same notifications with the same seed, whatever the arrival order', () => {
    const order = Array.from({ length: 400 }, (_, i) => i);
    const first = run(order);
    const second = run([...order].reverse());
    expect([...second].sort((a, b) => a[0] - b[0])).toEqual([...first]);
    const errors = [...first.values()].filter((v) => v.startsWith('InternalServerError')).length;
    // 30 % of 400 = 120; binomial sd ≈ 9.2, so ±40 is over 4 sd.
    expect(errors).toBeGreaterThan(80);
    expect(errors).toBeLessThan(160);
  });

  it('injects different faults with another seed', () => {
    const order = Array.from({ length: 100 }, (_, i) => i);
    expect([...run(order, 8)]).not.toEqual([...run(order)]);
  });
});

describe('timeline on fake time', () => {
  const spec: FaultsDocument = {
    phases: [{ name: 'healthy', durationMs: 10_000 }, { name: 'brownout', durationMs: 10_000 }, { name: 'down', durationMs: 5_000 }, { name: 'recovering' }],
    faults: [
      { kind: 'error', id: 'brownout', phase: 'brownout', apns: 'InternalServerError', probability: { from: 0, to: 0.2 } },
      { kind: 'outage', id: 'down', phase: 'down' },
    ],
  };

  it('is healthy, then ramps errors, then is down, then recovers', () => {
    const clock = fakeClock();
    const e = engine(spec, clock);
    let next = 0;
    const rate = (n: number): number => {
      let failed = 0;
      for (let i = 0; i < n; i++) if (e.decide(apns(next++)) !== undefined) failed++;
      return failed / n;
    };
    expect(e.phase()).toBe('healthy');
    expect(rate(200)).toBe(0);
    clock.advance(10_000);
    expect(e.phase()).toBe('brownout');
    expect(rate(2000)).toBeLessThan(0.02); // ramp starts at 0 %
    clock.advance(9_000);
    const late = rate(4000); // ~18 % here
    expect(late).toBeGreaterThan(0.14);
    expect(late).toBeLessThan(0.22);
    clock.advance(1_000);
    expect(e.phase()).toBe('down');
    expect(reason(e.decide(apns(1)))).toBe('ServiceUnavailable');
    clock.advance(5_000);
    expect(e.phase()).toBe('recovering');
    expect(rate(200)).toBe(0);
  });

  it('opens a window from startMs for durationMs', () => {
    const clock = fakeClock();
    const e = engine({ faults: [{ kind: 'outage', startMs: 1_000, durationMs: 500 }] }, clock);
    expect(e.decide(apns(1))).toBeUndefined();
    clock.advance(1_000);
    expect(e.decide(apns(1))).toBeDefined();
    clock.advance(500);
    expect(e.decide(apns(1))).toBeUndefined();
  });

  it('reset() restarts the timeline and the counters', () => {
    const clock = fakeClock();
    const e = engine(spec, clock);
    clock.advance(21_000);
    expect(e.decide(apns(1))).toBeDefined();
    e.reset();
    expect(e.phase()).toBe('healthy');
    expect(e.decide(apns(1))).toBeUndefined();
  });

  it('paused: no fault until reset(), whose moment starts the timeline (a warm-up stays healthy)', () => {
    const clock = fakeClock();
    const built = new FaultEngine({ spec: { faults: [{ kind: 'outage', startMs: 1_000 }] }, clock, tickMs: 0, paused: true });
    engines.push(built);
    clock.advance(5_000);
    expect(built.list()).toEqual([]);
    expect(built.decide(apns(1))).toBeUndefined();
    built.ledger.record({ provider: 'apns', token: token(1) });
    built.reset();
    expect(built.ledger.summary().delivered).toBe(0);
    expect(built.decide(apns(1))).toBeUndefined();
    clock.advance(1_000);
    expect(reason(built.decide(apns(1)))).toBe('ServiceUnavailable');
  });
});

describe('live changes', () => {
  it('adds, replaces and removes faults, validating each', () => {
    const e = engine({});
    expect(e.decide(apns(1))).toBeUndefined();
    const added = e.add({ kind: 'error', id: 'e1', apns: 'BadTopic' });
    expect(added).toMatchObject({ id: 'e1', kind: 'error', active: true });
    expect(reason(e.decide(apns(1)))).toBe('BadTopic');
    e.replace('e1', { kind: 'error', apns: 'Forbidden' });
    expect(reason(e.decide(apns(1)))).toBe('Forbidden');
    expect(() => e.add({ kind: 'error', id: 'e1', apns: 'BadTopic' })).toThrow(/already in use/);
    expect(() => e.add({ kind: 'error', apns: 'NoSuchReason', probability: 2 })).toThrow(/2 problem/);
    expect(e.remove('e1')).toBe(true);
    expect(e.remove('e1')).toBe(false);
    expect(e.decide(apns(1))).toBeUndefined();
  });
});

describe('a shared timeline', () => {
  it('starts at the given epoch, and reset(startedAt) restarts it there: engines of one mock agree on the phase', () => {
    const spec: FaultsDocument = { phases: [{ name: 'healthy', durationMs: 1_000 }, { name: 'down' }] };
    const clock = fakeClock(10_000);
    const shared = new FaultEngine({ spec, clock, tickMs: 0, startedAt: 9_500 });
    engines.push(shared);
    expect(shared.startedAt).toBe(9_500);
    expect(shared.phase()).toBe('healthy');
    clock.advance(500);
    expect(shared.phase()).toBe('down');
    shared.reset(10_400);
    expect(shared.startedAt).toBe(10_400);
    expect(shared.phase()).toBe('healthy');
    shared.reset();
    expect(shared.startedAt).toBe(10_500);
  });
});
