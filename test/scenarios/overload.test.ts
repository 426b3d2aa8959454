import { describe, expect, it } from 'vitest';
import { OverloadMonitor, ScheduleLag, bottleneckOf, judgeValidity, validateValidity } from '../../scenarios/overload.js';
import type { ValidityInputs } from '../../scenarios/overload.js';
import type { TransportStats } from '../../sender/transport.js';

/** A run that kept to its schedule: an idle loop, nothing full, notifications on time. */
const healthy: ValidityInputs = {
  elapsedMs: 10_000,
  eventLoop: { utilization: 0.3, delayP99Ms: 12, delayMaxMs: 20 },
  cpuPercent: 35,
  inFlight: { senderLimit: 1000, targetLimit: 1000, peak: 80, peakQueued: 0, senderLimitedPercent: 0, targetLimitedPercent: 0, connectingPercent: 0 },
  scheduled: 50_000,
  shed: 0,
  sendLagP99Ms: 3,
  fireLagP99Ms: 1,
};

describe('judgeValidity', () => {
  it('finds a run that kept to its schedule valid, with no bottleneck to name', () => {
    const validity = judgeValidity(healthy);
    expect(validity).toMatchObject({ valid: true, failOnOverload: true, bounds: { maxSendLagMs: 1000, maxShedPercent: 0 }, reasons: [] });
    expect(validity.bottleneck).toBeUndefined();
    expect(validity.evidence.sendLagP99Ms).toBe(3);
  });

  it("blames pushsim's own in-flight limit when it was full and notifications left late", () => {
    const inputs = { ...healthy, sendLagP99Ms: 1800, inFlight: { ...healthy.inFlight, senderLimit: 1, peak: 1, peakQueued: 290, senderLimitedPercent: 97 } };
    const validity = judgeValidity(inputs);
    expect(validity.valid).toBe(false);
    expect(validity.reasons).toEqual(['notifications left up to 1.80 s late at p99 against their planned time (bound 1.00 s): pushsim could not keep to its schedule']);
    expect(validity.bottleneck?.kind).toBe('sender-in-flight-limit');
    expect(validity.bottleneck?.summary).toContain('sender.maxInFlight');
  });

  it('blames the sender thread when the generator itself ran late, with the event loop and CPU as evidence', () => {
    const inputs = { ...healthy, sendLagP99Ms: 5800, fireLagP99Ms: 600, eventLoop: { utilization: 1, delayP99Ms: 109, delayMaxMs: 455 }, cpuPercent: 99 };
    const validity = judgeValidity(inputs);
    expect(validity).toMatchObject({ valid: false, bottleneck: { kind: 'sender-cpu' } });
    expect(validity.bottleneck?.summary).toContain('event loop 100 % busy, delay p99 109 ms / max 455 ms; process CPU 99 % of one core');
  });

  it("calls a full target limit the target's capacity: named, but valid — unless the sender's thread was saturated and running", () => {
    const atLimit = { ...healthy, sendLagP99Ms: 1500, inFlight: { ...healthy.inFlight, peak: 1000, peakQueued: 900, targetLimitedPercent: 80 } };
    const target = judgeValidity(atLimit);
    expect(target).toMatchObject({ valid: true, reasons: [], bottleneck: { kind: 'target-in-flight-limit' } });
    // A starved process (busy machine) shows a busy loop but little CPU: still the target's limit.
    expect(judgeValidity({ ...atLimit, eventLoop: { ...atLimit.eventLoop, utilization: 1 }, cpuPercent: 40 }).bottleneck?.kind).toBe('target-in-flight-limit');
    expect(judgeValidity({ ...atLimit, eventLoop: { ...atLimit.eventLoop, utilization: 1 }, cpuPercent: 100 })).toMatchObject({ valid: false, bottleneck: { kind: 'sender-cpu' } });
  });

  it('finds shed load invalid whatever the cause, within the bound the scenario sets', () => {
    const shedding = { ...healthy, shed: 1400, inFlight: { ...healthy.inFlight, senderLimit: 2, senderLimitedPercent: 100 } };
    const strict = judgeValidity(shedding);
    expect(strict.valid).toBe(false);
    expect(strict.reasons[0]).toContain('pushsim shed 1400 notification(s) itself (2.8 % of scheduled, bound 0 %)');
    expect(judgeValidity(shedding, { maxShedPercent: 5 }).valid).toBe(true);
  });

  it('keeps an invalid verdict but lets the scenario opt out of failing on it', () => {
    const late = { ...healthy, sendLagP99Ms: 1800, inFlight: { ...healthy.inFlight, senderLimitedPercent: 97 } };
    expect(judgeValidity(late, { failOnOverload: false })).toMatchObject({ valid: false, failOnOverload: false });
    expect(judgeValidity(late, { maxSendLagMs: 2000 }).valid).toBe(true);
  });
});

describe('bottleneckOf', () => {
  it('names the target on a healthy run only when its limit was full often', () => {
    expect(bottleneckOf(healthy, 1000, false)).toBeUndefined();
    expect(bottleneckOf({ ...healthy, inFlight: { ...healthy.inFlight, targetLimitedPercent: 12 } }, 1000, false)).toBe('target-in-flight-limit');
    expect(bottleneckOf({ ...healthy, inFlight: { ...healthy.inFlight, connectingPercent: 40 } }, 1000, true)).toBe('connecting');
  });
});

describe('validateValidity', () => {
  it('lists every problem of a validity section', () => {
    expect(validateValidity({ maxSendLagMs: 0, maxShedPercent: 101, failOnOverload: 'no' as unknown as boolean, maxPauseSharePercent: 10 })).toEqual([
      'validity.maxSendLagMs must be a number of ms from 1 to 3600000, got 0',
      'validity.maxShedPercent must be a percentage from 0 to 100, got 101',
      'validity.maxPauseSharePercent must be a percentage from 25 to 1000, got 10',
      'validity.failOnOverload must be true or false, got "no"',
    ]);
    expect(validateValidity({ maxSendLagMs: 250, maxShedPercent: 0.5, failOnOverload: false, maxPauseSharePercent: 80 })).toEqual([]);
  });
});

describe('ScheduleLag', () => {
  it('is the lateness of the oldest notification neither on the wire nor ended', () => {
    const lag = new ScheduleLag();
    const a = { sentAt: undefined as number | undefined };
    const b = { sentAt: undefined as number | undefined };
    const first = lag.track(100, a);
    lag.track(150, b);
    expect(lag.lateBy(400)).toBe(300);
    a.sentAt = 410;
    expect(lag.lateBy(420)).toBe(270);
    b.sentAt = 430;
    expect(lag.lateBy(440)).toBe(0);
    first.ended = true;
    const c = lag.track(500, {});
    c.ended = true;
    expect(lag.lateBy(600)).toBe(0);
  });

  it('lets go of what is done at the head when a notification ends, and still finds the oldest waiting one', () => {
    const lag = new ScheduleLag();
    const entries = Array.from({ length: 5000 }, (_, i) => ({ context: { sentAt: undefined as number | undefined }, entry: undefined as ReturnType<ScheduleLag['track']> | undefined, plannedAt: i }));
    for (const e of entries) e.entry = lag.track(e.plannedAt, e.context);
    // Everything but notification 3000 ends, in order; 3000 is still waiting to go on the wire.
    for (const [i, e] of entries.entries()) if (i !== 3000 && e.entry !== undefined) lag.end(e.entry);
    expect(lag.lateBy(3500)).toBe(500);
    const waiting = entries[3000] as (typeof entries)[number];
    waiting.context.sentAt = 3600;
    expect(lag.lateBy(3700)).toBe(0);
    const later = lag.track(4000, { sentAt: undefined });
    expect(lag.lateBy(4100)).toBe(100);
    lag.end(later);
    expect(lag.lateBy(4200)).toBe(0);
  });
});

describe('OverloadMonitor', () => {
  it('samples which in-flight limit was full: the lower one binds', () => {
    let stats: TransportStats = { connected: 1, running: 2, queued: 5, capacity: 1000 };
    const monitor = new OverloadMonitor([{ stats: () => stats, maxInFlight: 2 }]);
    monitor.start();
    monitor.sample();
    monitor.sample();
    stats = { connected: 1, running: 1000, queued: 40, capacity: 1000 };
    const capped = new OverloadMonitor([{ stats: () => stats, maxInFlight: 1000 }]);
    capped.start();
    capped.sample();
    stats = { connected: 0, running: 0, queued: 3, capacity: 0 };
    capped.sample();
    const pushsim = monitor.stop();
    const target = capped.stop();
    expect(pushsim.inFlight).toMatchObject({ senderLimit: 2, targetLimit: 1000, peak: 2, peakQueued: 5, targetLimitedPercent: 0 });
    expect(pushsim.inFlight.senderLimitedPercent).toBeGreaterThan(50);
    // Equal limits: the target's binds (raising pushsim's would not help).
    expect(target.inFlight).toMatchObject({ peak: 1000, peakQueued: 40, senderLimitedPercent: 0 });
    expect(target.inFlight.targetLimitedPercent).toBeGreaterThan(0);
    expect(target.inFlight.connectingPercent).toBeGreaterThan(0);
    expect(pushsim.eventLoop.utilization).toBeGreaterThanOrEqual(0);
    expect(monitor.stop()).toBe(pushsim);
  });
});
