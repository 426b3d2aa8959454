/** `pushsim mock apns|fcm|webpush --profile FILE`: a standalone mock answering like a recorded provider. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliTestTimeout, expectUserError, pushsim, startMock } from './helpers.js';
import { openClient, payload, token } from '../simulator/proxy/helpers.js';
import { lognormalPart, profileOf, writeTemp } from '../simulator/profile-fixtures.js';

describe('pushsim mock … --profile', { timeout: cliTestTimeout }, () => {
  it('apns: replays the recorded answers (here: every one a 503) after the --faults spec\'s own faults', async () => {
    const profile = writeTemp(profileOf({
      apns: lognormalPart(2, 0.1, 100, [{ status: 503, reason: 'ServiceUnavailable', count: 10 }]),
      webpush: lognormalPart(2, 0.1, 100, [{ status: 201, count: 10 }]),
    }));
    const spec = writeTemp("faults:\n  - { kind: error, apns: Unregistered, match: { token: '1$' } }\n", 'faults.yaml');
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-mock-profile-'));
    const mock = await startMock(['apns', '--profile', profile, '--faults', spec, '--credentials-dir', dir, '--accept-all']);
    try {
      expect(mock.stdout).toContain(`faults: 1 loaded from ${spec}`);
      expect(mock.stdout).toContain(`profile: replaying the latency and answers of apns, webpush from ${profile}`);
      const url = /listening on (\S+)/.exec(mock.stdout)?.[1] ?? '';
      const client = await openClient(url);
      expect(await client.request({ ':path': `/3/device/${token(1)}` }, payload)).toMatchObject({ status: 410, body: '{"reason":"Unregistered"}' });
      expect(await client.request({ ':path': `/3/device/${token(2)}` }, payload)).toMatchObject({ status: 503, body: '{"reason":"ServiceUnavailable"}' });
      await client.close();
    } finally {
      expect((await mock.stop()).code).toBe(0);
    }
  });

  it.each(['apns', 'fcm', 'webpush'])('%s: a broken profile exits 104 naming the file and field', async (provider) => {
    const bad = writeTemp({ schema: 'pushsim.profile/1', recordedAt: '2026-12-06T08:00:00Z', providers: { apns: { attempts: 1, latencyMs: 3, answers: [] } } });
    const result = await pushsim('mock', provider, '--profile', bad);
    expectUserError(result, 104, new RegExp(`profile ${bad} has 2 problem\\(s\\)`));
    expect(result.stderr).toContain('providers.apns.latencyMs must be an object');
    expect(result.stdout).not.toContain('listening on');
  });
});
