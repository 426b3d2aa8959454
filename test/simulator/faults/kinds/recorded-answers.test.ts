/**
 * `recorded-answers`: the answer mix of a profile, replayed by the fault engine. The issue's
 * acceptance, deterministically: 5 % 503 + 2 % 410 come back within 1 percentage point (here 0.3)
 * over 100,000 requests, each answer as the provider gives it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FaultEngine } from '../../../../simulator/faults/engine.js';
import type { FaultsDocument } from '../../../../simulator/faults/spec.js';
import { validateFaultsDocument } from '../../../../simulator/faults/spec.js';
import { answerTable, pick } from '../../../../simulator/faults/kinds/recorded-answers.js';
import { apnsMix, lognormalPart, profileOf, writeTemp } from '../../profile-fixtures.js';

const engines: FaultEngine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.close();
});

function engineFor(spec: FaultsDocument): FaultEngine {
  const engine = new FaultEngine({ spec, clock: { now: () => 1_700_000_000_000 }, tickMs: 0 });
  engines.push(engine);
  return engine;
}

const fcmMix = [
  { status: 200, count: 900 },
  { status: 503, reason: 'UNAVAILABLE', count: 60, retryAfterSeconds: 7 },
  { status: 429, reason: 'QUOTA_EXCEEDED', count: 40, retryAfterSeconds: 30 },
];
const file = writeTemp(profileOf({ apns: lognormalPart(20, 0.5, 1000, apnsMix), fcm: lognormalPart(50, 0.3, 1000, fcmMix) }));

describe('recorded-answers', () => {
  it('answers in the recorded proportions, within 0.3 percentage points over 100,000 requests', () => {
    const engine = engineFor({ seed: 9, faults: [{ kind: 'recorded-answers', file }] });
    const counts = new Map<string, number>();
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const response = engine.decide({ provider: 'apns', token: `token-${i}` })?.action;
      const key = response?.type === 'respond' ? `${response.response.status} ${response.response.reason}` : 'through';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const share = (key: string): number => (counts.get(key) ?? 0) / n;
    expect([...counts.keys()].sort()).toEqual(['410 Unregistered', '503 ServiceUnavailable', 'through']);
    expect(Math.abs(share('503 ServiceUnavailable') - 0.05)).toBeLessThan(0.003);
    expect(Math.abs(share('410 Unregistered') - 0.02)).toBeLessThan(0.003);
    expect(Math.abs(share('through') - 0.93)).toBeLessThan(0.003);
  });

  it('gives the same answers for the same seed and traffic, other ones for another seed', () => {
    const answers = (seed: number): (number | undefined)[] => {
      const engine = engineFor({ seed, faults: [{ kind: 'recorded-answers', file }] });
      return Array.from({ length: 400 }, (_, i) => {
        const action = engine.decide({ provider: 'apns', token: `t${i}` })?.action;
        return action?.type === 'respond' ? action.response.status : undefined;
      });
    };
    expect(answers(1)).toEqual(answers(1));
    expect(answers(1)).not.toEqual(answers(2));
  });

  it('answers provider-faithfully: APNs reason body and apns-id, FCM google.rpc.Status with the recorded Retry-After', () => {
    const engine = engineFor({ faults: [{ kind: 'recorded-answers', file }] });
    const seen = new Map<number, { headers: Readonly<Record<string, string>>; body: string }>();
    for (let i = 0; i < 2000 && seen.size < 4; i++) {
      for (const provider of ['apns', 'fcm'] as const) {
        const action = engine.decide({ provider, token: `k${i}`, ...(provider === 'apns' && { notificationId: '11111111-2222-3333-4444-555555555555' }) })?.action;
        if (action?.type === 'respond') seen.set(action.response.status + (provider === 'fcm' ? 1000 : 0), action.response);
      }
    }
    expect(seen.get(503)).toMatchObject({ headers: { 'content-type': 'application/json', 'apns-id': '11111111-2222-3333-4444-555555555555' }, body: '{"reason":"ServiceUnavailable"}' });
    expect(seen.get(503)?.headers['retry-after']).toBeUndefined();
    expect(seen.get(410)).toMatchObject({ body: '{"reason":"Unregistered"}' });
    const unavailable = seen.get(1503);
    expect(unavailable?.headers['retry-after']).toBe('7');
    expect(JSON.parse(unavailable?.body ?? '{}')).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE', details: [{ errorCode: 'UNAVAILABLE' }] } });
    expect(seen.get(1429)?.headers['retry-after']).toBe('30');
  });

  it('keeps the status of a reason the table does not know, and leaves providers the profile lacks alone', () => {
    const odd = writeTemp(profileOf({ apns: lognormalPart(5, 0.1, 100, [{ status: 429, reason: 'SomethingNew', count: 1 }]) }));
    const engine = engineFor({ faults: [{ kind: 'recorded-answers', file: odd }] });
    const action = engine.decide({ provider: 'apns', token: 'a' })?.action;
    expect(action).toMatchObject({ type: 'respond', response: { status: 429, body: '{"reason":"SomethingNew"}' } });
    expect(engine.decide({ provider: 'webpush', token: '/s/1' })).toBeUndefined();
  });

  it('picks by cumulative share, acceptances above the errors', () => {
    const table = answerTable(apnsMix);
    expect(pick(table, 0)).toMatchObject({ status: 503 });
    expect(pick(table, 0.0499)).toMatchObject({ status: 503 });
    expect(pick(table, 0.05)).toMatchObject({ status: 410 });
    expect(pick(table, 0.0699)).toMatchObject({ status: 410 });
    expect(pick(table, 0.07)).toBeUndefined();
  });

  it('reports a missing or broken profile with the fault path', () => {
    expect(validateFaultsDocument({ faults: [{ kind: 'recorded-answers' }] })).toEqual(['faults[0].file must be the path of a profile file (pushsim run --record-profile FILE), got undefined']);
    const broken = writeTemp({ schema: 'nope' });
    expect(validateFaultsDocument({ faults: [{ kind: 'recorded-answers', file: broken }] })).toEqual([
      `faults[0].file: profile ${broken}: schema must be 'pushsim.profile/1', got 'nope': is this a profile written by pushsim run --record-profile?`,
    ]);
  });
});
