/** A mock target's `profile:` turned into the mocks' latency and faults, per provider the profile holds. */
import { describe, expect, it } from 'vitest';
import type { MockTarget } from '../../scenarios/config.js';
import { apnsLatency, hasFaults, resolveProfilePaths, validateProfileTarget, withProfileFaults } from '../../scenarios/profile-target.js';
import { createFaultSampler, validateFaultLatency } from '../../simulator/faults/distributions.js';
import { createRandom } from '../../simulator/random.js';
import { apnsMix, lognormalPart, profileOf, writeTemp } from '../simulator/profile-fixtures.js';

const accepted = [{ status: 201, count: 100 }];
const file = writeTemp(profileOf({ apns: lognormalPart(20, 0.5, 2000, apnsMix), webpush: lognormalPart(60, 0.2, 2000, accepted) }));
const mixed: MockTarget = { kind: 'mock', provider: ['apns', 'fcm', 'webpush'], tls: false, worker: false, latency: { kind: 'fixed', ms: 3 }, profile: file };

describe('a mock target with a profile', () => {
  it('replays each provider\'s latency through a matched latency fault (before every answer, errors included), and the answers through one fault', () => {
    // The mock APNs' own latency would delay only what it accepts.
    expect(apnsLatency(mixed)).toEqual({ kind: 'fixed', ms: 0 });
    expect(withProfileFaults(mixed, ['apns', 'fcm', 'webpush'], undefined, 4)).toEqual({
      seed: 4,
      faults: [
        { id: 'profile-latency-apns', kind: 'latency', match: { provider: 'apns' }, distribution: { kind: 'recorded', file, provider: 'apns' } },
        { id: 'profile-latency-webpush', kind: 'latency', match: { provider: 'webpush' }, distribution: { kind: 'recorded', file, provider: 'webpush' } },
        { id: 'profile-answers', kind: 'recorded-answers', file },
      ],
    });
    expect(hasFaults({ target: mixed })).toBe(true);
  });

  it('keeps the scenario\'s own faults first, and changes nothing without a profile', () => {
    const own = { seed: 9, phases: [{ name: 'p', durationMs: 1000 }], faults: [{ kind: 'outage', phase: 'p' }] };
    const merged = withProfileFaults(mixed, ['apns'], own, 4);
    expect(merged).toMatchObject({ seed: 9, phases: own.phases });
    expect(merged?.faults?.map((f) => f.kind)).toEqual(['outage', 'latency', 'recorded-answers']);
    const { profile: _profile, ...withoutProfile } = mixed;
    expect(withProfileFaults(withoutProfile, ['apns'], own, 4)).toBe(own);
    expect(apnsLatency(withoutProfile)).toEqual({ kind: 'fixed', ms: 3 });
    expect(hasFaults({ target: withoutProfile })).toBe(false);
  });

  it('refuses a profile with none of the target\'s providers, naming both', () => {
    expect(validateProfileTarget(file, ['fcm'])).toEqual([`target.profile: profile ${file} holds apns, webpush, none of the target's providers (fcm); record one from a run to them`]);
    expect(validateProfileTarget(file, ['fcm', 'webpush'])).toEqual([]);
    expect(validateProfileTarget('', ['apns'])).toEqual(['target.profile must be the path of a profile file (pushsim run --record-profile FILE), got ""']);
  });

  it('makes a scenario file\'s paths relative to the file, and refuses latency with a profile', () => {
    const target: Record<string, unknown> = { mock: 'apns', profile: 'p.json' };
    expect(resolveProfilePaths(target, '/scenarios')).toEqual([]);
    expect(target['profile']).toBe('/scenarios/p.json');
    const recorded: Record<string, unknown> = { mock: 'fcm', latency: { kind: 'recorded', file: '../p.json' } };
    resolveProfilePaths(recorded, '/scenarios/x');
    expect(recorded['latency']).toEqual({ kind: 'recorded', file: '/scenarios/p.json' });
    expect(resolveProfilePaths({ mock: 'apns', profile: 'p.json', latency: { kind: 'fixed', ms: 1 } }, '/s')).toHaveLength(1);
    expect(resolveProfilePaths({ url: 'https://x', profile: 'p.json' }, '/s')).toEqual([]);
  });

  it('lets a latency fault sample a recorded distribution too', () => {
    expect(validateFaultLatency({ kind: 'recorded', file, provider: 'webpush' }, 'faults[0].distribution')).toEqual([]);
    expect(validateFaultLatency({ kind: 'recorded', file, provider: 'fcm' }, 'faults[0].distribution')[0]).toContain('faults[0].distribution.file: profile');
    const sample = createFaultSampler({ kind: 'recorded', file, provider: 'webpush' }, createRandom(2));
    const values = Array.from({ length: 5000 }, () => sample()).sort((a, b) => a - b);
    expect(values[2500]).toBeGreaterThan(57);
    expect(values[2500]).toBeLessThan(63);
  });
});
