/**
 * Recipients from a file, end to end against the embedded mocks: rows in file order wrapping
 * around, each to its first channel among the target's providers, and fallback across providers
 * when the first is down (the acceptance point: the mock APNs in an outage, recipients that
 * also have an FCM token delivered through the mock FCM, counts by delivering provider).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkInvariant } from '../../reports/result.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import type { Outcome } from '../../sender/outcome.js';
import { fallsBack } from '../../scenarios/recipients-send.js';
import { ScenarioRun } from '../../scenarios/runner.js';

const apnsToken = (i: number): string => createHash('sha256').update(`row:${i}`).digest('hex');
const fcmToken = (i: number): string => `inst${String(i).padStart(7, '0')}:APA91b${'x'.repeat(134)}`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pushsim-recipients-'));
});

const base: ScenarioConfig = {
  ...defaultScenario,
  target: { kind: 'mock', provider: ['apns', 'fcm'], tls: false, worker: false, latency: { kind: 'fixed', ms: 1 } },
  load: { executor: 'constant-arrival-rate', rate: 2000, count: 200 },
  tokens: { count: 50, unregisteredRatio: 0, seed: 1 },
  warmup: 0,
  gracefulStopMs: 10_000,
};

describe('recipients from a file', () => {
  it('sends notification i to row i mod rows, each to its first channel, and counts deliveries by provider', async () => {
    // 3 rows, 10 notifications: rows 1,2,3,1,2,3,… (row 2 has only an FCM token).
    const file = join(dir, 'three.csv');
    await writeFile(file, `apnsToken,fcmToken,name\n${apnsToken(1)},,Ada\n,${fcmToken(2)},Bo\n${apnsToken(3)},${fcmToken(3)},Cy\n`);
    const outcomes: Outcome[] = [];
    const run = new ScenarioRun({ ...base, load: { executor: 'constant-arrival-rate', rate: 1000, count: 10 }, recipients: { file }, notification: { ...base.notification, title: 'Hi {{name}}' } });
    run.on('outcome', (outcome) => outcomes.push(outcome));
    const result = await run.execute();
    expect(result.counts).toMatchObject({ scheduled: 10, accepted: 10 });
    // 10 notifications over 3 rows: rows 1 and 3 (APNs first) get 4 + 3, row 2 (FCM only) gets 3.
    expect(result.deliveredBy).toEqual({ apns: 7, fcm: 3 });
    expect(result.providerFallbacks).toEqual({});
    const tokens = outcomes.map((o) => o.token).sort();
    expect(tokens.filter((t) => t === apnsToken(1))).toHaveLength(4);
    expect(tokens.filter((t) => t === fcmToken(2))).toHaveLength(3);
    expect(tokens.filter((t) => t === apnsToken(3))).toHaveLength(3);
    expect(checkInvariant(result)).toBeUndefined();
  });

  it('with the mock APNs in an outage, recipients that also have an FCM token are delivered through the mock FCM', async () => {
    // Even rows have both channels, odd rows only APNs.
    const rows = Array.from({ length: 100 }, (_, i) => `${apnsToken(i)},${i % 2 === 0 ? fcmToken(i) : ''},user${i}`);
    const file = join(dir, 'outage.csv');
    await writeFile(file, `apnsToken,fcmToken,name\n${rows.join('\n')}\n`);
    const config: ScenarioConfig = {
      ...base,
      recipients: { file },
      notification: { ...base.notification, body: 'Hello {{name}}' },
      policies: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } },
      faults: { faults: [{ kind: 'outage', id: 'apns-down', match: { provider: 'apns' } }] },
    };
    const result = await new ScenarioRun(config).execute();
    expect(result.counts.scheduled).toBe(200);
    // Every two-channel recipient (100 notifications) reached FCM; the APNs-only ones could not be delivered.
    expect(result.deliveredBy).toEqual({ fcm: 100 });
    expect(result.providerFallbacks).toEqual({ 'apns>fcm': 100 });
    expect(result.counts.accepted).toBe(100);
    expect(result.counts.rejected + result.counts.failed).toBe(100);
    expect(result.counts.fallbacks).toBe(100);
    for (const key of Object.keys(result.byReason)) expect(key).toMatch(/^apns:/);
    // The mock FCM's ledger saw each of them once.
    expect(result.delivery?.byProvider['fcm']?.delivered).toBe(100);
    expect(result.delivery?.byProvider['apns']?.delivered ?? 0).toBe(0);
    expect(checkInvariant(result)).toBeUndefined();
  });

  it("sends a file's Web Push recipients to the mock's own subscriptions, never to the file's endpoints", async () => {
    const p256dh = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url');
    const auth = Buffer.alloc(16, 9).toString('base64url');
    const file = join(dir, 'webpush.json');
    // An endpoint no one listens on: a notification sent there would fail, not be accepted.
    const rows = [0, 1].map((i) => ({ webpush: { endpoint: `http://127.0.0.1:9/push/${i}`, keys: { p256dh, auth } }, name: `n${i}` }));
    await writeFile(file, JSON.stringify(rows, null, 2));
    const config: ScenarioConfig = { ...base, target: { kind: 'mock', provider: 'webpush', tls: false, worker: false, latency: { kind: 'fixed', ms: 1 } }, load: { executor: 'constant-arrival-rate', rate: 1000, count: 6 }, recipients: { file }, notification: { ...base.notification, body: 'Hi {{name}}' } };
    const result = await new ScenarioRun(config).execute();
    expect(result.counts).toMatchObject({ scheduled: 6, accepted: 6 });
    expect(result.deliveredBy).toEqual({ webpush: 6 });
    expect(result.delivery?.byProvider['webpush']?.delivered).toBe(6);
  });

  it('fails before sending anything when a row is malformed, naming the file and line', async () => {
    const file = join(dir, 'bad.csv');
    await writeFile(file, `apnsToken,name\n${apnsToken(1)},Ada\nnot-a-token,Bo\n${apnsToken(3)}\n`);
    const run = new ScenarioRun({ ...base, recipients: { file } });
    const error = (await run.execute().catch((e: unknown) => e)) as Error & { code?: string; problems?: string[] };
    expect(error.code).toBe('PUSHSIM_ERR_INVALID_CONFIG');
    expect(error.message).toContain(file);
    expect(error.problems?.[0]).toMatch(/^line 3: apnsToken "not-a-token" is not a device token/);
    expect(error.problems?.[1]).toMatch(/^line 4: 1 field\(s\), the header has 2 \(apnsToken,name\): a column is missing/);
  });

  it("stops the run when the file changes under it: a partial result that says why, the rows it could not read pushsim's failures (not the provider's), said once", async () => {
    // More rows than are held in memory (4096), so the second pass reopens the file, emptied by then.
    const file = join(dir, 'emptied.csv');
    await writeFile(file, `apnsToken\n${Array.from({ length: 5000 }, (_, i) => apnsToken(i)).join('\n')}\n`);
    const run = new ScenarioRun({ ...base, target: { ...base.target, provider: 'apns' } as ScenarioConfig['target'], load: { executor: 'constant-arrival-rate', rate: 1_000, count: 60_000 }, recipients: { file } });
    const warnings: string[] = [];
    run.on('warning', (warning: string) => warnings.push(warning));
    run.on('start', () => writeFileSync(file, 'apnsToken\n'));
    const result = await run.execute();
    const keys = Object.keys(result.byReason);
    expect(keys).toContain('pushsim:PUSHSIM_ERR_INVALID_CONFIG');
    expect(keys.filter((key) => key.startsWith('apns:'))).toEqual([]);
    expect(warnings.filter((w) => w.includes('recipients'))).toEqual([expect.stringMatching(/^the recipients file .*emptied\.csv has no recipients any more \(it changed after it was checked\): stopping the run; the result is partial \(exit 104\)$/)]);
    // Named as the scenario names it, never by this machine's path; the run stopped, not sent on to the end.
    expect(result.recipientsLost).toEqual({ file: 'emptied.csv', problem: 'has no recipients any more (it changed after it was checked)', atMs: expect.any(Number) });
    // The loss shows at the second pass (~5 s in); only a stall of most of a minute could fire the whole count first.
    expect(result.counts.scheduled).toBeLessThan(60_000);
    expect(result.byReason['pushsim:PUSHSIM_ERR_INVALID_CONFIG']).toBeLessThan(result.counts.scheduled);
    expect(checkInvariant(result)).toBeUndefined();
  }, 90_000);
});

describe('fallsBack', () => {
  const base = { provider: 'apns' as const, token: 't', attempts: 2 };
  it('moves on after a failure or a retryable rejection, not after a final answer or pushsim\'s own drop', () => {
    expect(fallsBack({ ...base, status: 'failed', code: 'PUSHSIM_ERR_CIRCUIT_OPEN', message: 'circuit open' })).toBe(true);
    expect(fallsBack({ ...base, status: 'rejected', httpStatus: 503, reason: 'ServiceUnavailable', retryClass: 'retryable' })).toBe(true);
    expect(fallsBack({ ...base, status: 'rejected', httpStatus: 410, reason: 'Unregistered', retryClass: 'permanent' })).toBe(false);
    expect(fallsBack({ ...base, status: 'dropped', cause: 'queue-full' })).toBe(false);
    expect(fallsBack({ ...base, status: 'expired' })).toBe(false);
    expect(fallsBack({ ...base, status: 'accepted', id: 'x' })).toBe(false);
  });
});
