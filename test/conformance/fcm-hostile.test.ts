/**
 * Hostile input against the mock FCM: 200 malformed requests from a seeded PRNG (replay a failure
 * with its seed), over HTTP/2 and HTTP/1.1 at random. Each gets the documented error, in
 * google.rpc.Status form (OAuth errors in Google's OAuth form), and the mock keeps serving.
 */
import type { ClientHttp2Session } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom, type Random } from '../../simulator/random.js';
import { startMockFcm, type MockFcm } from '../../simulator/fcm/index.js';
import { accessToken, fcmToken, h1, h2, openH2, sendPath, sendRequest, type RawRequest, type RawResponse } from '../simulator/fcm/helpers.js';

const seed = 20_261_128;
const count = 200;

let mock: MockFcm;
let session: ClientHttp2Session;
let bearer: string;
beforeAll(async () => {
  mock = await startMockFcm({ deviceQuotas: false });
  session = openH2(mock.url);
  bearer = await accessToken(mock.url, mock.serviceAccount);
});
afterAll(async () => {
  session.close();
  await mock.close();
});

interface Case {
  readonly kind: string;
  readonly request: RawRequest;
  /** FCM errorCode, or `oauth:<error>` for the token endpoint. */
  readonly expected: string;
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random.next() * items.length)] as T;
const int = (random: Random, max: number): number => Math.floor(random.next() * max);
const b64 = (random: Random, n: number): string => Buffer.from(Array.from({ length: n }, () => int(random, 256))).toString('base64url');
const randomJwt = (random: Random): string => `${b64(random, 1 + int(random, 40))}.${b64(random, int(random, 80))}.${b64(random, int(random, 64))}`;
const wrongValues: readonly unknown[] = [42, -1.5, true, null, [], ['a'], { a: 1 }, ''];

function generate(random: Random): Case {
  const project = 'pushsim-test';
  const send = (body: unknown): RawRequest => sendRequest(project, bearer, body);
  switch (int(random, 9)) {
    case 0: {
      const valid = JSON.stringify({ message: { token: fcmToken(1), data: { a: 'b' } } });
      const cut = valid.slice(0, int(random, valid.length - 1));
      return { kind: 'bad JSON', request: send(cut + pick(random, ['', '}', ',', '"', '\u0000'])), expected: 'INVALID_ARGUMENT' };
    }
    case 1:
      return { kind: 'wrong target type', request: send({ message: { [pick(random, ['token', 'topic', 'condition'])]: pick(random, wrongValues.filter((v) => v !== '' && v !== null)) } }), expected: 'INVALID_ARGUMENT' };
    case 2:
      return { kind: 'wrong data type', request: send({ message: { token: fcmToken(2), data: { [`k${int(random, 9)}`]: pick(random, wrongValues.filter((v) => typeof v !== 'string')) } } }), expected: 'INVALID_ARGUMENT' };
    case 3:
      return { kind: 'missing target', request: send({ message: pick(random, [{}, { data: { a: 'b' } }, { notification: { title: 't' } }, { android: {} }]) }), expected: 'INVALID_ARGUMENT' };
    case 4: {
      const size = 4097 + int(random, 90_000);
      return { kind: 'oversized', request: send({ message: { token: fcmToken(3), data: { k: 'x'.repeat(size) } } }), expected: 'INVALID_ARGUMENT' };
    }
    case 5:
      return { kind: 'random bearer JWT', request: sendRequest(project, randomJwt(random), { message: { token: fcmToken(4) } }), expected: 'UNAUTHENTICATED' };
    case 6:
      return { kind: 'random assertion', request: { path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: randomJwt(random) }).toString() }, expected: 'oauth:invalid_grant' };
    case 7:
      return { kind: 'wrong nested types', request: send({ message: { token: fcmToken(5), [pick(random, ['notification', 'android', 'apns', 'webpush'])]: pick(random, [1, 'x', [1], true]) } }), expected: 'INVALID_ARGUMENT' };
    default:
      return { kind: 'random bytes', request: { path: sendPath(project), headers: { authorization: `Bearer ${bearer}`, 'content-type': pick(random, ['application/json', 'text/plain', 'garbage']) }, body: Buffer.from(Array.from({ length: 1 + int(random, 300) }, () => int(random, 256))) }, expected: 'INVALID_ARGUMENT' };
  }
}

/** The FCM errorCode, else the canonical status, as firebase-admin reads them (or oauth:<error>). */
function codeOf(response: RawResponse): string {
  const body = JSON.parse(response.body) as { error?: string | { status?: string; details?: { errorCode?: string }[] } };
  if (typeof body.error === 'string') return `oauth:${body.error}`;
  return body.error?.details?.find((d) => d.errorCode !== undefined)?.errorCode ?? body.error?.status ?? 'none';
}

describe(`mock FCM under hostile input (seed ${seed})`, () => {
  it(`answers ${count} malformed requests with the documented error and keeps serving`, async () => {
    const random = createRandom(seed);
    const cases = Array.from({ length: count }, () => generate(random));
    const viaH2 = cases.map(() => random.next() < 0.5);
    const mismatches: string[] = [];
    for (let i = 0; i < cases.length; i += 10) {
      await Promise.all(
        cases.slice(i, i + 10).map(async (c, j) => {
          const response = viaH2[i + j] ? await h2(session, c.request) : await h1(mock.url, c.request);
          const got = codeOf(response);
          if (got !== c.expected || response.status < 400) mismatches.push(`#${i + j} ${c.kind}: expected ${c.expected}, got ${response.status} ${got}`);
        }),
      );
    }
    expect(mismatches).toEqual([]);
    expect(new Set(cases.map((c) => c.kind)).size).toBe(9);
    const ok = await h2(session, sendRequest('pushsim-test', bearer, { message: { token: fcmToken(9), data: { still: 'serving' } } }));
    expect(ok.status).toBe(200);
    const stats = mock.stats();
    expect(stats.accepted).toBe(1);
    expect(stats.requests).toBe(stats.accepted + stats.rejected);
  });
});
