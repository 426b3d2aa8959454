/**
 * The safety rails for real providers, as pure functions of the scenario and the command line's
 * ceilings: which targets are real, how a load is cut to the caps, and what is refused.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidConfigError } from '../../core/errors.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import type { ScenarioConfig, Target } from '../../scenarios/config.js';
import { parseScenario } from '../../scenarios/file.js';
import { applySafety, isRealTarget, realProviderDefaults } from '../../scenarios/safety.js';

const sandbox: Target = { kind: 'providers', apns: { url: 'sandbox' } };
const real = (overrides: Partial<ScenarioConfig> = {}): ScenarioConfig => ({ ...defaultScenario, target: sandbox, warmup: 0, ...overrides });

describe('which targets are real', () => {
  it('the mocks and loopback URLs are not; Apple, Google and any Web Push target are', () => {
    expect(isRealTarget(defaultScenario.target)).toBe(false);
    expect(isRealTarget({ kind: 'providers', apns: { url: 'https://127.0.0.1:8443' }, fcm: { url: 'http://[::1]:9000' } })).toBe(false);
    expect(isRealTarget({ kind: 'url', provider: 'apns', url: 'https://localhost:8443', credentials: { keyFile: 'k', keyId: 'K', teamId: 'T' } })).toBe(false);
    expect(isRealTarget(sandbox)).toBe(true);
    expect(isRealTarget({ kind: 'providers', fcm: {} })).toBe(true);
    // The token exchange with Google is real even when FCM itself is a local mock.
    expect(isRealTarget({ kind: 'providers', fcm: { url: 'http://127.0.0.1:9000', tokenUrl: 'https://oauth2.googleapis.com/token' } })).toBe(true);
    expect(isRealTarget({ kind: 'providers', webpush: { subscriptionsFile: 's.json' } })).toBe(true);
  });
});

describe('applySafety', () => {
  it('leaves a mock or loopback scenario as it is', () => {
    const { config, safety, notes } = applySafety(defaultScenario);
    expect(config).toBe(defaultScenario);
    expect(safety).toBeUndefined();
    expect(notes).toEqual([]);
  });

  it('cuts a constant load to the default caps, and says so', () => {
    const { config, safety, notes } = applySafety(real());
    expect(config.load).toEqual({ executor: 'constant-arrival-rate', count: realProviderDefaults.maxNotifications, rate: realProviderDefaults.maxRate });
    expect(safety).toMatchObject({ maxNotifications: 1000, maxRate: 50, realProviders: ['apns'], dryRun: false });
    expect(notes.join('\n')).toMatch(/cut from 50000 to 1000[\s\S]*cut from 5000 to 50/);
  });

  it('counts the warm-up against the cap, and refuses one that fills it', () => {
    expect(applySafety(real({ warmup: 100 }), { maxNotifications: 300 }).config.load).toMatchObject({ count: 200 });
    expect(() => applySafety(real({ warmup: 300 }), { maxNotifications: 300 })).toThrow(/warmup sends 300 notifications, and the cap for real providers is 300/);
  });

  it('lets the file lower the ceilings, never raise them', () => {
    expect(applySafety(real({ safety: { maxNotifications: 10, maxRate: 2 } })).config.load).toMatchObject({ count: 10, rate: 2 });
    const raised = (): unknown => applySafety(real({ safety: { maxNotifications: 5000, maxRate: 500 } }), { maxNotifications: 2000 });
    expect(raised).toThrow(InvalidConfigError);
    expect(raised).toThrow(/maxNotifications is 5000, above the ceiling of 2000[\s\S]*maxRate is 500\/s, above the ceiling of 50\/s/);
    expect(applySafety(real({ safety: { maxNotifications: 5000 } }), { maxNotifications: 5000 }).config.load).toMatchObject({ count: 5000 });
  });

  it('caps a closed model\'s count (its rate is the lanes\' limit) and a ramp\'s rates; refuses a ramp that plans more than the cap', () => {
    expect(applySafety(real({ load: { executor: 'closed', inFlight: 10 } })).config.load).toEqual({ executor: 'closed', inFlight: 10, count: 1000 });
    const ramp = applySafety(real({ load: { executor: 'ramping-arrival-rate', startRate: 100, stages: [{ durationMs: 10_000, target: 100 }] } }), { maxNotifications: 1000 });
    expect(ramp.config.load).toMatchObject({ startRate: 50, stages: [{ durationMs: 10_000, target: 50 }] });
    expect(() => applySafety(real({ load: { executor: 'ramping-arrival-rate', stages: [{ durationMs: 60_000, target: 50 }] } }))).toThrow(/the ramp plans 1500 notifications, above the cap of 1000/);
  });

  it('production APNs and real FCM sends need the file\'s allowProduction and the command line\'s', () => {
    const production = real({ target: { kind: 'providers', apns: { url: 'production', allowProduction: true } } });
    expect(() => applySafety(production)).toThrow(InvalidArgumentError);
    expect(() => applySafety(production)).toThrow(/missing: --allow-production on the command line/);
    expect(applySafety(production, { allowProduction: true }).safety?.realProviders).toEqual(['apns']);
    expect(() => applySafety(real({ target: { kind: 'providers', apns: { url: 'production' } } }), { allowProduction: true })).toThrow(/missing: target\.apns\.allowProduction: true in the scenario/);
    expect(() => applySafety(real({ target: { kind: 'providers', fcm: {} } }))).toThrow(/FCM for real .*--dry-run/);
    expect(applySafety(real({ target: { kind: 'providers', fcm: { validateOnly: true } } })).safety?.dryRun).toBe(true);
    // The sandbox needs no consent beyond the caps.
    expect(() => applySafety(real())).not.toThrow();
  });
});

describe('scenario files with real targets', () => {
  it('get no warm-up unless they ask, and keep their safety section', () => {
    expect(parseScenario('name: a\ntarget: { apns: { url: sandbox } }\n', 'a.yaml').warmup).toBeUndefined();
    expect(parseScenario('name: b\ntarget: { apns: { url: sandbox } }\nwarmup: 10\nsafety: { maxNotifications: 50 }\n', 'b.yaml')).toMatchObject({ warmup: 10, safety: { maxNotifications: 50 } });
    expect(parseScenario('name: c\ntarget: { apns: { url: "https://127.0.0.1:8443" } }\n', 'c.yaml').warmup).toBe(defaultScenario.warmup);
  });

  it('name each problem of a real target at its place, with a suggestion for a mistyped key', () => {
    const bad = (): unknown => parseScenario('name: d\ntarget:\n  apns: { url: "ftp://x", keyFile: k.p8, certificateFile: c.p12 }\n  fcm: { serviceAcountFile: sa.json }\n', 'd.yaml');
    expect(bad).toThrow(/d\.yaml:4:10: target\.fcm\.serviceAcountFile is not a field .*serviceAccountFile/);
    expect(bad).toThrow(/target\.apns\.url must be an http\(s\) URL .*sandbox \/ production, got "ftp:\/\/x"/);
    expect(bad).toThrow(/give token auth \(keyFile or keyEnv\) or certificate auth \(certificateFile\), not both/);
  });

  it('resolve their files relative to the scenario file', () => {
    const config = parseScenario('name: e\ntarget:\n  apns: { keyFile: keys/AuthKey.p8 }\n  webpush: { subscriptionsFile: subs.json, vapidFile: vapid.json }\n', '/srv/scenarios/e.yaml', '/srv/scenarios');
    expect(config.target).toMatchObject({ kind: 'providers', apns: { keyFile: '/srv/scenarios/keys/AuthKey.p8' }, webpush: { subscriptionsFile: '/srv/scenarios/subs.json', vapidFile: '/srv/scenarios/vapid.json' } });
  });
});
