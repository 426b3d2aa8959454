/**
 * Hostile input against the mock Web Push service: 200 malformed requests from a seeded PRNG (replay
 * a failure with its seed), over HTTP/2 and HTTP/1.1 at random. Each gets the documented status
 * and error body, and the mock keeps serving. Random bytes with valid aes128gcm framing are
 * accepted (201), as a real service cannot decrypt, and counted as decryption failures.
 */
import type { ClientHttp2Session } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom, type Random } from '../../simulator/random.js';
import { startMockWebPush, type MockWebPush, type PushSubscriptionJson } from '../../simulator/webpush/index.js';
import { h1, h2, openH2, type RawRequest } from '../simulator/fcm/helpers.js';
import { encryptFor, pathOf, vapidHeader } from '../simulator/webpush/helpers.js';

const seed = 8_291;
const count = 200;

let mock: MockWebPush;
let session: ClientHttp2Session;
let subscription: PushSubscriptionJson;
let auth: string;
beforeAll(async () => {
  mock = await startMockWebPush();
  session = openH2(mock.url);
  subscription = mock.subscriptions.list()[0]!;
  auth = await vapidHeader(mock.vapid, mock.url);
});
afterAll(async () => {
  session.close();
  await mock.close();
});

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random.next() * items.length)] as T;
const int = (random: Random, max: number): number => Math.floor(random.next() * max);
const bytes = (random: Random, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(random, 256)));
const b64 = (random: Random, n: number): string => bytes(random, n).toString('base64url');

interface Case {
  readonly kind: string;
  readonly request: RawRequest;
  readonly expected: number;
}

function generate(random: Random): Case {
  const path = pathOf(subscription.endpoint);
  const valid = { ttl: '60', 'content-encoding': 'aes128gcm', authorization: auth };
  const body = (): Buffer => encryptFor(subscription, 'x');
  switch (int(random, 8)) {
    case 0:
      return { kind: 'bad TTL', request: { path, headers: { ...valid, ttl: pick(random, ['', '-5', '1.5', 'abc', '99999999999', ' ']) }, body: body() }, expected: 400 };
    case 1:
      return { kind: 'bad Urgency or Topic', request: { path, headers: { ...valid, ...pick(random, [{ urgency: b64(random, 4) }, { topic: b64(random, 25 + int(random, 30)) }, { topic: 'a/b' }]) }, body: body() }, expected: 400 };
    case 2: {
      // Random bytes whose aes128gcm keyid is never a 65-byte P-256 point.
      const raw = bytes(random, 21 + int(random, 3000));
      raw[20] = 65 + 1 + int(random, 190);
      return { kind: 'broken framing', request: { path, headers: valid, body: raw }, expected: 400 };
    }
    case 3:
      return { kind: 'oversized', request: { path, headers: valid, body: bytes(random, 4097 + int(random, 50_000)) }, expected: 413 };
    case 4:
      return { kind: 'random JWT', request: { path, headers: { ...valid, authorization: `vapid t=${b64(random, 20)}.${b64(random, 60)}.${b64(random, 64)}, k=${pick(random, [mock.vapid.publicKey, b64(random, 65)])}` }, body: body() }, expected: 403 };
    case 5:
      return { kind: 'not vapid', request: { path, headers: { ...valid, authorization: pick(random, [`Bearer ${b64(random, 30)}`, `WebPush ${b64(random, 40)}`, 'vapid', `vapid k=${b64(random, 65)}`]) }, body: body() }, expected: 401 };
    case 6:
      return { kind: 'unknown subscription', request: { path: `/push/${b64(random, 16)}`, headers: valid, body: body() }, expected: 410 };
    default: {
      // Valid framing, garbage ciphertext: accepted like a real service would, undecryptable.
      const raw = Buffer.concat([bytes(random, 16), Buffer.from([0, 0, 16, 0, 65, 4]), bytes(random, 64), bytes(random, 17 + int(random, 500))]);
      return { kind: 'garbage ciphertext', request: { path, headers: valid, body: raw }, expected: 201 };
    }
  }
}

describe(`mock Web Push under hostile input (seed ${seed})`, () => {
  it(`answers ${count} malformed requests with the documented status and keeps serving`, async () => {
    const random = createRandom(seed);
    const cases = Array.from({ length: count }, () => generate(random));
    const viaH2 = cases.map(() => random.next() < 0.5);
    const mismatches: string[] = [];
    for (let i = 0; i < cases.length; i += 10) {
      await Promise.all(
        cases.slice(i, i + 10).map(async (c, j) => {
          const response = viaH2[i + j] ? await h2(session, c.request) : await h1(mock.url, c.request);
          const documented = response.status === 201 || JSON.parse(response.body).code === response.status;
          if (response.status !== c.expected || !documented) mismatches.push(`#${i + j} ${c.kind}: expected ${c.expected}, got ${response.status} ${response.body}`);
        }),
      );
    }
    expect(mismatches).toEqual([]);
    expect(new Set(cases.map((c) => c.kind)).size).toBe(8);
    const garbage = cases.filter((c) => c.kind === 'garbage ciphertext').length;
    const before = mock.subscriptions.messages(subscription.endpoint).length;
    const ok = await h2(session, { path: pathOf(subscription.endpoint), headers: { ttl: '5', 'content-encoding': 'aes128gcm', authorization: auth }, body: encryptFor(subscription, 'still serving') });
    expect(ok.status).toBe(201);
    expect(mock.subscriptions.messages(subscription.endpoint)[before]?.payload?.toString()).toBe('still serving');
    expect(mock.stats()).toMatchObject({ requests: count + 1, created: garbage + 1, rejected: count - garbage, decryptFailures: garbage });
  });
});
