/** ProfileRecorder: what each provider answered, per attempt, into a profile that loads back. */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { PushSimError } from '../../core/errors.js';
import { ProfileRecorder, shifted, writeProfile } from '../../reports/profile.js';
import type { RoundTripSource } from '../../reports/profile.js';
import { decodeHistogram } from '../../reports/histogram.js';
import type { TransportResult } from '../../sender/transport.js';
import { parseProfile, validateProfile } from '../../simulator/profile.js';
import { apnsMix, lognormalPart, writeTemp } from '../simulator/profile-fixtures.js';

const answer = (status: number, body = '', headers: Record<string, string> = {}): TransportResult => ({ ok: true, status, headers, body: Buffer.from(body) });
const failure = (kind: 'timeout' | 'reset' | 'queue-full' | 'shutdown' | 'circuit-open'): TransportResult => ({ ok: false, kind, error: new PushSimError('PUSHSIM_ERR_TIMEOUT', kind), unprocessed: false });

const recorders: ProfileRecorder[] = [];
afterEach(() => {
  for (const recorder of recorders.splice(0)) recorder.destroy();
});
function recorder(roundTrip?: RoundTripSource): ProfileRecorder {
  const made = new ProfileRecorder(roundTrip === undefined ? {} : { roundTrip });
  recorders.push(made);
  return made;
}

describe('ProfileRecorder', () => {
  it('counts each provider\'s answers by status and reason, with their wire latency', () => {
    const r = recorder();
    for (let i = 0; i < 93; i++) r.record('apns', answer(200, '', { 'apns-id': 'x' }), 20);
    for (let i = 0; i < 5; i++) r.record('apns', answer(503, '{"reason":"ServiceUnavailable"}'), 40);
    for (let i = 0; i < 2; i++) r.record('apns', answer(410, '{"reason":"Unregistered","timestamp":1}'), 10);
    r.record('fcm', answer(503, JSON.stringify({ error: { code: 503, status: 'UNAVAILABLE', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNAVAILABLE' }] } }), { 'retry-after': '7' }), 80);
    r.record('fcm', answer(503, JSON.stringify({ error: { code: 503, status: 'UNAVAILABLE', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNAVAILABLE' }] } }), { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }), 80);
    r.record('webpush', answer(201), 5);
    r.record('webpush', answer(410), 5);
    const profile = r.profile(new Date('2026-12-06T08:00:00Z'), { scenario: 's', target: 'http://127.0.0.1:1' });
    expect(validateProfile(profile)).toEqual([]);
    expect(profile.source).toEqual({ scenario: 's', target: 'http://127.0.0.1:1' });
    expect(profile.providers.apns?.answers).toEqual([
      { status: 200, count: 93 },
      { status: 503, reason: 'ServiceUnavailable', count: 5 },
      { status: 410, reason: 'Unregistered', count: 2 },
    ]);
    expect(profile.providers.apns?.attempts).toBe(100);
    expect(profile.providers.apns?.latencyMs.count).toBe(100);
    // HDR precision: within 0.1 %.
    expect(profile.providers.apns?.latencyMs.p50).toBeCloseTo(20, 1);
    const hdr = decodeHistogram(profile.providers.apns?.latencyMs.hdr ?? '');
    expect(hdr.count).toBe(100);
    hdr.destroy();
    // The Retry-After the provider sent most; an HTTP date is no delay to replay.
    expect(profile.providers.fcm?.answers).toEqual([{ status: 503, reason: 'UNAVAILABLE', count: 2, retryAfterSeconds: 7 }]);
    expect(profile.providers.webpush?.answers).toEqual([{ status: 201, count: 1 }, { status: 410, reason: 'Gone', count: 1 }]);
  });

  it('counts failures on the way apart and leaves out what pushsim did itself', () => {
    const r = recorder();
    r.record('apns', answer(200), 3);
    r.record('apns', failure('timeout'), 5000);
    r.record('apns', failure('reset'), 1);
    r.record('apns', failure('queue-full'), 0);
    r.record('apns', failure('shutdown'), 0);
    r.record('apns', failure('circuit-open'), 0);
    const apns = r.profile(new Date()).providers.apns;
    expect(apns).toMatchObject({ attempts: 3, failures: { timeout: 1, reset: 1 }, latencyMs: { count: 1 } });
    expect(r.answered()).toBe(1);
  });

  it('leaves out a provider that answered nothing, and writes a file that loads back', async () => {
    const r = recorder();
    r.record('fcm', failure('timeout'), 10);
    r.record('apns', answer(200), 12.5);
    const profile = r.profile(new Date());
    expect(Object.keys(profile.providers)).toEqual(['apns']);
    const file = writeTemp('', 'written.json');
    await writeProfile(profile, file);
    expect(parseProfile(await readFile(file, 'utf8'), file)).toEqual(profile);
  });

  it('takes the probed local round trip\'s mean off every wire time, and says so in the profile', () => {
    const events: string[] = [];
    const probe: RoundTripSource = {
      measure: () => events.push('measure'),
      summary: () => ({ count: 500, mean: 0.5, p50: 0.4, p90: 0.8, p99: 3, p999: 6, max: 9 }),
      close: () => Promise.resolve(),
      destroy: () => events.push('destroy'),
    };
    const r = recorder(probe);
    expect(events).toEqual([]);
    for (let i = 0; i < 100; i++) r.record('apns', answer(200), 20 + i / 10);
    r.record('apns', answer(200), 0.2);
    // Probing counts from the measured run's first answer, once.
    expect(events).toEqual(['measure']);
    const profile = r.profile(new Date());
    expect(validateProfile(profile)).toEqual([]);
    expect(profile.localRoundTripMs).toEqual({ method: 'loopback-probe', count: 500, mean: 0.5, p50: 0.4, p90: 0.8, p99: 3, max: 9, subtractedMs: 0.5 });
    const apns = profile.providers.apns;
    expect(apns?.wireLatencyMs?.p50).toBeCloseTo(24.9, 1);
    expect(apns?.latencyMs.p50).toBeCloseTo(24.4, 1);
    expect(apns?.latencyMs.count).toBe(101);
    // A wire time shorter than the round trip comes out as 0, not negative.
    const hdr = decodeHistogram(apns?.latencyMs.hdr ?? '');
    expect(hdr.percentileMs(0.5)).toBe(0);
    hdr.destroy();
    r.destroy();
    expect(events).toEqual(['measure', 'destroy']);
  });

  it('keeps the wire times as they are when no round trip was probed', () => {
    const r = recorder({ measure: () => {}, summary: () => ({ count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 }), close: () => Promise.resolve(), destroy: () => {} });
    r.record('apns', answer(200), 20);
    const profile = r.profile(new Date());
    expect(profile.localRoundTripMs).toBeUndefined();
    expect(profile.providers.apns?.wireLatencyMs).toBeUndefined();
    expect(profile.providers.apns?.latencyMs.p50).toBeCloseTo(20, 1);
  });
});

describe('shifted', () => {
  it('moves every percentile down by the shift, within HDR precision', () => {
    const part = lognormalPart(20, 0.5, 20_000, apnsMix);
    const moved = shifted(part.latencyMs.hdr, 1.5);
    expect(moved.count).toBe(part.latencyMs.count);
    for (const q of ['p50', 'p90', 'p99', 'p999', 'max'] as const) expect(Math.abs(moved[q] - (part.latencyMs[q] - 1.5))).toBeLessThan(part.latencyMs[q] * 0.002);
  });
});
