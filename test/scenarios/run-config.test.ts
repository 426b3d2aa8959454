/**
 * What a run records for its report beyond the counts: the configuration it was made with (and
 * never a secret), each provider's outcomes and accepted latency in a mixed run, and the retries
 * and injected faults of each second — adding up to the run's totals.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariant } from '../../reports/result.js';
import { parseResult } from '../../reports/result-parse.js';
import { outcomeStatuses } from '../../sender/outcome.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import { mixedScenario } from '../../scenarios/builtin/mixed.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { runConfigOf } from '../../scenarios/run-config.js';
import { ScenarioRun } from '../../scenarios/runner.js';
import { startMockApns } from '../../simulator/apns/server.js';
import type { MockApns } from '../../simulator/apns/server.js';

const small: ScenarioConfig = {
  ...defaultScenario,
  target: { kind: 'mock', provider: 'apns', tls: false, worker: false, latency: { kind: 'fixed', ms: 1 } },
  load: { executor: 'constant-arrival-rate', rate: 2000, count: 1000 },
  tokens: { count: 200, unregisteredRatio: 0, seed: 3 },
  warmup: 0,
};

describe('runConfigOf', () => {
  it('records the recipients file and its format, which result.json keeps', () => {
    const config = runConfigOf({ ...defaultScenario, recipients: { file: 'users.ndjson' } });
    expect(config.recipients).toEqual({ file: 'users.ndjson', format: 'ndjson' });
    expect(runConfigOf(defaultScenario).recipients).toBeUndefined();
  });
});

describe('a run records for its report', () => {
  it("each second's injected faults and retries, adding up to the faults' injections and the run's retries; and the configuration it ran with", async () => {
    const config: ScenarioConfig = {
      ...small,
      load: { executor: 'constant-arrival-rate', rate: 1000, count: 2500 },
      policies: { retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 } },
      faults: { seed: 5, phases: [{ name: 'healthy', durationMs: 1000 }, { name: 'flaky' }], faults: [{ kind: 'outage', id: 'brownout', phase: 'flaky', probability: 0.1 }] },
    };
    const result = await new ScenarioRun(config).execute();
    const timeline = result.timeline ?? [];
    const injected = result.faults?.[0]?.injected ?? 0;
    expect(injected).toBeGreaterThan(50);
    expect(timeline.reduce((sum, s) => sum + (s.injected ?? 0), 0)).toBe(injected);
    expect(timeline.reduce((sum, s) => sum + (s.retries ?? 0), 0)).toBe(result.counts.retries);
    expect(result.counts.retries).toBeGreaterThan(50);
    // The healthy first second has no injection (a tenth of the fault clock may straddle it: at most the one at its end).
    expect(timeline[0]?.injected ?? 0).toBeLessThan(injected / 10);
    expect(timeline.slice(1).some((s) => (s.injected ?? 0) > 0)).toBe(true);
    expect(result.config).toMatchObject({
      load: { executor: 'constant-arrival-rate', rate: 1000, count: 2500 },
      target: { kind: 'mock', providers: ['apns'], tls: false, worker: false },
      mix: { apns: 1 },
      tokens: { count: 200, unregisteredRatio: 0, seed: 3 },
      sender: small.sender,
      policies: { retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 }, circuitBreaker: 'default' },
      faults: { seed: 5, phases: [{ name: 'healthy', durationMs: 1000 }, { name: 'flaky' }], faults: [{ kind: 'outage', id: 'brownout', phase: 'flaky', probability: 0.1 }] },
    });
    // A single-provider run has no per-provider split: the totals are that provider's.
    expect(result.providers).toBeUndefined();
    // What result.json will hold passes its own schema.
    expect(parseResult(JSON.parse(JSON.stringify(result)))).toMatchObject({ config: result.config, timeline: result.timeline });
  });

  it('a mixed run: per provider, outcomes adding up to the totals, and accepted latency from its own histogram', async () => {
    const config: ScenarioConfig = {
      ...mixedScenario,
      target: { ...mixedScenario.target, kind: 'mock', tls: false, worker: false } as ScenarioConfig['target'],
      load: { executor: 'constant-arrival-rate', rate: 2000, count: 1200 },
      tokens: { ...mixedScenario.tokens, count: 300 },
      warmup: 0,
    };
    const result = await new ScenarioRun(config).execute();
    const providers = result.providers ?? {};
    expect(Object.keys(providers)).toEqual(['apns', 'fcm', 'webpush']);
    for (const status of outcomeStatuses) expect(Object.values(providers).reduce((sum, p) => sum + p[status], 0)).toBe(result.counts[status]);
    expect(Object.values(providers).reduce((sum, p) => sum + p.acceptedLatencyMs.count, 0)).toBe(result.latencyMs.accepted.count);
    for (const p of Object.values(providers)) {
      expect(p.accepted).toBeGreaterThan(0);
      expect(p.acceptedLatencyMs.count).toBe(p.accepted);
      expect(p.acceptedLatencyMs.p99).toBeLessThanOrEqual(result.latencyMs.accepted.max);
    }
    expect(result.config?.mix).toEqual({ apns: 0.6, fcm: 0.3, webpush: 0.1 });
    expect(checkInvariant(result)).toBeUndefined();
    expect(parseResult(JSON.parse(JSON.stringify(result))).providers).toEqual(providers);
  });

  describe('with token auth to a URL target', () => {
    let mock: MockApns;
    let dir: string;
    beforeAll(async () => {
      mock = await startMockApns({ tls: false });
      dir = await mkdtemp(join(tmpdir(), 'pushsim-config-'));
    });
    afterAll(async () => {
      await mock?.close();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });

    it('records the configuration without the key, its file, its ids or any token signed with it', async () => {
      const keyFile = join(dir, 'AuthKey_SECRETKEY1.p8');
      await writeFile(keyFile, mock.credentials.privateKey, { mode: 0o600 });
      const config: ScenarioConfig = {
        ...small,
        target: { kind: 'url', provider: 'apns', url: mock.url, credentials: { keyFile, keyId: mock.credentials.keyId, teamId: mock.credentials.teamId } },
        load: { executor: 'constant-arrival-rate', rate: 2000, count: 200 },
      };
      const result = await new ScenarioRun(config).execute();
      expect(result.counts.accepted).toBeGreaterThan(0);
      expect(result.config?.target).toEqual({ kind: 'url', providers: ['apns'] });
      const written = JSON.stringify(result);
      const keyBody = mock.credentials.privateKey.split('\n').filter((line) => line !== '' && !line.startsWith('-----')).join('');
      for (const secret of [keyFile, 'AuthKey_SECRETKEY1', mock.credentials.keyId, mock.credentials.teamId, keyBody.slice(0, 40)]) expect(written).not.toContain(secret);
      // No JWT (base64url JSON header `{"alg"…` → eyJ…), no bearer header.
      expect(written).not.toMatch(/eyJ[\w-]{10,}/);
      expect(written.toLowerCase()).not.toContain('bearer');
    });
  });

  it('keeps only plain data of the policies: a callback or a clock given in code is left out', async () => {
    const config = { ...small, load: { executor: 'constant-arrival-rate', rate: 2000, count: 50 }, policies: { retry: { maxAttempts: 2, onRetry: () => {} }, circuitBreaker: false } } as ScenarioConfig;
    const result = await new ScenarioRun(config).execute();
    expect(result.config?.policies).toEqual({ retry: { maxAttempts: 2 }, circuitBreaker: false });
  });
});
