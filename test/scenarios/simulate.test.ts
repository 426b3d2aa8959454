/**
 * simulateScenario: a scenario's mock target as simulated transports on virtual time — the
 * brownout example end to end, the same result for the same seed, recipients from a file with
 * fallback across providers, a refusal for a target that cannot be simulated.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../core/errors.js';
import type { Result } from '../../reports/result.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import { mixedScenario } from '../../scenarios/builtin/mixed.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { loadScenarioFile } from '../../scenarios/file.js';
import { simulateScenario, simulation } from '../../scenarios/simulate.js';

const withoutStart = ({ startedAt: _startedAt, ...rest }: Result): string => JSON.stringify(rest);

describe('simulateScenario', () => {
  it('runs the brownout example on virtual time: phases, faults, retries and duplicates as a real run reports them', async () => {
    const brownout = await loadScenarioFile('scenarios/examples/brownout.yaml');
    const result = await simulateScenario(brownout);
    expect(result.virtual).toEqual({ durationMs: result.durationMs, seed: brownout.tokens.seed });
    expect(result.counts.scheduled).toBe(15_000);
    const { accepted, rejected, failed, expired, dropped } = result.counts;
    expect(accepted + rejected + failed + expired + dropped).toBe(15_000);
    // 15 s of planned sends, the last answered within the retry policy's delays.
    expect(result.durationMs).toBeGreaterThan(14_990);
    expect(result.durationMs).toBeLessThan(20_000);
    expect(result.phases?.map((p) => p.name)).toEqual(['healthy', 'brownout', 'recovering']);
    expect(result.faults?.find((f) => f.id === 'brownout-errors')?.injected).toBeGreaterThan(100);
    expect(result.delivery?.duplicates).toBeGreaterThan(0);
    expect(result.counts.rejected).toBeGreaterThan(0); // 1 % unregistered tokens
    expect(result.timeline?.[7]?.retries).toBeGreaterThan(0);
    expect(result.timeline?.[2]?.retries ?? 0).toBe(0);
    expect(result.validity).toBeUndefined();
    expect(result.pauses).toBeUndefined();
    // The example asks for a warm-up; a simulation runs none, and its configuration says so.
    expect(brownout.warmup).toBeGreaterThan(0);
    expect(result.config?.warmup).toBe(0);
  });

  it('gives a byte-identical result for the same scenario and seed (apart from startedAt), and another for another seed', async () => {
    const brownout = await loadScenarioFile('scenarios/examples/brownout.yaml');
    const small: ScenarioConfig = { ...brownout, load: { executor: 'constant-arrival-rate', rate: 1000, count: 12_000 } };
    const first = await simulateScenario(small, { seed: 11 });
    const second = await simulateScenario(small, { seed: 11 });
    expect(withoutStart(second)).toBe(withoutStart(first));
    const other = await simulateScenario(small, { seed: 12 });
    expect(withoutStart(other)).not.toBe(withoutStart(first));
    expect(first.virtual?.seed).toBe(11);
  });

  it('simulates the mixed scenario (APNs, FCM with its OAuth token, Web Push with VAPID) the same way twice', async () => {
    const small: ScenarioConfig = { ...mixedScenario, load: { executor: 'constant-arrival-rate', rate: 2000, count: 4000 } };
    const first = await simulateScenario(small);
    expect(first.counts.scheduled).toBe(4000);
    expect(Object.keys(first.providers ?? {}).sort()).toEqual(['apns', 'fcm', 'webpush']);
    for (const provider of ['apns', 'fcm', 'webpush']) expect(first.providers?.[provider]?.accepted).toBeGreaterThan(0);
    // 2 % of each provider's recipients are dead: APNs Unregistered, FCM UNREGISTERED, expired subscriptions.
    expect(Object.keys(first.byReason).some((key) => key.startsWith('fcm:'))).toBe(true);
    expect(Object.keys(first.byReason).some((key) => key.startsWith('webpush:'))).toBe(true);
    expect(withoutStart(await simulateScenario(small))).toBe(withoutStart(first));
  });

  it("simulates the outage-fallback example's recipients file: APNs down, its breaker open, the outage's notifications delivered by FCM", async () => {
    const example = await loadScenarioFile('scenarios/examples/outage-fallback.yaml');
    const result = await simulateScenario(example);
    expect(result.counts.scheduled).toBe(6000);
    expect(result.counts.accepted).toBe(6000);
    expect(result.config?.recipients).toMatchObject({ file: 'outage-fallback-recipients.csv', format: 'csv', rows: 200 });
    // 10 s of 200/s meet APNs down: the breaker opens, and each of them is handed to the recipient's FCM token.
    expect(result.providerFallbacks?.['apns>fcm']).toBeGreaterThan(1900);
    expect(result.providerFallbacks?.['apns>fcm']).toBeLessThan(2400);
    expect(result.counts.fallbacks).toBe(result.providerFallbacks?.['apns>fcm']);
    expect(result.deliveredBy).toEqual({ apns: 6000 - (result.counts.fallbacks ?? 0), fcm: result.counts.fallbacks });
    expect(result.breakerTransitions?.some((t) => t.to === 'open')).toBe(true);
    expect(result.thresholds?.every((t) => t.passed)).toBe(true);
  });

  it('gives a byte-identical result with a recipients file larger than its read-ahead (read while the clock stands still), and another for another seed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-simulate-recipients-'));
    const file = join(dir, 'users.csv');
    // 10,000 rows with both channels, 3 in 10 only an FCM token: refilled twice from disk during the run, wrapped once.
    const hex = (i: number): string => createHash('sha256').update(`apns ${i}`).digest('hex');
    const fcm = (i: number): string => `${createHash('sha256').update(`fcm ${i}`).digest('base64url').slice(0, 11)}:APA91b${createHash('sha512').update(`fcm ${i}`).digest('base64url')}`;
    await writeFile(file, `apnsToken,fcmToken,name\n${Array.from({ length: 10_000 }, (_, i) => `${i % 10 < 3 ? '' : hex(i)},${fcm(i)},user ${i}`).join('\n')}\n`);
    const example = await loadScenarioFile('scenarios/examples/outage-fallback.yaml');
    const phases = [{ name: 'healthy', durationMs: 1000 }, { name: 'apns-down', durationMs: 1500 }, { name: 'recovering' }];
    const large: ScenarioConfig = { ...example, recipients: { file, name: 'users.csv' }, load: { executor: 'constant-arrival-rate', rate: 4000, count: 12_000 }, faults: { ...example.faults!, phases } };
    const first = await simulateScenario(large, { seed: 3 });
    expect(first.counts.scheduled).toBe(12_000);
    expect(first.config?.recipients).toMatchObject({ rows: 10_000 });
    expect(first.deliveredBy?.['fcm']).toBeGreaterThan(first.counts.fallbacks ?? 0); // FCM-only rows, and the fallbacks
    expect(first.counts.fallbacks).toBeGreaterThan(1000);
    expect(withoutStart(await simulateScenario(large, { seed: 3 }))).toBe(withoutStart(first));
    expect(withoutStart(await simulateScenario(large, { seed: 4 }))).not.toBe(withoutStart(first));
  });

  it('refuses a target it cannot simulate with a config error that says what to use instead', async () => {
    const external: ScenarioConfig = { ...defaultScenario, target: { kind: 'url', url: 'https://127.0.0.1:1', credentials: { keyId: 'K', teamId: 'T', keyFile: 'k.p8' } } } as ScenarioConfig;
    const error = await simulateScenario(external).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as Error).message).toMatch(/target\.mock/);
  });

  it('runs the closed model on virtual time: each answer sends the next, until the virtual duration is up', async () => {
    const result = await simulateScenario({ ...defaultScenario, load: { executor: 'closed', inFlight: 10, durationMs: 5000 } });
    // 10 in flight, each answered after the lognormal latency (median 8 ms): about 10 / 8 ms for 5 virtual seconds.
    expect(result.counts.scheduled).toBeGreaterThan(4000);
    expect(result.counts.scheduled).toBeLessThan(8000);
    expect(result.durationMs).toBeGreaterThanOrEqual(5000);
    expect(result.durationMs).toBeLessThan(5500);
    expect(result.loadModel?.kind).toBe('closed');
  });

  it('emits progress per virtual second', async () => {
    const run = simulation({ ...defaultScenario, warmup: 0, load: { executor: 'constant-arrival-rate', rate: 500, count: 2500 } });
    const elapsed: number[] = [];
    run.on('progress', (p) => elapsed.push(p.elapsedMs));
    await run.execute();
    expect(elapsed.slice(0, 3)).toEqual([1000, 2000, 3000]);
  });
});
