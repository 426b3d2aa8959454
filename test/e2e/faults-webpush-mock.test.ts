/**
 * Faults injected by the mock Web Push service itself (no proxy), over HTTP/2 and HTTP/1.1 on real
 * sockets: the push service's bare-status framing, Retry-After, resets, stalls, and accept-then-fail
 * — the message really is stored twice, and the mock's ledger counts the duplicate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultSpec, FaultsDocument } from '../../simulator/faults/spec.js';
import { startMockWebPush } from '../../simulator/webpush/server.js';
import type { MockWebPush } from '../../simulator/webpush/server.js';
import type { MockWebPushOptions } from '../../simulator/webpush/options.js';
import { h1 } from '../simulator/fcm/helpers.js';
import { openClient } from '../simulator/proxy/helpers.js';
import type { Observed, TestClient } from '../simulator/proxy/helpers.js';
import { encryptFor, pathOf, vapidHeader } from '../simulator/webpush/helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface Harness {
  readonly mock: MockWebPush;
  /** The path of subscription `i` (its token as faults see it). */
  path(i: number): string;
  h2(i: number, body?: Buffer, timeoutMs?: number): Promise<Observed>;
  h1(i: number, body?: Buffer): Promise<{ status: number; headers: Record<string, string>; body: string }>;
  body(i: number): Buffer;
}

async function start(faults: FaultsDocument, options: MockWebPushOptions = {}): Promise<Harness> {
  const mock = await startMockWebPush({ faults, subscriptions: 3, ...options });
  closers.push(() => mock.close());
  const authorization = await vapidHeader(mock.vapid, mock.url);
  const subscriptions = mock.subscriptions.list();
  const subscription = (i: number) => {
    const found = subscriptions[i];
    if (found === undefined) throw new Error(`no subscription ${i}`);
    return found;
  };
  const headers = { ttl: '60', 'content-encoding': 'aes128gcm', authorization };
  let client: TestClient | undefined;
  const harness: Harness = {
    mock,
    path: (i) => pathOf(subscription(i).endpoint),
    body: (i) => encryptFor(subscription(i), `message ${i}`),
    async h2(i, body = harness.body(i), timeoutMs) {
      if (client === undefined) {
        client = await openClient(mock.url);
        const opened = client;
        closers.push(() => opened.close());
      }
      return client.request({ ':path': harness.path(i), ...headers }, body as unknown as string, timeoutMs);
    },
    h1: async (i, body = harness.body(i)) => (await h1(mock.url, { path: harness.path(i), headers, body })) as { status: number; headers: Record<string, string>; body: string },
  };
  return harness;
}

describe('faults injected by the mock Web Push service', () => {
  it('error: the bare status with a text body, on both protocols; other subscriptions get 201', async () => {
    // Subscriptions get random ids at start: target one by adding the fault live.
    const h = await start({ faults: [] });
    h.mock.faultEngine?.add({ kind: 'error', webpush: 500, match: { tokens: [h.path(0)] } });
    for (const answer of [await h.h2(0), await h.h1(0)]) {
      expect(answer).toMatchObject({ status: 500, body: 'push service error 500\n' });
      expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
    }
    const created = await h.h2(1);
    expect(created.status).toBe(201);
    expect(created.headers['location']).toMatch(/\/message\//);
    expect(h.mock.ledger.summary()).toMatchObject({ delivered: 1, byProvider: { webpush: { delivered: 1, duplicates: 0 } } });
  });

  it('throttle per subscription: 429 with Retry-After (RFC 8030 §8.4), on a still clock', async () => {
    const now = Date.now();
    const h = await start({ faults: [{ kind: 'throttle', per: 'device', ratePerSecond: 0.5, burst: 1 }] }, { clock: { now: () => now } });
    expect((await h.h1(0)).status).toBe(201);
    const limited = await h.h2(0);
    expect(limited).toMatchObject({ status: 429, headers: { 'retry-after': '2' } });
    expect((await h.h2(1)).status).toBe(201);
  });

  it('reset and stall: RST_STREAM on HTTP/2; a blackhole until the client gives up', async () => {
    const h = await start({ faults: [{ kind: 'reset', id: 'cut', code: 'INTERNAL_ERROR' }] });
    expect(await h.h2(0)).toMatchObject({ status: undefined, rstCode: 2 });
    h.mock.faultEngine?.replace('cut', { kind: 'stall' });
    expect(await h.h2(1, undefined, 150)).toMatchObject({ status: undefined, rstCode: 8 });
    expect(h.mock.subscriptions.messages(h.mock.subscriptions.list()[1]?.endpoint ?? '')).toHaveLength(0);
  });

  it('accept-then-fail: stored, answered 503; the same message again is a duplicate (both protocols)', async () => {
    const h = await start({ faults: [{ kind: 'accept-then-fail', firstNPerToken: 1 }] });
    const body = h.body(0);
    expect((await h.h2(0, body)).status).toBe(503);
    expect((await h.h2(0, body)).status).toBe(201);
    const other = h.body(1);
    expect((await h.h1(1, other)).status).toBe(503);
    expect((await h.h1(1, other)).status).toBe(201);
    expect(h.mock.subscriptions.messages(h.mock.subscriptions.list()[0]?.endpoint ?? '')).toHaveLength(2);
    expect(h.mock.ledger.summary()).toMatchObject({ delivered: 4, unique: 2, duplicates: 2, duplicatesByToken: { [h.path(0)]: 1, [h.path(1)]: 1 } });
  });

  it('accept-then-fail on an expired subscription: 410 passes through and is not counted (both protocols)', async () => {
    const h = await start({ faults: [{ kind: 'accept-then-fail', limit: 1 }] });
    const gone = h.mock.subscriptions.list()[2]?.endpoint ?? '';
    h.mock.subscriptions.expire(gone);
    expect((await h.h2(2)).status).toBe(410);
    expect((await h.h1(2)).status).toBe(410);
    expect(h.mock.faultEngine?.list()[0]).toMatchObject({ kind: 'accept-then-fail', injected: 0 });
    expect(h.mock.ledger.summary().delivered).toBe(0);
    expect((await h.h2(0)).status).toBe(503);
    expect((await h.h1(1)).status).toBe(201);
    expect(h.mock.faultEngine?.list()[0]).toMatchObject({ injected: 1 });
  });

  it('a bad spec is refused at start with every problem listed', async () => {
    await expect(startMockWebPush({ faults: { faults: [{ kind: 'error', webpush: 299 }, { kind: 'goaway', trigger: 'idle' }] } })).rejects.toMatchObject({
      name: 'InvalidConfigError',
      problems: [expect.stringContaining('faults[0].webpush'), expect.stringContaining('faults[1].idleMs')],
    });
  });

  // HTTP/1.1 has no streams or GOAWAY: what each decision becomes there (simulator/faults/http1.ts).
  it.each<{ name: string; fault: FaultSpec; status: number | undefined; delivered: number; connection?: string }>([
    { name: 'latency: answered after the delay', fault: { kind: 'latency', distribution: { kind: 'fixed', ms: 30 } }, status: 201, delivered: 1 },
    { name: 'stall with holdMs: held, then answered', fault: { kind: 'stall', holdMs: 30 }, status: 201, delivered: 1 },
    { name: 'reset (RST_STREAM on HTTP/2): the connection is dropped unanswered', fault: { kind: 'reset', code: 'INTERNAL_ERROR' }, status: undefined, delivered: 0 },
    { name: 'goaway, graceful: answered with Connection: close', fault: { kind: 'goaway' }, status: 201, delivered: 1, connection: 'close' },
    { name: 'goaway, refuse: the connection is dropped unanswered, nothing processed', fault: { kind: 'goaway', refuse: true }, status: undefined, delivered: 0 },
    { name: 'goaway, abrupt: the connection is dropped unanswered', fault: { kind: 'goaway', code: 'INTERNAL_ERROR' }, status: undefined, delivered: 0 },
    { name: 'connection reset: TCP RST', fault: { kind: 'connection', action: 'reset' }, status: undefined, delivered: 0 },
    { name: 'accept-then-fail, then reset: delivered, the connection dropped', fault: { kind: 'accept-then-fail', then: 'reset' }, status: undefined, delivered: 1 },
  ])('over HTTP/1.1, $name', async ({ fault, status, delivered, connection }) => {
    const h = await start({ faults: [fault] });
    const answer = await h.h1(0).then(
      (a) => a,
      () => undefined,
    );
    expect(answer?.status).toBe(status);
    if (connection !== undefined) expect(answer?.headers['connection']).toBe(connection);
    expect(h.mock.ledger.summary().delivered).toBe(delivered);
    expect(h.mock.faultEngine?.list()[0]?.injected).toBe(1);
  });
});
