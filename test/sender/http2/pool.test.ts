import * as http2 from 'node:http2';
import { constants } from 'node:http2';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../core/errors.js';
import { Http2Pool } from '../../../sender/http2/pool.js';
import type { TransportRequest, TransportResult } from '../../../sender/transport.js';
import { answerAfter, startH2Server } from '../../helpers/h2-server.js';
import { startTcpRelay } from '../../helpers/tcp-relay.js';
import type { TestH2Server } from '../../helpers/h2-server.js';

const request: TransportRequest = { method: 'POST', path: '/3/device/abc', headers: { 'content-type': 'application/json' }, body: '{}' };

let server: TestH2Server | undefined;
let pool: Http2Pool | undefined;
afterEach(async () => {
  await pool?.destroy();
  await server?.close();
  pool = undefined;
  server = undefined;
});

function statuses(results: TransportResult[]): (number | string)[] {
  return results.map((r) => (r.ok ? r.status : r.kind));
}

describe('Http2Pool', () => {
  it('never opens more streams than the peer allows, and sends the queued rest as streams free up', async () => {
    server = await startH2Server(answerAfter(5), { maxConcurrentStreams: 10 });
    pool = new Http2Pool({ origin: server.url, maxInFlight: 1000 });
    const results = await Promise.all(Array.from({ length: 100 }, () => pool!.dispatch(request)));
    expect(statuses(results)).toEqual(Array(100).fill(200));
    expect(server.requests).toBe(100);
    expect(server.maxOpenPerSession).toBe(10);
  });

  it('follows the peer when it raises SETTINGS_MAX_CONCURRENT_STREAMS on a live connection', async () => {
    let raised = false;
    server = await startH2Server((stream, _h, _b, index) => {
      if (index === 0) {
        // As APNs does for token auth: 1 stream until the first good request, then more (protocols.md §1.11).
        stream.session?.settings({ maxConcurrentStreams: 5 }, () => {
          raised = true;
        });
      }
      setTimeout(() => stream.respond({ ':status': 200 }, { endStream: true }), 5);
    }, { maxConcurrentStreams: 1 });
    pool = new Http2Pool({ origin: server.url });
    const first = await pool.dispatch(request);
    expect(first.ok).toBe(true);
    expect(server.maxOpenPerSession).toBe(1);
    await vitestWaitFor(() => raised && pool!.stats().capacity === 5);
    const results = await Promise.all(Array.from({ length: 40 }, () => pool!.dispatch(request)));
    expect(statuses(results)).toEqual(Array(40).fill(200));
    expect(server.maxOpenPerSession).toBe(5);
  });

  it('caps requests in flight across sessions with maxInFlight', async () => {
    server = await startH2Server(answerAfter(5), { maxConcurrentStreams: 100 });
    pool = new Http2Pool({ origin: server.url, connections: 2, maxInFlight: 3 });
    let maxRunning = 0;
    const all = Array.from({ length: 30 }, () => {
      const p = pool!.dispatch(request);
      maxRunning = Math.max(maxRunning, pool!.stats().running);
      return p;
    });
    const timer = setInterval(() => (maxRunning = Math.max(maxRunning, pool!.stats().running)), 1);
    const results = await Promise.all(all);
    clearInterval(timer);
    expect(statuses(results)).toEqual(Array(30).fill(200));
    expect(server.open).toBe(0);
    expect(maxRunning).toBeLessThanOrEqual(3);
    expect(maxRunning).toBeGreaterThan(0);
  });

  it('fails queued requests as unprocessed connect failures when nothing listens', async () => {
    server = await startH2Server(answerAfter(0));
    const url = server.url;
    await server.close();
    server = undefined;
    const failed: string[] = [];
    pool = new Http2Pool({ origin: url, listener: { onConnectionFailed: (_o, e) => failed.push(e.message) } });
    const [a, b] = await Promise.all([pool.dispatch(request), pool.dispatch(request)]);
    for (const r of [a, b]) {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.kind).toBe('connect');
        expect(r.unprocessed).toBe(true);
        expect(r.error.code).toBe('PUSHSIM_ERR_CONNECT');
      }
    }
    expect(failed[0]).toMatch(/cannot connect to http:\/\/127\.0\.0\.1/);
  });

  it('marks REFUSED_STREAM as unprocessed and other resets as possibly processed (no replays)', async () => {
    server = await startH2Server((stream, _h, _b, index) => {
      stream.close(index === 0 ? constants.NGHTTP2_REFUSED_STREAM : constants.NGHTTP2_INTERNAL_ERROR);
    });
    pool = new Http2Pool({ origin: server.url, maxReplays: 0 });
    const refused = await pool.dispatch(request);
    const internal = await pool.dispatch(request);
    expect(refused).toMatchObject({ ok: false, kind: 'reset', unprocessed: true });
    expect(internal).toMatchObject({ ok: false, kind: 'reset', unprocessed: false });
  });

  it('replays a refused stream (it cannot duplicate), counting each attempt, at most maxReplays times', async () => {
    server = await startH2Server((stream, _h, _b, index) => {
      if (index < 2) stream.close(constants.NGHTTP2_REFUSED_STREAM);
      else stream.respond({ ':status': 200 }, { endStream: true });
    });
    pool = new Http2Pool({ origin: server.url, maxReplays: 2 });
    const context = { attempts: 0 };
    expect((await pool.dispatch(request, context)).ok).toBe(true);
    expect(context.attempts).toBe(3);
    const always = await startH2Server((stream) => stream.close(constants.NGHTTP2_REFUSED_STREAM));
    const strict = new Http2Pool({ origin: always.url, maxReplays: 1 });
    const refused = await strict.dispatch(request);
    expect(refused).toMatchObject({ ok: false, unprocessed: true });
    expect(always.requests).toBe(2);
    await strict.destroy();
    await always.close();
  });

  it('never replays a reset the origin may have processed', async () => {
    server = await startH2Server((stream) => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
    pool = new Http2Pool({ origin: server.url, maxReplays: 5 });
    expect(await pool.dispatch(request)).toMatchObject({ ok: false, unprocessed: false });
    expect(server.requests).toBe(1);
  });

  it('after GOAWAY opens a new session and reports streams above last-stream-id as unprocessed', async () => {
    let goneAway = false;
    server = await startH2Server((stream) => {
      if (!goneAway) {
        goneAway = true;
        // Streams 1 (this one) is processed; every later stream on this session is not.
        stream.respond({ ':status': 200 }, { endStream: true });
        stream.session?.goaway(constants.NGHTTP2_NO_ERROR, 1);
        return;
      }
      stream.respond({ ':status': 200 }, { endStream: true });
    });
    pool = new Http2Pool({ origin: server.url });
    const first = await pool.dispatch(request);
    expect(first.ok).toBe(true);
    await vitestWaitFor(() => pool!.stats().connected === 0);
    const after = await pool.dispatch(request);
    expect(after.ok).toBe(true);
    expect(server.requests).toBe(2);
  });

  it('rejects requests beyond maxQueue as queue-full, and times out slow responses', async () => {
    server = await startH2Server(() => {}, { maxConcurrentStreams: 1 });
    pool = new Http2Pool({ origin: server.url, maxInFlight: 1, maxQueue: 2, requestTimeoutMs: 50 });
    const [first, second, third] = await Promise.all([pool.dispatch(request), pool.dispatch(request), pool.dispatch(request)]);
    expect(third).toMatchObject({ ok: false, kind: 'queue-full', unprocessed: true });
    expect(first).toMatchObject({ ok: false, kind: 'timeout', unprocessed: false });
    expect(second).toMatchObject({ ok: false, kind: 'timeout' });
  });

  it('times a request out from the moment its stream opens, even while the response trickles in', async () => {
    // A body chunk every 10 ms: an idle timeout (node's stream.setTimeout) would never fire.
    server = await startH2Server((stream) => {
      stream.respond({ ':status': 200 });
      const drip = setInterval(() => stream.write('x'), 10);
      stream.on('close', () => clearInterval(drip));
    });
    pool = new Http2Pool({ origin: server.url, requestTimeoutMs: 80 });
    const started = performance.now();
    const result = await pool.dispatch(request);
    expect(result).toMatchObject({ ok: false, kind: 'timeout', unprocessed: false });
    expect(performance.now() - started).toBeGreaterThanOrEqual(79);
  });

  it('keeps a response body whole whether it comes in one chunk, several or none', async () => {
    server = await startH2Server((stream, _headers, _body, index) => {
      stream.respond({ ':status': index === 0 ? 200 : 400 });
      if (index === 0) return void stream.end();
      stream.write('{"reason":');
      setTimeout(() => stream.write('"BadDevice'), 5);
      setTimeout(() => stream.end('Token"}'), 10);
    });
    pool = new Http2Pool({ origin: server.url, maxInFlight: 1 });
    const empty = await pool.dispatch(request);
    const chunked = await pool.dispatch(request);
    expect(empty.ok && empty.body.length).toBe(0);
    expect(chunked.ok && chunked.body.toString()).toBe('{"reason":"BadDeviceToken"}');
  });

  it('sends the bodies given, also when consecutive requests share one string body or alternate between two', async () => {
    const bodies: string[] = [];
    server = await startH2Server((stream, _headers, body) => {
      bodies.push(body.toString());
      stream.respond({ ':status': 200 });
      stream.end();
    });
    pool = new Http2Pool({ origin: server.url, maxInFlight: 1 });
    const texts = ['{"aps":{"alert":"é"}}', '{"aps":{"alert":"é"}}', '{"b":2}', '{"aps":{"alert":"é"}}'];
    for (const body of texts) await pool.dispatch({ ...request, body });
    await pool.dispatch({ ...request, body: new Uint8Array([0x7b, 0x7d]) });
    expect(bodies).toEqual([...texts, '{}']);
  });

  it('sends the headers named in neverIndexed never-indexed (RFC 7541 §6.2.3) and the rest as usual', async () => {
    const seen: (string[] | undefined)[] = [];
    server = await startH2Server((stream, headers) => {
      seen.push((headers as Record<symbol, string[] | undefined>)[http2.sensitiveHeaders]);
      stream.respond({ ':status': 200 });
      stream.end();
    });
    pool = new Http2Pool({ origin: server.url, neverIndexed: ['APNS-ID'] });
    const withId: TransportRequest = { ...request, headers: { ...request.headers, 'apns-id': '8e2a1b0c-5d7f-4e3a-9b1c-2d3e4f5a6b7c' } };
    expect(statuses(await Promise.all([pool.dispatch(withId), pool.dispatch(withId)]))).toEqual([200, 200]);
    await pool.destroy();
    pool = new Http2Pool({ origin: server.url });
    expect(statuses([await pool.dispatch(withId)])).toEqual([200]);
    expect(seen.map((names) => names ?? [])).toEqual([['apns-id'], ['apns-id'], []]);
  });

  it('expires a request whose deadline passed while it waited', async () => {
    server = await startH2Server(answerAfter(0));
    pool = new Http2Pool({ origin: server.url });
    const result = await pool.dispatch({ ...request, deadline: Date.now() - 1 });
    expect(result).toMatchObject({ ok: false, kind: 'expired', unprocessed: true });
    expect(server.requests).toBe(0);
  });

  it('close() lets in-flight requests finish; later dispatches fail as closed', async () => {
    server = await startH2Server(answerAfter(20));
    pool = new Http2Pool({ origin: server.url });
    const inflight = pool.dispatch(request);
    const closing = pool.close();
    const late = await pool.dispatch(request);
    expect(late).toMatchObject({ ok: false, kind: 'closed' });
    expect((await inflight).ok).toBe(true);
    await closing;
  });

  it('backs off reconnecting after a failed connect, failing requests fast meanwhile', async () => {
    server = await startH2Server(answerAfter(0));
    const url = server.url;
    await server.close();
    server = undefined;
    let attempts = 0;
    pool = new Http2Pool({
      origin: url,
      reconnectBaseMs: 60_000,
      connect: (origin, options) => {
        attempts++;
        return http2.connect(origin, options);
      },
    });
    expect(await pool.dispatch(request)).toMatchObject({ kind: 'connect' });
    const fast = await pool.dispatch(request);
    expect(fast).toMatchObject({ kind: 'connect', unprocessed: true });
    expect(fast.ok === false && fast.error.message).toMatch(/next attempt in \d+ ms/);
    expect(attempts).toBe(1);
  });

  it('destroys a connection that does not answer PING, and one that never sends SETTINGS', async () => {
    // A TCP server that accepts and says nothing: no SETTINGS, no PING ACK.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const failures: string[] = [];
    pool = new Http2Pool({ origin: `http://127.0.0.1:${port}`, connectTimeoutMs: 100, listener: { onConnectionFailed: (_o, e) => failures.push(e.message) } });
    expect(await pool.dispatch(request)).toMatchObject({ kind: 'connect' });
    expect(failures[0]).toMatch(/no HTTP\/2 SETTINGS within 100 ms/);
    sockets.forEach((socket) => socket.destroy());
    await new Promise<void>((r) => silent.close(() => r()));

    server = await startH2Server(answerAfter(0));
    const relay = await startTcpRelay(Number(new URL(server.url).port));
    const removed: string[] = [];
    const live = new Http2Pool({ origin: `http://127.0.0.1:${relay.port}`, pingIntervalMs: 20, pingTimeoutMs: 20, listener: { onConnectionRemoved: (_o, why) => removed.push(why) } });
    expect((await live.dispatch(request)).ok).toBe(true);
    relay.freeze(); // the peer goes silent: PINGs get no answer
    await vitestWaitFor(() => removed.length > 0);
    expect(removed[0]).toMatch(/no PING answer within 20 ms/);
    expect(live.stats().connected).toBe(0);
    await live.destroy();
    await relay.close();
  });

  it('opens several connections staggered, not in one burst', async () => {
    server = await startH2Server(answerAfter(30), { maxConcurrentStreams: 1 });
    const opened: number[] = [];
    pool = new Http2Pool({
      origin: server.url,
      connections: 3,
      staggerMs: 40,
      connect: (origin, options) => {
        opened.push(Date.now());
        return http2.connect(origin, options);
      },
    });
    const results = await Promise.all(Array.from({ length: 6 }, () => pool!.dispatch(request)));
    expect(statuses(results)).toEqual(Array(6).fill(200));
    expect(opened.length).toBe(3);
    expect((opened[1] as number) - (opened[0] as number)).toBeGreaterThanOrEqual(35);
    expect((opened[2] as number) - (opened[1] as number)).toBeGreaterThanOrEqual(35);
  });

  it('destroy() cuts what is queued and on the wire as pushsim\'s own shutdown, never as a socket error', async () => {
    server = await startH2Server(() => {}, { maxConcurrentStreams: 1 });
    pool = new Http2Pool({ origin: server.url });
    const onTheWire = pool.dispatch(request);
    const queued = pool.dispatch(request);
    await vitestWaitFor(() => server!.requests === 1 && pool!.stats().queued === 1);
    await pool.destroy();
    expect(await onTheWire).toMatchObject({ ok: false, kind: 'shutdown', unprocessed: false, error: { code: 'PUSHSIM_ERR_SHUTDOWN' } });
    expect(await queued).toMatchObject({ ok: false, kind: 'shutdown', unprocessed: true, error: { code: 'PUSHSIM_ERR_SHUTDOWN' } });
    expect(await pool.dispatch(request)).toMatchObject({ ok: false, kind: 'shutdown', unprocessed: true });
  });

  it('says when each attempt went on the wire (streamAt) and when the notification first did (sentAt)', async () => {
    server = await startH2Server(answerAfter(0));
    pool = new Http2Pool({ origin: server.url });
    const context = { attempts: 0 } as { attempts: number; sentAt?: number; streamAt?: number };
    const before = performance.now();
    await pool.dispatch(request, context);
    const first = context.sentAt as number;
    expect(first).toBeGreaterThanOrEqual(before);
    expect(context.streamAt).toBe(first);
    await pool.dispatch(request, context);
    expect(context.sentAt).toBe(first);
    expect(context.streamAt).toBeGreaterThanOrEqual(first);
    expect(context.attempts).toBe(2);
  });

  it('fails a host under .invalid at once as ENOTFOUND, without asking a resolver (RFC 6761)', async () => {
    const failures: Error[] = [];
    pool = new Http2Pool({ origin: 'https://nonexistent.invalid:8443', listener: { onConnectionFailed: (_origin, error) => failures.push(error) } });
    const result = await pool.dispatch(request);
    expect(result).toMatchObject({ ok: false, kind: 'connect', unprocessed: true });
    expect((failures[0]?.cause as NodeJS.ErrnoException | undefined)?.code).toBe('ENOTFOUND');
  });

  it('throws at construction on bad options', () => {
    expect(() => new Http2Pool({ origin: 'not a url' })).toThrow(InvalidArgumentError);
    expect(() => new Http2Pool({ origin: 'ftp://127.0.0.1:1' })).toThrow(/https: or http:/);
    expect(() => new Http2Pool({ origin: 'http://127.0.0.1:1', connections: 0 })).toThrow(/connections must be an integer/);
  });
});

async function vitestWaitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
