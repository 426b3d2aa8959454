import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../../../scenarios/builtin/default.js';
import { lastPlannedMs } from '../../../scenarios/executors/index.js';
import { faultsThatCannotFire } from '../../../simulator/faults/dormant.js';
import type { RunTraffic } from '../../../simulator/faults/dormant.js';
import { parseFaultsDocument } from '../../../simulator/faults/spec-file.js';

const apnsOnly: RunTraffic = {
  providers: { apns: { topic: 'com.example.pushsim', pushType: 'alert', priority: '10', tokens: ['aa01', 'aa02', 'bb03'] } },
  plannedEndMs: 10_000,
};

describe('faultsThatCannotFire', () => {
  it('says nothing about a token match when the tokens are not known before the run (recipients from a file), and still judges the rest of the match', () => {
    const fromFile: RunTraffic = { providers: { apns: { topic: 'com.example.pushsim', pushType: 'alert', priority: '10' } }, plannedEndMs: 10_000 };
    const warnings = faultsThatCannotFire(
      {
        faults: [
          { kind: 'outage', id: 'one-user', match: { tokens: ['ffff'] } },
          { kind: 'outage', id: 'pattern', match: { token: '^ff' } },
          { kind: 'outage', id: 'other-topic', match: { topic: 'com.other', tokens: ['ffff'] } },
        ],
      },
      fromFile,
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^fault 'other-topic' cannot fire: its match \{"topic":"com\.other"\} fits no notification of the run \(apns: topic com\.example\.pushsim, pushType alert, priority 10, tokens from a file\)$/);
  });

  it('names a phase that begins after the last planned notification, with the faults in it', () => {
    const warnings = faultsThatCannotFire(
      { phases: [{ name: 'healthy', durationMs: 60_000 }, { name: 'brownout' }], faults: [{ kind: 'outage', id: 'down', phase: 'brownout' }, { kind: 'latency', distribution: { kind: 'fixed', ms: 5 } }] },
      apnsOnly,
    );
    expect(warnings).toEqual(["phase 'brownout' begins at 60 s, after the run's last notification is planned (10 s): its fault(s) down cannot fire"]);
  });

  it('names a fault whose window starts after the run, or whose provider, error or match no request has', () => {
    const warnings = faultsThatCannotFire(
      {
        faults: [
          { kind: 'outage', id: 'late', startMs: 20_000 },
          { kind: 'outage', id: 'fcm-only', match: { provider: 'fcm' } },
          { kind: 'error', id: 'no-apns-error', fcm: 'INTERNAL' },
          { kind: 'outage', id: 'other-topic', match: { topic: 'com.other' } },
          { kind: 'outage', id: 'voip', match: { pushType: 'voip' } },
          { kind: 'outage', id: 'no-token', match: { token: '^ff' } },
          { kind: 'outage', id: 'listed', match: { tokens: ['cc'] } },
          { kind: 'outage', id: 'off', enabled: false, match: { provider: 'fcm' } },
        ],
      },
      apnsOnly,
    );
    expect(warnings.map((w) => w.slice(0, w.indexOf(':')))).toEqual(["fault 'late' cannot fire", "fault 'fcm-only' cannot fire", "fault 'no-apns-error' cannot fire", "fault 'other-topic' cannot fire", "fault 'voip' cannot fire", "fault 'no-token' cannot fire", "fault 'listed' cannot fire"]);
    expect(warnings[1]).toContain('it matches provider fcm, but the run sends to apns only');
    expect(warnings[2]).toContain('add apns: …');
    expect(warnings[5]).toContain('fits no notification of the run (apns: topic com.example.pushsim, pushType alert, priority 10, 3 token(s))');
  });

  it('says nothing of faults that can fire: a matching token, topic, connection, or an error for a provider of the run', () => {
    const warnings = faultsThatCannotFire(
      {
        phases: [{ name: 'early', durationMs: 5000 }, { name: 'rest' }],
        faults: [
          { kind: 'outage', phase: 'rest' },
          { kind: 'outage', match: { token: '^bb', topic: ['com.example.pushsim', 'x'], connection: 7 } },
          { kind: 'error', apns: 'InternalServerError', fcm: 'INTERNAL' },
          { kind: 'outage', match: { provider: ['apns', 'fcm'], priority: 10 } },
        ],
      },
      apnsOnly,
    );
    expect(warnings).toEqual([]);
  });

  it('finds every fault of the README example file able to fire in the default run', async () => {
    const file = join(import.meta.dirname, '../../../simulator/faults/examples/short-brownout.yaml');
    const doc = parseFaultsDocument(await readFile(file, 'utf8'), file);
    const { topic, pushType, priority } = defaultScenario.notification;
    const traffic: RunTraffic = { providers: { apns: { topic, pushType, priority: String(priority), tokens: ['ab'.repeat(32)] } }, plannedEndMs: lastPlannedMs(defaultScenario.load) };
    expect(faultsThatCannotFire(doc, traffic)).toEqual([]);
    // The long example is for a proxy in front of a real provider: in the default run it cannot fire.
    const long = join(import.meta.dirname, '../../../simulator/faults/examples/brownout.yaml');
    expect(faultsThatCannotFire(parseFaultsDocument(await readFile(long, 'utf8'), long), traffic).length).toBeGreaterThan(0);
  });
});
