/**
 * Properties of the three mocks' request validation over HTTP/2: for random and hostile methods,
 * paths, headers and bodies, every request gets an answer below 500 (a documented 4xx, or a 2xx
 * when it happens to be valid) or a clean stream reset, within a bounded time; and after the run
 * the mock still serves a real sender. A 500 from a mock without faults, or no answer at all, is a bug.
 */
import { connect, constants } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockRequest } from '../../bench/lib/hostile-inputs.js';
import type { HostileRequest, MockProvider } from '../../bench/lib/hostile-inputs.js';
import { ApnsSender } from '../../sender/apns-sender.js';
import { FcmSender } from '../../sender/fcm-sender.js';
import { WebPushSender } from '../../sender/webpush-sender.js';
import { startMockApns } from '../../simulator/apns/server.js';
import type { MockApns } from '../../simulator/apns/server.js';
import { startMockFcm } from '../../simulator/fcm/server.js';
import type { MockFcm } from '../../simulator/fcm/server.js';
import { startMockWebPush } from '../../simulator/webpush/server.js';
import type { MockWebPush } from '../../simulator/webpush/server.js';
import { runs } from './settings.js';

type Answer = { kind: 'status'; status: number } | { kind: 'reset'; code: number } | { kind: 'client-refused' } | { kind: 'no answer' };

let apns: MockApns;
let fcm: MockFcm;
let push: MockWebPush;
beforeAll(async () => {
  [apns, fcm, push] = await Promise.all([startMockApns({}), startMockFcm({}), startMockWebPush({ subscriptions: 1 })]);
});
afterAll(async () => {
  await Promise.all([apns.close(), fcm.close(), push.close()]);
});

/** One session per mock, replaced when a request made the mock (or node) close it. */
class Client {
  #session: ClientHttp2Session | undefined;
  constructor(readonly url: string) {}

  session(): ClientHttp2Session {
    if (this.#session === undefined || this.#session.closed || this.#session.destroyed) {
      this.#session = connect(this.url);
      this.#session.on('error', () => {});
    }
    return this.#session;
  }

  close(): void {
    this.#session?.destroy();
  }
}

/** Sends one request; what came back, or 'no answer' after `timeoutMs` (a hang). */
function send(client: Client, request: HostileRequest, timeoutMs = 15_000): Promise<Answer> {
  return new Promise((resolve) => {
    // node:http2 ends a HEAD request's stream itself: a body written after that is an error on our side.
    const body = request.method === 'HEAD' ? undefined : request.body;
    let stream;
    try {
      stream = client.session().request({ ':method': request.method, ':path': request.path, ...request.headers }, { endStream: body === undefined });
    } catch {
      // node:http2 refuses to send it (an invalid header for HTTP/2): nothing reached the mock.
      return resolve({ kind: 'client-refused' });
    }
    let answer: Answer | undefined;
    const timer = setTimeout(() => {
      answer = { kind: 'no answer' };
      stream.close(constants.NGHTTP2_CANCEL);
    }, timeoutMs);
    stream.on('response', (headers) => (answer ??= { kind: 'status', status: Number(headers[':status']) }));
    stream.on('data', () => {});
    stream.on('error', () => {});
    stream.on('close', () => {
      clearTimeout(timer);
      resolve(answer ?? { kind: 'reset', code: stream.rstCode ?? -1 });
    });
    if (body !== undefined) stream.end(body);
  });
}

function acceptable(answer: Answer): boolean {
  if (answer.kind === 'status') return answer.status < 500;
  return answer.kind !== 'no answer' && !(answer.kind === 'reset' && answer.code === constants.NGHTTP2_INTERNAL_ERROR);
}

const urls = (): Record<MockProvider, string> => ({ apns: apns.url, fcm: fcm.url, webpush: push.url });

describe.each(['apns', 'fcm', 'webpush'] as const)('mock %s under random requests', (provider) => {
  it('answers below 500 or resets cleanly, never hangs, and keeps serving a real sender', async () => {
    const client = new Client(urls()[provider]);
    try {
      await fc.assert(
        fc.asyncProperty(mockRequest(provider), async (request) => {
          const answer = await send(client, request);
          if (!acceptable(answer)) throw new Error(`${request.method} ${request.path.slice(0, 80)} → ${JSON.stringify(answer)}`);
        }),
        runs(150),
      );
    } finally {
      client.close();
    }
    expect(await stillServes(provider)).toBe('accepted');
  }, 180_000);
});

describe('what the fuzzing found', () => {
  it.each(['fcm', 'webpush'] as const)('mock %s answers an unknown or lower-case method 404, not 500', async (provider) => {
    const client = new Client(urls()[provider]);
    try {
      for (const method of ['FOO', 'post', 'CONNECT-UDP']) {
        const path = provider === 'fcm' ? '/v1/projects/pushsim-test/messages:send' : '/push/x';
        expect({ method, answer: await send(client, { method, path, headers: {}, body: Buffer.from('{}') }) }).toEqual({ method, answer: { kind: 'status', status: 404 } });
      }
    } finally {
      client.close();
    }
  });
});

async function stillServes(provider: MockProvider): Promise<string> {
  if (provider === 'apns') {
    const sender = await ApnsSender.create({ url: apns.url, credentials: apns.credentials });
    const outcome = await sender.send({ token: 'ab'.repeat(32), topic: 'com.example.app', payload: { aps: { alert: 'x' } } });
    await sender.close();
    return outcome.status;
  }
  if (provider === 'fcm') {
    const sender = await FcmSender.create({ url: fcm.url, serviceAccount: fcm.serviceAccount });
    const outcome = await sender.send({ token: 'device-token-1', data: { a: '1' } });
    await sender.close();
    return outcome.status;
  }
  const sender = await WebPushSender.create({ vapid: push.vapid });
  const outcome = await sender.send({ subscription: push.subscriptions.list()[0]!, payload: 'x' });
  await sender.close();
  return outcome.status;
}
