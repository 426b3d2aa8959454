/**
 * The mock APNs' `faults`, `faultSeed`, `ledgerRecords`, `ledgerExpected`, `faultsPaused` and `control` options: checked at start
 * (every spec problem listed), the ledger without any fault, the control API next to the mock, and
 * the same from a worker thread (engine built inside it, ledger summary over the worker protocol).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockApnsInWorker } from '../../../simulator/apns/in-worker.js';
import type { MockApnsInWorker } from '../../../simulator/apns/in-worker.js';
import { startMockApns } from '../../../simulator/apns/server.js';
import type { MockApns } from '../../../simulator/apns/server.js';
import { FaultEngine } from '../../../simulator/faults/engine.js';
import type { FaultsDocument } from '../../../simulator/faults/spec.js';
import { openClient, payload, token } from '../proxy/helpers.js';
import { signProviderToken } from './helpers.js';

const workerUrl = new URL('../fixtures/ts-worker.mjs', import.meta.url);
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

async function started<T extends MockApns | MockApnsInWorker>(mock: T): Promise<T> {
  closers.push(() => mock.close());
  return mock;
}

async function push(mock: { url: string; credentials: MockApns['credentials'] }, tokens: number[], apnsId?: string): Promise<(number | undefined)[]> {
  const client = await openClient(mock.url);
  closers.push(() => client.close());
  const authorization = `bearer ${await signProviderToken(mock.credentials)}`;
  const statuses: (number | undefined)[] = [];
  for (const n of tokens) {
    const headers = { ':path': `/3/device/${token(n)}`, 'apns-topic': 'com.example.app', authorization, ...(apnsId !== undefined && { 'apns-id': apnsId }) };
    statuses.push((await client.request(headers, payload)).status);
  }
  return statuses;
}

describe('options', () => {
  it('a bad spec is refused at start with every problem listed', async () => {
    const faults = { seed: -1, faults: [{ kind: 'error' }, { kind: 'stall', holdMs: -1 }, { kind: 'nope' }] } as unknown as FaultsDocument;
    await expect(startMockApns({ faults })).rejects.toMatchObject({
      name: 'InvalidConfigError',
      problems: [expect.stringContaining('seed'), expect.stringContaining('faults[0]'), expect.stringContaining('faults[1].holdMs'), expect.stringContaining('faults[2].kind')],
    });
  });

  it('a spec file: loaded (YAML), or refused naming the file and every problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-apns-faults-'));
    await writeFile(join(dir, 'good.yaml'), 'seed: 5\nfaults:\n  - kind: error\n    apns: Unregistered\n');
    await writeFile(join(dir, 'bad.yaml'), 'faults:\n  - kind: error\n  - kind: latency\n');
    const mock = await started(await startMockApns({ faults: join(dir, 'good.yaml') }));
    expect(mock.faults?.seed).toBe(5);
    expect(await push(mock, [1])).toEqual([410]);
    const bad = startMockApns({ faults: join(dir, 'bad.yaml') });
    await expect(bad).rejects.toMatchObject({ code: 'PUSHSIM_ERR_INVALID_CONFIG', problems: [expect.stringContaining('faults[0]'), expect.stringContaining('faults[1].distribution')] });
    await expect(bad).rejects.toThrow(join(dir, 'bad.yaml'));
  });

  it('faultSeed, ledgerRecords and control problems are all named at once; no secret is echoed', async () => {
    const secret = 'short-secret';
    const attempt = startMockApns({ faultSeed: -1, ledgerRecords: 1.5, ledgerExpected: { ratePerSecond: -5 }, faultsPaused: 'yes' as unknown as boolean, control: { port: 70_000, host: '10.0.0.1', token: secret } });
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    const message = await attempt.catch((error: Error) => error.message);
    for (const part of ['faultSeed', 'ledgerRecords', 'ledgerExpected.ratePerSecond', 'faultsPaused', 'control.port', 'control.token']) expect(message).toContain(part);
    expect(message).not.toContain(secret);
    await expect(startMockApns({ control: { host: '10.0.0.1' } })).rejects.toThrow(/not loopback\) needs a token/);
    const engine = new FaultEngine({ tickMs: 0 });
    await expect(startMockApns({ faults: engine, faultSeed: 3 })).rejects.toThrow(/give the seed to your FaultEngine/);
    await expect(startMockApns({ faults: engine, faultsPaused: true })).rejects.toThrow(/give paused: true to your FaultEngine/);
    await expect(startMockApns({ faults: engine, ledgerExpected: { ratePerSecond: 100 } })).rejects.toThrow(/give ledgerExpected to your FaultEngine/);
    engine.close();
  });

  it('an engine you built is used as is and left open on close', async () => {
    const engine = new FaultEngine({ tickMs: 0, spec: { faults: [{ kind: 'outage', mode: 'shutdown' }] } });
    const mock = await startMockApns({ faults: engine });
    expect(mock.faults).toBe(engine);
    expect(await push(mock, [1])).toEqual([503]);
    await mock.close();
    expect(engine.add({ kind: 'reset' })).toMatchObject({ kind: 'reset' });
    engine.close();
  });
});

describe('the ledger without faults', () => {
  it('records every acceptance (exact counts, duplicates by apns-id) and no engine is involved', async () => {
    const mock = await started(await startMockApns({ unregistered: [token(9)] }));
    expect(mock.faults).toBeUndefined();
    expect(mock.controlUrl).toBeUndefined();
    expect(await push(mock, [1, 2, 9])).toEqual([200, 200, 410]);
    expect(await push(mock, [1], 'b0b0b0b0-0000-4000-8000-000000000001')).toEqual([200]);
    expect(await push(mock, [1], 'b0b0b0b0-0000-4000-8000-000000000001')).toEqual([200]);
    // Same body to token 1 three times: once without an id (unidentified: never a duplicate), twice with one.
    expect(mock.ledger.summary()).toMatchObject({ delivered: 4, unique: 3, duplicates: 1, unidentified: 2, byPhase: { run: { delivered: 4, duplicates: 1 } }, recordsKept: 0 });
    expect(mock.ledger.summary().delivered).toBe(mock.stats().accepted);
  });

  it('accept-all records too, telling notifications apart by apns-id only', async () => {
    const mock = await started(await startMockApns({ profile: 'accept-all', ledgerRecords: 5 }));
    expect(await push(mock, [1, 1])).toEqual([200, 200]);
    expect(await push(mock, [1, 1], 'c0c0c0c0-0000-4000-8000-000000000001')).toEqual([200, 200]);
    expect(mock.ledger.summary()).toMatchObject({ delivered: 4, unique: 3, duplicates: 1, unidentified: 2, recordsKept: 4 });
  });
});

describe('the control API next to the mock', () => {
  it('starts an empty engine; faults added live apply; /ledger and /metrics report the mock', async () => {
    const mock = await started(await startMockApns({ control: {} }));
    expect(mock.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(mock.faults?.list()).toEqual([]);
    // The name the FCM and Web Push mocks use works here too.
    expect(mock.faultEngine).toBe(mock.faults);
    expect(await push(mock, [1])).toEqual([200]);
    const added = await fetch(`${mock.controlUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'dead', kind: 'error', apns: 'Unregistered', match: { token: '2$' } }) });
    expect(added.status).toBe(201);
    expect(await push(mock, [2, 3])).toEqual([410, 200]);
    expect(await (await fetch(`${mock.controlUrl}/ledger`)).json()).toMatchObject({ delivered: 2, duplicates: 0 });
    const metrics = await (await fetch(`${mock.controlUrl}/metrics`)).text();
    expect(metrics).toContain('pushsim_responses_total{provider="apns",status="410",reason="Unregistered",injected="true"} 1');
    expect(metrics).toContain('pushsim_responses_total{provider="apns",status="200",reason="accepted",injected="false"} 2');
    expect(metrics).toContain('pushsim_faults_injected_total{kind="error",fault="dead"} 1');
    const url = mock.controlUrl;
    await mock.close();
    await expect(fetch(`${url}/faults`)).rejects.toThrow();
  });
});

describe('open streams', () => {
  it('are counted (pushsim_streams_active) once the control API is on, not before', async () => {
    const mock = await started(await startMockApns({ faults: { faults: [{ kind: 'stall', match: { token: '4$' } }] } }));
    const client = await openClient(mock.url);
    closers.push(() => client.close());
    const streams = (): number | undefined => mock.faults?.metrics.snapshot().streamsActive;
    await client.request({ ':path': `/3/device/${token(4)}` }, payload, 50);
    expect(streams()).toBe(0);
    // What /metrics does: from now on, every stream is counted.
    mock.faults?.countStreams();
    const held = client.request({ ':path': `/3/device/${token(4)}` }, payload, 2_000);
    await until(() => streams() === 1);
    client.session.destroy();
    await held;
    await until(() => streams() === 0);
  });
});

describe('in a worker thread', () => {
  it('builds the engine inside the worker from the spec; the ledger summary crosses back', async () => {
    const faults: FaultsDocument = { faults: [{ kind: 'accept-then-fail', firstNPerToken: 1, match: { token: '1$' } }] };
    const mock = await started(await startMockApnsInWorker({ faults, control: {} }, { workerUrl }));
    expect(mock.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await push(mock, [1, 1, 2], 'd0d0d0d0-0000-4000-8000-000000000001')).toEqual([503, 200, 200]);
    expect(await mock.ledgerSummary()).toMatchObject({ delivered: 3, unique: 2, duplicates: 1, duplicatesByToken: { [token(1)]: 1 } });
    expect(await (await fetch(`${mock.controlUrl}/faults`)).json()).toMatchObject({ faults: [{ kind: 'accept-then-fail', injected: 1 }] });
    expect(await mock.faultList()).toMatchObject([{ kind: 'accept-then-fail', injected: 1 }]);
  });

  it('starts paused faults on resetFaults(), clearing what the ledger saw before', async () => {
    const faults: FaultsDocument = { faults: [{ kind: 'error', apns: 'Unregistered', match: { token: '1$' } }] };
    const mock = await started(await startMockApnsInWorker({ faults, faultsPaused: true }, { workerUrl }));
    expect(await push(mock, [1])).toEqual([200]);
    expect(await mock.faultList()).toEqual([]);
    await mock.resetFaults();
    expect(await mock.ledgerSummary()).toMatchObject({ delivered: 0 });
    expect(await push(mock, [1, 2])).toEqual([410, 200]);
    expect(await mock.faultList()).toMatchObject([{ kind: 'error', injected: 1 }]);
  });

  it('a bad spec is refused before the worker starts, every problem listed; an engine cannot cross', async () => {
    await expect(startMockApnsInWorker({ faults: { faults: [{ kind: 'error' }, { kind: 'reset', code: 'NOPE' }] } }, { workerUrl })).rejects.toMatchObject({
      name: 'InvalidConfigError',
      problems: [expect.stringContaining('faults[0]'), expect.stringContaining('faults[1].code')],
    });
    const engine = new FaultEngine({ tickMs: 0 });
    await expect(startMockApnsInWorker({ faults: engine as never }, { workerUrl })).rejects.toThrow(/cannot cross into a worker/);
    engine.close();
  });
});
