/**
 * Hostile input: 240 malformed or random requests from a seeded PRNG (so a failure reproduces from
 * the seed printed in its message): bad and huge headers, wrong methods, truncated bodies, invalid
 * JSON, oversized payloads, random bytes as JWT, random paths, repeated headers. Each must end in a
 * documented APNs answer (status and reason from core/reasons.ts, APNs framing) or a clean stream
 * reset, the mock must never crash, and it must keep serving valid requests throughout.
 */
import { constants, type OutgoingHttpHeaders } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apnsReasons, isApnsReason } from '../../core/reasons.js';
import { startMockApns, type MockApns } from '../../simulator/apns/server.js';
import { createRandom, type Random } from '../../simulator/random.js';
import { deviceToken, signProviderToken } from '../simulator/apns/helpers.js';
import { open, type Connection } from './helpers.js';

const seed = 20_261_128;
const total = 240;
const topic = 'com.example.app';
let mock: MockApns;
let jwt: string;
let connection: Connection;

beforeAll(async () => {
  mock = await startMockApns({ unregistered: [deviceToken(3)] });
  jwt = await signProviderToken(mock.credentials);
});
afterAll(async () => {
  connection?.client.destroy();
  await mock.close();
});

type Outcome = { kind: 'answer'; status: number; body: string; contentType: unknown; endedWithHeaders: boolean } | { kind: 'reset'; code: string };

interface Hostile {
  readonly what: string;
  readonly method: string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body?: Buffer;
  /** Send this many body bytes, then reset the stream (a truncated upload). */
  readonly cancelAfter?: number;
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random.next() * items.length)] as T;
const int = (random: Random, min: number, max: number): number => min + Math.floor(random.next() * (max - min + 1));
/** Characters node:http2 accepts in a header value: tab, printable ASCII, and 0x80-0xff. */
function headerValue(random: Random, length: number): string {
  let value = '';
  for (let i = 0; i < length; i++) {
    const r = random.next();
    value += String.fromCharCode(r < 0.05 ? 0x09 : r < 0.85 ? int(random, 0x20, 0x7e) : int(random, 0x80, 0xff));
  }
  return value;
}
const randomBytes = (random: Random, length: number): Buffer => Buffer.from(Array.from({ length }, () => int(random, 0, 255)));

function hostile(random: Random, index: number): Hostile {
  const base: OutgoingHttpHeaders = { authorization: `bearer ${jwt}`, 'apns-topic': topic };
  const path = `/3/device/${deviceToken(index)}`;
  const body = Buffer.from('{"aps":{"alert":"hi"}}');
  switch (index % 12) {
    case 0:
      return { what: 'random apns-* header values', method: 'POST', path, body, headers: { ...base, [pick(random, ['apns-id', 'apns-priority', 'apns-push-type', 'apns-expiration', 'apns-collapse-id', 'apns-topic'])]: headerValue(random, int(random, 0, 80)) } };
    case 1:
      return { what: 'a huge header', method: 'POST', path, body, headers: { ...base, [pick(random, ['x-filler', 'apns-collapse-id', 'apns-topic'])]: 'h'.repeat(int(random, 1_000, 120_000)) } };
    case 2:
      return { what: 'a wrong method', method: pick(random, ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'FOO', 'post']), path, headers: base, ...(random.next() < 0.5 && { body }) };
    case 3:
      return { what: 'a truncated upload, then RST_STREAM', method: 'POST', path, headers: base, body: Buffer.from(`{"aps":{"alert":"${'x'.repeat(int(random, 10, 9_000))}"}}`), cancelAfter: int(random, 0, 8) };
    case 4:
      return { what: 'a body that is not JSON', method: 'POST', path, headers: base, body: randomBytes(random, int(random, 1, 3_000)) };
    case 5:
      return { what: 'an oversized payload', method: 'POST', path, headers: base, body: Buffer.alloc(int(random, 4_097, 300_000), 0x7b) };
    case 6:
      return { what: 'random bytes as the JWT', method: 'POST', path, body, headers: { ...base, authorization: `bearer ${headerValue(random, int(random, 0, 600))}` } };
    case 7:
      return { what: 'a random path', method: 'POST', body, headers: base, path: `/${pick(random, ['3/device/', '3/', '', '3/device//', '../'])}${headerValue(random, int(random, 0, 300)).replace(/[\s\x80-\xff]/g, 'z')}` };
    case 8:
      return { what: 'repeated headers', method: 'POST', path, body, headers: { ...base, [pick(random, ['apns-id', 'apns-topic', 'apns-push-type', 'apns-expiration'])]: [headerValue(random, 5), headerValue(random, 5)] } };
    case 9:
      return { what: 'a lying content-length', method: 'POST', path, body, headers: { ...base, 'content-length': String(body.length + int(random, 1, 500)) } };
    case 10:
      return { what: 'random JSON-ish text', method: 'POST', path, headers: base, body: Buffer.from(Array.from({ length: int(random, 1, 200) }, () => pick(random, ['{', '}', '[', ']', '"', ':', ',', '1', 'e', '-', '\\', 'u', 'null', ' '])).join('')) };
    default:
      return { what: 'a random push type and topic', method: 'POST', path, body, headers: { ...base, 'apns-push-type': pick(random, ['alert', 'voip', 'background', 'location', 'mdm', 'widget']), 'apns-topic': pick(random, [topic, `${topic}.voip`, `${topic}.location-query`, 'x']), 'apns-priority': pick(random, ['1', '5', '10', '0']) } };
  }
}

function send(request: Hostile): Promise<Outcome> {
  if (connection === undefined || connection.client.closed || connection.client.destroyed) connection = open(mock.url);
  return new Promise((resolve) => {
    let stream;
    try {
      stream = connection.client.request({ ':method': request.method, ':path': request.path, ...request.headers }, { endStream: request.body === undefined });
    } catch (error) {
      // Refused by our own client (e.g. a header node:http2 will not send): not a request at all.
      resolve({ kind: 'reset', code: `client refused: ${(error as NodeJS.ErrnoException).code ?? 'error'}` });
      return;
    }
    let status = 0;
    let contentType: unknown;
    let endedWithHeaders = false;
    const chunks: Buffer[] = [];
    stream.on('response', (headers, flags) => {
      status = Number(headers[':status']);
      contentType = headers['content-type'];
      endedWithHeaders = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A stream we reset ourselves also ends, without ever having had a response.
    stream.on('end', () => resolve(status === 0 ? { kind: 'reset', code: 'ended without a response' } : { kind: 'answer', status, body: Buffer.concat(chunks).toString('utf8'), contentType, endedWithHeaders }));
    stream.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'reset', code: error.code ?? error.message }));
    stream.on('close', () => {
      if (status === 0) resolve({ kind: 'reset', code: `closed (rst ${stream.rstCode})` });
    });
    if (request.body === undefined) return;
    if (request.cancelAfter === undefined) {
      stream.end(request.body);
    } else {
      stream.write(request.body.subarray(0, request.cancelAfter));
      setImmediate(() => stream.close(constants.NGHTTP2_CANCEL));
    }
  });
}

/** A documented answer: 200 in one HEADERS frame, or APNs error framing with a reason matching the status. */
function problem(outcome: Outcome, method: string): string | undefined {
  if (outcome.kind === 'reset') return undefined;
  // HTTP: a response to HEAD carries no body (node:http2 drops it); the status must still be APNs' 405.
  if (method === 'HEAD') return outcome.status === 405 && outcome.body === '' ? undefined : `HEAD answered ${outcome.status} ${outcome.body}`;
  if (outcome.status === 200) return outcome.endedWithHeaders && outcome.body === '' ? undefined : 'a 200 with a body';
  if (outcome.contentType !== 'application/json') return `content-type ${String(outcome.contentType)}`;
  let reason: unknown;
  try {
    reason = (JSON.parse(outcome.body) as { reason?: unknown }).reason;
  } catch {
    return `a body that is not JSON: ${outcome.body.slice(0, 80)}`;
  }
  if (typeof reason !== 'string' || !isApnsReason(reason)) return `unknown reason ${String(reason)}`;
  return apnsReasons[reason].status === outcome.status ? undefined : `${reason} with status ${outcome.status}`;
}

async function stillServes(): Promise<void> {
  const fresh = open(mock.url);
  try {
    const response = await fresh.send({ path: `/3/device/${deviceToken(1)}`, headers: { authorization: `bearer ${jwt}`, 'apns-topic': topic }, body: '{"aps":{}}' });
    expect(response.status).toBe(200);
  } finally {
    fresh.close();
  }
}

describe(`hostile input (seed ${seed})`, () => {
  it(`answers ${total} malformed requests with documented reasons or clean resets, and keeps serving`, async () => {
    const random = createRandom(seed);
    const tally = new Map<string, number>();
    for (let i = 0; i < total; i++) {
      const request = hostile(random, i);
      const outcome = await send(request);
      const issue = problem(outcome, request.method);
      if (issue !== undefined) throw new Error(`seed ${seed}, request #${i} (${request.what}): ${issue}`);
      const key = outcome.kind === 'reset' ? `reset ${outcome.code}` : outcome.status === 200 ? 'accepted' : request.method === 'HEAD' ? 'HEAD 405' : (JSON.parse(outcome.body) as { reason: string }).reason;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      if (i % 40 === 39) await stillServes();
    }
    await stillServes();
    // The mix really exercised the mock: many different reasons, and some resets.
    expect(tally.size).toBeGreaterThanOrEqual(10);
    expect([...tally.values()].reduce((a, b) => a + b, 0)).toBe(total);
    expect(mock.stats().requests).toBeGreaterThan(total / 2);
  });
});
