/**
 * The run's "fault cannot fire" warnings (scenarios/dormant-faults.ts): a fault proxy's faults in
 * front of a real provider are judged against that provider's traffic, and a recipients file's
 * tokens, unknown before the run, never make a token match look dead.
 */
import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { dormantFaults } from '../../scenarios/dormant-faults.js';
import type { OpenTarget } from '../../scenarios/target.js';

const generated = ['aa01', 'aa02'];
const target = { apns: { recipients: generated }, fcm: { recipients: ['fcm-token-1'] } } as unknown as OpenTarget;
const providers = (proxyFaults: NonNullable<ScenarioConfig['faults']>): ScenarioConfig['target'] => ({
  kind: 'providers',
  apns: { url: 'https://api.sandbox.push.apple.com', proxy: { faults: proxyFaults } },
  fcm: {},
});

describe('dormantFaults', () => {
  it("judges a proxy's faults against the traffic through it: a match for the other provider, or a phase after the end, is named with its proxy", () => {
    const config: ScenarioConfig = {
      ...defaultScenario,
      target: providers({ phases: [{ name: 'calm', durationMs: 3_600_000 }, { name: 'storm' }], faults: [{ kind: 'outage', id: 'fcm-down', match: { provider: 'fcm' } }, { kind: 'outage', id: 'half', probability: 0.5 }] }),
    };
    const warnings = dormantFaults(config, target);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^target\.apns\.proxy: phase 'storm' begins at 3600 s, after the run's last notification is planned/);
    expect(warnings[1]).toMatch(/^target\.apns\.proxy: fault 'fcm-down' cannot fire: it matches provider fcm, but the run sends to apns only$/);
  });

  it('says nothing about a token match when the recipients come from a file (the target lists generated tokens, not the file\'s)', () => {
    const faults = { faults: [{ kind: 'outage', id: 'vip', match: { tokens: ['ffff0001'] } }] };
    const withFile: ScenarioConfig = { ...defaultScenario, target: providers(faults), recipients: { file: '/data/users.csv' } };
    expect(dormantFaults(withFile, target)).toEqual([]);
    // Without the file, the generated tokens are the run's: the same match is surely dead.
    const generatedOnly: ScenarioConfig = { ...defaultScenario, target: providers(faults) };
    expect(dormantFaults(generatedOnly, target)).toEqual([expect.stringMatching(/^target\.apns\.proxy: fault 'vip' cannot fire: its match \{"tokens":\["ffff0001"\]\} fits no notification/)]);
    // The mocks' own faults are judged the same way.
    expect(dormantFaults({ ...defaultScenario, faults, recipients: { file: '/data/users.csv' } }, target)).toEqual([]);
    expect(dormantFaults({ ...defaultScenario, faults }, target)).toEqual([expect.stringMatching(/^fault 'vip' cannot fire/)]);
  });
});
