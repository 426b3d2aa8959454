import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../core/errors.js';
import { loadProfileSync, parseProfile, profileLimits, providerProfile, validateProfile } from '../../simulator/profile.js';
import { apnsMix, lognormalPart, profileOf, writeTemp } from './profile-fixtures.js';

const good = profileOf({ apns: lognormalPart(20, 0.5, 1000, apnsMix) });

describe('validateProfile', () => {
  it('accepts a recorded profile', () => {
    expect(validateProfile(JSON.parse(JSON.stringify(good)))).toEqual([]);
  });

  it('names every bad field by its path, in one pass', () => {
    const apns = good.providers.apns;
    const bad = {
      ...good,
      recordedAt: 'yesterday',
      providers: {
        apns: { ...apns, attempts: -1, latencyMs: { ...apns?.latencyMs, p99: 'slow', hdr: 'not base64!' }, answers: [{ status: 700, count: 1 }, { status: 503, reason: 'no spaces', count: 2.5, extra: 1 }] },
        gcm: {},
      },
    };
    expect(validateProfile(bad)).toEqual([
      "recordedAt must be an ISO 8601 time, got 'yesterday'",
      'providers.apns.attempts must be a whole number >= 0, got -1',
      "providers.apns.latencyMs.p99 must be a number of milliseconds >= 0, got 'slow'",
      "providers.apns.latencyMs.hdr must be a compressed base64 HDR histogram (as in result.json), got 'not base64!'",
      'providers.apns.answers[0].status must be an HTTP status from 200 to 599, got 700',
      'providers.apns.answers[1].extra is not a field of an answer (status, reason, count, retryAfterSeconds)',
      "providers.apns.answers[1].reason must be a reason name such as 'Unregistered' (letters, digits, _ . -), got 'no spaces'",
      'providers.apns.answers[1].count must be a whole number >= 0, got 2.5',
      'providers.gcm is not a provider (apns, fcm, webpush)',
    ]);
  });

  it('checks what was subtracted for the local round trip, and the wire latency kept beside it', () => {
    const apns = good.providers.apns;
    const local = { method: 'loopback-probe', count: 900, mean: 0.4, p50: 0.3, p90: 0.5, p99: 2, max: 9, subtractedMs: 0.3 };
    expect(validateProfile({ ...good, localRoundTripMs: local, providers: { apns: { ...apns, wireLatencyMs: apns?.latencyMs } } })).toEqual([]);
    const bad = { ...good, localRoundTripMs: { ...local, method: 'guess', count: 0, subtractedMs: -1 }, providers: { apns: { ...apns, wireLatencyMs: { ...apns?.latencyMs, p50: null } } } };
    expect(validateProfile(bad)).toEqual([
      "localRoundTripMs.method must be 'loopback-probe', got 'guess'",
      'localRoundTripMs.count must be a whole number >= 1, got 0',
      'localRoundTripMs.subtractedMs must be a number of milliseconds >= 0, got -1',
      'providers.apns.wireLatencyMs.p50 must be a number of milliseconds >= 0, got null',
    ]);
  });

  it('refuses another document with a hint, and empty parts', () => {
    expect(validateProfile({ schema: 'pushsim.result/1' })).toEqual([
      "schema must be 'pushsim.profile/1', got 'pushsim.result/1': is this a profile written by pushsim run --record-profile?",
    ]);
    expect(validateProfile({ ...good, providers: {} })).toEqual(['providers must hold at least one of apns, fcm, webpush']);
    const none = { ...good, providers: { fcm: { ...good.providers.apns, answers: [{ status: 200, count: 0 }] } } };
    expect(validateProfile(none)).toEqual(['providers.fcm.answers count nothing: no attempt was answered']);
  });
});

describe('loadProfileSync', () => {
  it('reads, checks and caches a file', () => {
    const file = writeTemp(good);
    const profile = loadProfileSync(file);
    expect(profile.providers.apns?.answers).toEqual(apnsMix);
    expect(loadProfileSync(file)).toBe(profile);
  });

  it('throws InvalidConfigError (exit 104) naming the file for what is wrong with it', () => {
    const missing = '/nonexistent/pushsim.profile.json';
    expect(() => loadProfileSync(missing)).toThrow(InvalidConfigError);
    expect(() => loadProfileSync(missing)).toThrow(`profile ${missing} has 1 problem(s)`);
    const notJson = writeTemp('{ nope');
    expect(() => loadProfileSync(notJson)).toThrow(/not valid JSON/);
    const big = writeTemp(' '.repeat(profileLimits.maxBytes + 1));
    expect(() => loadProfileSync(big)).toThrow(/the limit is 1 MiB/);
    const badField = writeTemp({ ...good, providers: { apns: { ...good.providers.apns, attempts: 'many' } } });
    expect(() => loadProfileSync(badField)).toThrow(`profile ${badField} has 1 problem(s):\n  - providers.apns.attempts must be a whole number >= 0, got 'many'`);
  });

  it('says which providers a profile holds when asked for another', () => {
    const profile = parseProfile(JSON.stringify(good), 'p.json');
    expect(() => providerProfile(profile, 'fcm', 'p.json')).toThrow('providers.fcm: the profile has no fcm part (it holds apns)');
  });
});
