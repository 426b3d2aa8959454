import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../core/errors.js';
import { checkInvariant } from '../../reports/result.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { ScenarioRun } from '../../scenarios/runner.js';
import type { RunProgress } from '../../scenarios/runner.js';

const small: ScenarioConfig = {
  ...defaultScenario,
  target: { ...defaultScenario.target, kind: 'mock', provider: 'apns', tls: false, worker: false, latency: { kind: 'fixed', ms: 1 } },
  load: { executor: 'constant-arrival-rate', rate: 2000, count: 1000 },
  tokens: { count: 200, unregisteredRatio: 0.1, seed: 3 },
};

describe('ScenarioRun', () => {
  it('runs to a Result whose counts add up, emitting start, outcome, progress and done to subscribers', async () => {
    const run = new ScenarioRun(small, { progressIntervalMs: 50 });
    const seen = { start: 0, outcome: 0, done: 0, progress: [] as RunProgress[] };
    run.on('start', () => seen.start++);
    run.on('outcome', (_o, latencyMs) => {
      seen.outcome++;
      expect(latencyMs).toBeGreaterThanOrEqual(0);
    });
    run.on('progress', (p) => seen.progress.push(p));
    run.on('done', () => seen.done++);
    const result = await run.execute();
    expect(checkInvariant(result)).toBeUndefined();
    expect(result.counts.scheduled).toBe(1000);
    expect(result.counts.accepted + result.counts.rejected).toBe(1000);
    expect(result.counts.rejected).toBeGreaterThan(0);
    expect(result.byReason).toEqual({ 'apns:Unregistered': result.counts.rejected });
    expect(result.latencyMs.accepted.count).toBe(result.counts.accepted);
    expect(result.rate.target).toBe(2000);
    expect(seen).toMatchObject({ start: 1, outcome: 1000, done: 1 });
    expect(seen.progress.length).toBeGreaterThan(0);
  });

  it('stops firing on abort and still accounts for every notification it scheduled', async () => {
    const abort = new AbortController();
    const run = new ScenarioRun({ ...small, load: { ...small.load, rate: 500, count: 100_000 } }, { signal: abort.signal });
    run.on('outcome', () => {
      if (!abort.signal.aborted) abort.abort();
    });
    const result = await run.execute();
    expect(result.counts.scheduled).toBeLessThan(100_000);
    expect(checkInvariant(result)).toBeUndefined();
  });

  it('rejects an invalid scenario at construction, listing every problem', () => {
    const broken = { ...small, name: '', load: { executor: 'constant-arrival-rate', rate: -1, count: 0 }, sender: { ...small.sender, connections: 0 } } as ScenarioConfig;
    let error: unknown;
    try {
      new ScenarioRun(broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).problems).toEqual([
      'name must be a non-empty string',
      expect.stringMatching(/^load\.rate/),
      expect.stringMatching(/^load\.count/),
      expect.stringMatching(/^sender\.connections/),
    ]);
  });

  it("refuses Apple's production host without an explicit opt-in", () => {
    const prod: ScenarioConfig = { ...small, target: { kind: 'url', provider: 'apns', url: 'https://api.push.apple.com', credentials: { keyFile: 'k.p8', keyId: 'K', teamId: 'T' } } };
    expect(() => new ScenarioRun(prod)).toThrow(/allowProduction/);
  });
});
