/**
 * The mock APNs' fault engine over time and across runs: the same seed and traffic inject the same
 * faults; a timeline on fake time (healthy → 503 phase → recovering) with the ledger attributing
 * deliveries to phases; and pushsim's own sender retrying through accept-then-fail, which only the
 * mock's ledger sees as a duplicate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ApnsSender } from '../../sender/apns-sender.js';
import { startMockApns } from '../../simulator/apns/server.js';
import type { MockApns } from '../../simulator/apns/server.js';
import type { MockApnsOptions } from '../../simulator/apns/options.js';
import type { FaultsDocument } from '../../simulator/faults/spec.js';
import { signProviderToken } from '../simulator/apns/helpers.js';
import { manualClock, openClient, payload, token } from '../simulator/proxy/helpers.js';
import type { TestClient } from '../simulator/proxy/helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function start(faults: FaultsDocument, options: MockApnsOptions = {}): Promise<{ mock: MockApns; client: TestClient; send: (n: number) => Promise<number | undefined> }> {
  const mock = await startMockApns({ faults, ...options });
  closers.push(() => mock.close());
  const client = await openClient(mock.url);
  closers.push(() => client.close());
  const authorization = `bearer ${await signProviderToken(mock.credentials)}`;
  const send = async (n: number): Promise<number | undefined> =>
    // One notification per device: the same apns-id each time, so a repeat is a duplicate to the ledger.
    (await client.request({ ':path': `/3/device/${token(n)}`, 'apns-topic': 'com.example.app', 'apns-id': `a0a0a0a0-0000-4000-8000-${String(n).padStart(12, '0')}`, authorization }, payload)).status;
  return { mock, client, send };
}

/** 40 requests: 10 devices, 4 attempts each, interleaved. */
async function traffic(send: (n: number) => Promise<number | undefined>): Promise<(number | undefined)[]> {
  const statuses: (number | undefined)[] = [];
  for (let round = 0; round < 4; round++) for (let n = 1; n <= 10; n++) statuses.push(await send(n));
  return statuses;
}

describe('determinism', () => {
  const spec: FaultsDocument = { seed: 42, faults: [{ kind: 'error', apns: 'InternalServerError', probability: 0.3 }, { kind: 'reset', code: 'REFUSED_STREAM', probability: 0.1 }] };

  it('the same seed and traffic inject the same faults on the same notifications; another seed does not', async () => {
    const first = await traffic((await start(spec)).send);
    const second = await traffic((await start(spec)).send);
    const reseeded = await traffic((await start(spec, { faultSeed: 43 })).send);
    expect(second).toEqual(first);
    // Both kinds fired, and not everywhere: the run is a mix.
    expect(new Set(first)).toEqual(new Set([200, 500, undefined]));
    expect(reseeded).not.toEqual(first);
  });
});

describe('a timeline on fake time', () => {
  it('healthy → down (503) → recovering, the ledger attributing every delivery to its phase', async () => {
    const clock = manualClock(Date.now());
    const { mock, send } = await start(
      {
        phases: [{ name: 'healthy', durationMs: 10_000 }, { name: 'down', durationMs: 5_000 }, { name: 'recovering' }],
        faults: [{ kind: 'outage', id: 'down', phase: 'down' }],
      },
      { clock, ledgerRecords: 10 },
    );
    const engine = mock.faults;
    expect(engine?.phase()).toBe('healthy');
    expect([await send(1), await send(2)]).toEqual([200, 200]);
    clock.advance(10_000);
    expect(engine?.phase()).toBe('down');
    expect([await send(1), await send(3)]).toEqual([503, 503]);
    clock.advance(5_000);
    expect(engine?.phase()).toBe('recovering');
    expect([await send(1), await send(3), await send(4)]).toEqual([200, 200, 200]);

    const summary = mock.ledger.summary();
    expect(summary.byPhase).toEqual({ healthy: { delivered: 2, duplicates: 0 }, recovering: { delivered: 3, duplicates: 1 } });
    expect(summary).toMatchObject({ delivered: 5, duplicates: 1, recordsKept: 5 });
    expect(mock.ledger.records().map((r) => [r.phase, r.token.slice(-1), r.attempt])).toEqual([
      ['healthy', '1', 1],
      ['healthy', '2', 1],
      ['recovering', '1', 3],
      ['recovering', '3', 2],
      ['recovering', '4', 1],
    ]);
    expect(engine?.list()[0]).toMatchObject({ id: 'down', injected: 2 });
  });
});

describe('the sender against accept-then-fail in the mock', () => {
  it('the sender sees 503, retries, ends accepted; the mock delivered twice and its ledger says so', async () => {
    const mock = await startMockApns({ faults: { faults: [{ kind: 'accept-then-fail', firstNPerToken: 1, match: { token: '7$' } }] } });
    closers.push(() => mock.close());
    const sender = await ApnsSender.create({ url: mock.url, credentials: mock.credentials, policies: { retry: { maxAttempts: 3, baseDelayMs: 1 }, circuitBreaker: false } });
    closers.push(() => sender.close());
    const notification = (n: number) => ({ token: token(n), topic: 'com.example.app', payload: { aps: { alert: `n${n}` } } });
    expect(await sender.send(notification(6))).toMatchObject({ status: 'accepted', attempts: 1 });
    expect(await sender.send(notification(7))).toMatchObject({ status: 'accepted', attempts: 2 });
    expect(mock.stats()).toMatchObject({ accepted: 3 });
    expect(mock.ledger.summary()).toMatchObject({ delivered: 3, unique: 2, duplicates: 1, duplicatesByToken: { [token(7)]: 1 } });
  });
});
