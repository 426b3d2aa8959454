import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from '../../core/errors.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import { createExecutor, plannedRate } from '../../scenarios/executors/index.js';
import type { LoadConfig, TimeSource } from '../../scenarios/executors/index.js';
import {
  createShardExecutor,
  describeShard,
  parseShard,
  parseStartAt,
  resolveShard,
  resolveStartAt,
  scenarioDigest,
  shardInFlight,
  shardPlannedRate,
  shardSize,
  startAtProblem,
  validateShardLoad,
  waitUntil,
} from '../../scenarios/shard.js';
import type { Shard } from '../../scenarios/shard.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A clock that only moves when the executor sleeps: the schedule is then exact and the test instant. */
function fakeTime(): TimeSource {
  let now = 1000;
  return { now: () => now, sleep: async (ms) => void (now += ms) };
}

/** Every (whole index, planned offset) an executor fires, in firing order. */
async function fired(run: (fire: (index: number, plannedAt: number) => unknown) => Promise<unknown>): Promise<[number, number][]> {
  const seen: [number, number][] = [];
  await run((index, plannedAt) => {
    seen.push([index, plannedAt - 1000]);
    return Promise.resolve();
  });
  return seen;
}

async function wholeRun(load: LoadConfig): Promise<[number, number][]> {
  const runtime = createExecutor(load, fakeTime());
  return fired((fire) => runtime.run(fire));
}

async function shardRun(load: LoadConfig, shard: Shard): Promise<[number, number][]> {
  const runtime = createShardExecutor(load, shard, fakeTime());
  return fired((fire) => runtime.run(fire));
}

describe('parseShard', () => {
  it('takes I/N counting from 0, as JOB_COMPLETION_INDEX does', () => {
    expect(parseShard('0/3')).toEqual({ index: 0, count: 3 });
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
  });

  it.each([
    ['3/3', /shard 3 of 3 does not exist: shards count from 0.*0 to 2/],
    ['1/0', /number of shards must be a whole number from 1 to 1000, got 0/],
    ['0/1001', /from 1 to 1000, got 1001/],
    ['1', /must be I\/N/],
    ['-1/3', /must be I\/N/],
    ['a/b', /must be I\/N/],
  ])('refuses %s, saying how to write it', (text, message) => {
    expect(() => parseShard(text)).toThrow(InvalidArgumentError);
    expect(() => parseShard(text)).toThrow(message);
  });
});

describe('resolveShard', () => {
  it('reads JOB_COMPLETION_INDEX with the count from PUSHSIM_SHARDS or --shards', () => {
    expect(resolveShard({}, { JOB_COMPLETION_INDEX: '2', PUSHSIM_SHARDS: '3' })).toEqual({ index: 2, count: 3 });
    expect(resolveShard({ shards: 4 }, { JOB_COMPLETION_INDEX: '1' })).toEqual({ index: 1, count: 4 });
  });

  it('lets --shard win over the environment, and runs the whole scenario without either', () => {
    expect(resolveShard({ shard: '0/2' }, { JOB_COMPLETION_INDEX: '1', PUSHSIM_SHARDS: '2' })).toEqual({ index: 0, count: 2 });
    expect(resolveShard({}, {})).toBeUndefined();
    expect(resolveShard({}, { JOB_COMPLETION_INDEX: '' })).toBeUndefined();
  });

  it('refuses an index without a count, a count without an index, and counts that disagree', () => {
    expect(() => resolveShard({}, { JOB_COMPLETION_INDEX: '1' })).toThrow(/JOB_COMPLETION_INDEX is set .* set PUSHSIM_SHARDS or --shards/);
    expect(() => resolveShard({ shards: 3 }, {})).toThrow(/--shards 3 needs the shard's index: give --shard I\/N/);
    expect(() => resolveShard({}, { PUSHSIM_SHARDS: '3' })).toThrow(/PUSHSIM_SHARDS 3 needs the shard's index/);
    expect(() => resolveShard({ shard: '0/2', shards: 3 }, {})).toThrow(/--shard 0\/2 says 2 shards but --shards says 3/);
    expect(() => resolveShard({}, { JOB_COMPLETION_INDEX: '3', PUSHSIM_SHARDS: '3' })).toThrow(/JOB_COMPLETION_INDEX=3 with PUSHSIM_SHARDS 3: shard 3 of 3 does not exist/);
    expect(() => resolveShard({}, { JOB_COMPLETION_INDEX: 'x', PUSHSIM_SHARDS: '3' })).toThrow(/JOB_COMPLETION_INDEX must be a shard index/);
    expect(() => resolveShard({}, { JOB_COMPLETION_INDEX: '0', PUSHSIM_SHARDS: 'three' })).toThrow(/PUSHSIM_SHARDS must be the number of shards/);
  });
});

describe('parseStartAt', () => {
  const now = Date.parse('2026-12-06T04:00:00Z');

  it('takes an ISO time with its zone, or epoch milliseconds', () => {
    expect(parseStartAt('2026-12-06T04:02:00Z', '--start-at', now)).toBe(now + 120_000);
    expect(parseStartAt('2026-12-06T05:02:00.500+01:00', '--start-at', now)).toBe(now + 120_500);
    expect(parseStartAt(String(now + 60_000), '--start-at', now)).toBe(now + 60_000);
    // A little in the past still runs (clocks a little apart): the run then starts late and says so.
    expect(parseStartAt('2026-12-06T03:59:57Z', '--start-at', now)).toBe(now - 3000);
  });

  it.each([
    ['2026-12-06T04:02:00', /must be an ISO time with its zone such as 2026-12-06T04:02:00.000Z, or milliseconds since the epoch/],
    ['tomorrow', /must be an ISO time with its zone/],
    [String(Math.floor(Date.parse('2026-12-06T04:02:00Z') / 1000)), /looks like seconds since the epoch; give milliseconds \(1796529720000\)/],
    ['2026-12-06T03:59:00Z', /that is 60\.0 s ago .* choose a time a minute or two ahead/],
    ['2026-12-06T05:00:01Z', /that is 60\.0 min ahead .* at most 60 minutes ahead are allowed/],
  ])('refuses %s', (text, message) => {
    expect(() => parseStartAt(text, '--start-at', now)).toThrow(InvalidArgumentError);
    expect(() => parseStartAt(text, '--start-at', now)).toThrow(message);
  });

  it('reads PUSHSIM_START_AT when --start-at is not given, naming it in errors', () => {
    expect(resolveStartAt(undefined, { PUSHSIM_START_AT: '2026-12-06T04:01:00Z' }, now)).toBe(now + 60_000);
    expect(resolveStartAt('2026-12-06T04:02:00Z', { PUSHSIM_START_AT: '2026-12-06T04:01:00Z' }, now)).toBe(now + 120_000);
    expect(resolveStartAt(undefined, {}, now)).toBeUndefined();
    expect(() => resolveStartAt(undefined, { PUSHSIM_START_AT: '${START_AT}' }, now)).toThrow(/^PUSHSIM_START_AT must be/);
    expect(startAtProblem(Number.NaN, now)).toMatch(/must be a time/);
  });
});

describe('createShardExecutor', () => {
  const constant: LoadConfig = { executor: 'constant-arrival-rate', rate: 700, count: 100 };
  const ramping: LoadConfig = { executor: 'ramping-arrival-rate', startRate: 50, stages: [{ durationMs: 400, target: 900 }, { durationMs: 300, target: 200 }] };

  it('the N shards fire every notification of the whole run exactly once, each at its planned time (constant and ramping rates)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(constant, ramping, { ...constant, count: 7 }), fc.integer({ min: 1, max: 7 }), async (load, count) => {
        const whole = await wholeRun(load);
        const parts = await Promise.all(Array.from({ length: count }, (_, index) => shardRun(load, { index, count })));
        parts.forEach((part, index) => expect(part.every(([i]) => i % count === index)).toBe(true));
        const union = parts.flat().sort(([a], [b]) => a - b);
        expect(union.map(([i]) => i)).toEqual(whole.map(([i]) => i));
        union.forEach(([, offset], k) => expect(offset).toBeCloseTo((whole[k] as [number, number])[1], 9));
      }),
      { numRuns: 20 },
    );
  });

  it('interleaves the shards over the whole schedule instead of cutting it into blocks', async () => {
    const part = await shardRun({ executor: 'constant-arrival-rate', rate: 1000, count: 9 }, { index: 1, count: 3 });
    expect(part).toEqual([
      [1, 1],
      [4, 4],
      [7, 7],
    ]);
  });

  it('splits a closed model: its in-flight slots and its count, the indices interleaved', async () => {
    const load: LoadConfig = { executor: 'closed', inFlight: 5, count: 11 };
    const parts = await Promise.all([0, 1].map((index) => shardRun(load, { index, count: 2 })));
    expect(parts.map((p) => p.map(([i]) => i))).toEqual([
      [0, 2, 4, 6, 8, 10],
      [1, 3, 5, 7, 9],
    ]);
    expect([shardInFlight(5, { index: 0, count: 2 }), shardInFlight(5, { index: 1, count: 2 })]).toEqual([3, 2]);
  });
});

describe('shard sizes, rates and validation', () => {
  it('sizes add up to the whole, and so do the planned rates', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 50 }), (total, count) => {
        const sizes = Array.from({ length: count }, (_, index) => shardSize(total, { index, count }));
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
    const load: LoadConfig = { executor: 'constant-arrival-rate', rate: 3000, count: 6001 };
    const rates = [0, 1, 2].map((index) => shardPlannedRate(load, { index, count: 3 }) as number);
    expect(rates.reduce((a, b) => a + b, 0)).toBeCloseTo(plannedRate(load) as number, 9);
    expect(shardPlannedRate({ executor: 'closed', inFlight: 4, count: 10 }, { index: 0, count: 2 })).toBeNull();
  });

  it('needs a notification and an in-flight slot for every shard', () => {
    expect(validateShardLoad({ executor: 'constant-arrival-rate', rate: 10, count: 2 }, { index: 0, count: 3 })).toEqual([
      'the load plans 2 notification(s); 3 shards need at least 3, one each: use fewer shards or a larger count',
    ]);
    expect(validateShardLoad({ executor: 'closed', inFlight: 2, durationMs: 1000 }, { index: 0, count: 3 })[0]).toMatch(/keeps 2 in flight, split between the shards; 3 shards need at least 3/);
    expect(validateShardLoad({ executor: 'constant-arrival-rate', rate: 10, count: 3 }, { index: 3, count: 3 })[0]).toMatch(/shard 3 of 3 does not exist/);
    expect(validateShardLoad(defaultScenario.load, { index: 2, count: 3 })).toEqual([]);
  });

  it('describes the shard for the banner', () => {
    expect(describeShard({ executor: 'constant-arrival-rate', rate: 3000, count: 6000 }, { index: 1, count: 3 })).toBe('shard 1/3: every 3rd notification from index 1, 2000 of 6000');
    expect(describeShard({ executor: 'closed', inFlight: 10, durationMs: 1000 }, { index: 0, count: 2 })).toBe('shard 0/2: every 2nd notification from index 0, 5 of 10 in flight');
  });
});

describe('scenarioDigest', () => {
  it('is the same for the same scenario whatever the key order or warm-up, and differs for another rate or seed', () => {
    const digest = scenarioDigest(defaultScenario);
    expect(digest).toMatch(/^[0-9a-f]{16}$/);
    const reordered = Object.fromEntries(Object.entries(defaultScenario).reverse()) as typeof defaultScenario;
    expect(scenarioDigest(reordered)).toBe(digest);
    expect(scenarioDigest({ ...defaultScenario, warmup: 0 })).toBe(digest);
    expect(scenarioDigest({ ...defaultScenario, load: { executor: 'constant-arrival-rate', rate: 5001, count: 50_000 } })).not.toBe(digest);
    expect(scenarioDigest({ ...defaultScenario, tokens: { ...defaultScenario.tokens, seed: 2 } })).not.toBe(digest);
  });

  it('names a recipients file by its content digest, not its path: machines with the same file in different places agree, another file differs', () => {
    const checked = { rows: 1_000_000, sha256: 'a'.repeat(64) };
    const here = scenarioDigest({ ...defaultScenario, recipients: { file: '/home/ci/run/users.csv', name: 'users.csv', checked } });
    const there = scenarioDigest({ ...defaultScenario, recipients: { file: '/srv/data/exports/users.csv', name: '../data/users.csv', checked } });
    expect(there).toBe(here);
    expect(scenarioDigest({ ...defaultScenario, recipients: { file: '/home/ci/run/users.csv', name: 'users.csv', checked: { ...checked, sha256: 'b'.repeat(64) } } })).not.toBe(here);
    expect(here).not.toBe(scenarioDigest(defaultScenario));
    // Before the validation pass (no digest yet): by the name relative to the scenario, still not the absolute path.
    expect(scenarioDigest({ ...defaultScenario, recipients: { file: '/a/users.csv', name: 'users.csv' } })).toBe(scenarioDigest({ ...defaultScenario, recipients: { file: '/b/c/users.csv', name: 'users.csv' } }));
  });
});

describe('waitUntil', () => {
  it('waits for the wall-clock time and says how late it woke', async () => {
    vi.useFakeTimers({ now: 10_000 });
    const waiting = waitUntil(12_500);
    await vi.advanceTimersByTimeAsync(2499);
    let done = false;
    void waiting.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(waiting).resolves.toBe(0);
    // Already past: at once, with the lateness.
    await expect(waitUntil(12_000)).resolves.toBe(500);
  });

  it('stops waiting when the signal aborts', async () => {
    vi.useFakeTimers({ now: 0 });
    const abort = new AbortController();
    const waiting = waitUntil(60_000, abort.signal);
    await vi.advanceTimersByTimeAsync(1000);
    abort.abort('SIGINT');
    await expect(waiting).resolves.toBe(0);
  });
});
