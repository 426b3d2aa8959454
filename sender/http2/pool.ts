/**
 * A pool of `node:http2` sessions to one origin, implementing the Transport contract.
 *
 *   dispatch ─► queue (FIFO, bounded) ─► session with a free stream ─► stream ─► result
 *
 * - Keeps `connections` sessions open and spreads streams over the least busy one.
 * - Never opens more streams on a session than the peer's SETTINGS_MAX_CONCURRENT_STREAMS allows at
 *   that moment, and never more than `maxInFlight` in total; the rest wait in the queue and start as
 *   streams close or the peer raises its limit.
 * - A session that receives GOAWAY takes no new streams; a replacement is opened (RFC 9113 §6.8).
 * (node:http2 rather than undici: undici's HTTP/2 costs ~2.4x the CPU per request here, see
 * shared/reference/performance-baselines.md.)
 */
import { connect as http2Connect, constants as h2constants } from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders, OutgoingHttpHeaders, SecureClientSessionOptions } from 'node:http2';
import { InvalidArgumentError, PushSimError, assertInteger } from '../../core/errors.js';
import type { ConnectionListener } from '../listener.js';
import type { DispatchContext, Transport, TransportFailure, TransportRequest, TransportResult, TransportStats } from '../transport.js';
import { Fifo } from './fifo.js';
import { PooledSession } from './pooled-session.js';
import { streamFailure } from './stream-failure.js';

export interface Http2PoolOptions {
  /** `https://host:port` or `http://host:port` (cleartext h2c, prior knowledge). */
  readonly origin: string;
  /** HTTP/2 sessions to keep open. @default 1 */
  readonly connections?: number;
  /** Requests on the wire at once, over all sessions. @default 1000 */
  readonly maxInFlight?: number;
  /** Requests allowed to wait for a stream (including while the first connection opens); beyond it they fail as `queue-full`. @default 100000 */
  readonly maxQueue?: number;
  /** From the moment a stream opens until its response ends. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** TLS: extra CA to trust (PEM), client certificate and key for mutual TLS, SNI name. */
  readonly tls?: { readonly ca?: string | Buffer; readonly cert?: string | Buffer; readonly key?: string | Buffer; readonly servername?: string };
  readonly listener?: ConnectionListener;
  /** Replaces `http2.connect` (tests inject sessions here). */
  readonly connect?: (origin: string, options: SecureClientSessionOptions) => ClientHttp2Session;
}

interface Pending {
  readonly request: TransportRequest;
  readonly context: DispatchContext | undefined;
  readonly resolve: (result: TransportResult) => void;
}

const noListener: ConnectionListener = {};

export class Http2Pool implements Transport {
  readonly origin: string;
  readonly #connections: number;
  readonly #maxInFlight: number;
  readonly #maxQueue: number;
  readonly #requestTimeoutMs: number;
  readonly #sessionOptions: SecureClientSessionOptions;
  readonly #listener: ConnectionListener;
  readonly #connect: (origin: string, options: SecureClientSessionOptions) => ClientHttp2Session;
  readonly #sessions = new Set<PooledSession>();
  readonly #queue = new Fifo<Pending>();
  #running = 0;
  #closing = false;
  #destroyed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: Http2PoolOptions) {
    let url: URL;
    try {
      url = new URL(options.origin);
    } catch {
      throw new InvalidArgumentError(`origin must be a URL like https://127.0.0.1:8443, got ${JSON.stringify(options.origin)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new InvalidArgumentError(`origin must use https: or http: (h2c), got ${url.protocol}`);
    }
    this.origin = url.origin;
    this.#connections = assertInteger('connections', options.connections ?? 1, 1, 1024);
    this.#maxInFlight = assertInteger('maxInFlight', options.maxInFlight ?? 1000, 1);
    this.#maxQueue = assertInteger('maxQueue', options.maxQueue ?? 100_000, 0);
    this.#requestTimeoutMs = assertInteger('requestTimeoutMs', options.requestTimeoutMs ?? 30_000, 1);
    this.#listener = options.listener ?? noListener;
    this.#connect = options.connect ?? ((origin, opts) => http2Connect(origin, opts));
    this.#sessionOptions = {
      ...(options.tls?.ca !== undefined && { ca: options.tls.ca }),
      ...(options.tls?.cert !== undefined && { cert: options.tls.cert }),
      ...(options.tls?.key !== undefined && { key: options.tls.key }),
      ...(options.tls?.servername !== undefined && { servername: options.tls.servername }),
      ALPNProtocols: ['h2'],
      // Node's default of 10 MiB is too tight for ~1000 streams with their buffers in flight.
      maxSessionMemory: 64,
      settings: { enablePush: false },
    };
  }

  dispatch = (request: TransportRequest, context?: DispatchContext): Promise<TransportResult> => {
    if (this.#closing || this.#destroyed) {
      return Promise.resolve(fail('closed', 'PUSHSIM_ERR_CLOSED', 'the transport is closed', true));
    }
    if (this.#queue.length >= this.#maxQueue) {
      return Promise.resolve(fail('queue-full', 'PUSHSIM_ERR_QUEUE_FULL', `more than ${this.#maxQueue} requests waiting`, true));
    }
    return new Promise<TransportResult>((resolve) => {
      this.#queue.push({ request, context, resolve });
      this.#pump();
    });
  };

  stats(): TransportStats {
    let connected = 0;
    let capacity = 0;
    for (const s of this.#sessions) {
      if (s.state !== 'ready') continue;
      connected++;
      capacity += s.limit;
    }
    return { connected, running: this.#running, queued: this.#queue.length, capacity };
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.#running > 0 || this.#queue.length > 0) {
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
    await Promise.all([...this.#sessions].map((s) => closeSession(s.session)));
  }

  async destroy(): Promise<void> {
    this.#destroyed = true;
    for (const pending of this.#queue.drain()) {
      pending.resolve(fail('closed', 'PUSHSIM_ERR_CLOSED', 'the transport was destroyed before the request was sent', true));
    }
    for (const s of this.#sessions) s.session.destroy();
    await Promise.all([...this.#sessions].map((s) => closeSession(s.session)));
    this.#notifyIdle();
  }

  /** Starts as many queued requests as sessions and limits allow; opens sessions when needed. */
  #pump(): void {
    while (this.#queue.length > 0 && this.#running < this.#maxInFlight) {
      const session = this.#leastBusy();
      if (!session) break;
      const pending = this.#queue.shift() as Pending;
      const deadline = pending.request.deadline;
      if (deadline !== undefined && Date.now() > deadline) {
        pending.resolve(fail('expired', 'PUSHSIM_ERR_EXPIRED', 'the deadline passed while waiting for a stream', true));
        continue;
      }
      this.#start(session, pending);
    }
    if (this.#queue.length > 0) this.#ensureSessions();
    this.#notifyIdle();
  }

  #leastBusy(): PooledSession | undefined {
    let best: PooledSession | undefined;
    for (const s of this.#sessions) {
      if (s.free > 0 && (best === undefined || s.active < best.active)) best = s;
    }
    return best;
  }

  #ensureSessions(): void {
    if (this.#destroyed) return;
    let live = 0;
    for (const s of this.#sessions) if (s.state === 'connecting' || s.state === 'ready') live++;
    for (; live < this.#connections; live++) this.#open();
  }

  #open(): void {
    const session = this.#connect(this.origin, this.#sessionOptions);
    const pooled = new PooledSession(session);
    this.#sessions.add(pooled);
    let connected = false;
    let lastError: Error | undefined;
    session.on('connect', () => {
      connected = true;
      this.#listener.onConnectionAdded?.(this.origin);
    });
    session.on('remoteSettings', () => {
      pooled.updateLimit();
      if (pooled.state === 'connecting') pooled.state = 'ready';
      this.#pump();
    });
    session.on('goaway', (_code: number, lastStreamId: number) => {
      // Stop using it; streams above lastStreamId are closed by nghttp2 as REFUSED_STREAM.
      pooled.goawayLastStreamId = lastStreamId;
      pooled.state = 'draining';
      this.#pump();
    });
    session.on('error', (error: Error) => {
      lastError = error;
    });
    session.on('close', () => {
      pooled.state = 'closed';
      this.#sessions.delete(pooled);
      if (connected) {
        this.#listener.onConnectionRemoved?.(this.origin, lastError?.message ?? 'closed');
      } else {
        const error = new PushSimError('PUSHSIM_ERR_CONNECT', `cannot connect to ${this.origin}: ${lastError?.message ?? 'closed before SETTINGS'}`, { cause: lastError });
        this.#listener.onConnectionFailed?.(this.origin, error);
        this.#failQueuedIfNoSession(error);
      }
      this.#pump();
    });
  }

  /** A connect failure with no other session to fall back on fails the waiting requests now rather than letting them hang. */
  #failQueuedIfNoSession(error: PushSimError): void {
    for (const s of this.#sessions) if (s.state === 'ready' || s.state === 'connecting') return;
    for (const pending of this.#queue.drain()) {
      pending.resolve({ ok: false, kind: 'connect', error, unprocessed: true });
    }
  }

  #start(pooled: PooledSession, pending: Pending): void {
    const { request, resolve, context } = pending;
    const headers: OutgoingHttpHeaders = { ':method': request.method, ':path': request.path, ...request.headers };
    let stream: ClientHttp2Stream;
    try {
      stream = pooled.session.request(headers, { endStream: request.body === undefined });
    } catch (error) {
      // The session died between the free-stream check and now; nothing was written.
      pooled.state = 'draining';
      resolve(fail('reset', 'PUSHSIM_ERR_SOCKET', `cannot open a stream: ${(error as Error).message}`, true));
      return;
    }
    if (context) context.attempts++;
    // An idle pool must not keep the process alive; a busy session must.
    if (pooled.active++ === 0) pooled.session.ref();
    this.#running++;

    let status = 0;
    let responseHeaders: IncomingHttpHeaders | undefined;
    let ended = false;
    let timedOut = false;
    let sessionError: Error | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      responseHeaders = h;
      status = Number(h[':status']);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      ended = true;
    });
    stream.on('error', (error: Error) => {
      sessionError = error;
    });
    stream.setTimeout(this.#requestTimeoutMs, () => {
      timedOut = true;
      stream.close(h2constants.NGHTTP2_CANCEL);
    });
    stream.on('close', () => {
      // Connecting sessions stay referenced (work is waiting for them); idle ones do not hold the process.
      if (--pooled.active === 0 && this.#queue.length === 0 && !pooled.session.destroyed) pooled.session.unref();
      this.#running--;
      if (ended && responseHeaders !== undefined && !timedOut) {
        resolve({ ok: true, status, headers: responseHeaders, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) });
      } else {
        resolve(
          streamFailure({
            streamId: stream.id,
            rstCode: stream.rstCode,
            timedOut,
            goawayLastStreamId: pooled.goawayLastStreamId,
            sessionError,
          }),
        );
      }
      this.#pump();
    });
    if (request.body !== undefined) stream.end(request.body);
  }

  #notifyIdle(): void {
    if (this.#running > 0 || this.#queue.length > 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}

function fail(kind: TransportFailure['kind'], code: PushSimError['code'], message: string, unprocessed: boolean): TransportFailure {
  return { ok: false, kind, error: new PushSimError(code, message), unprocessed };
}

function closeSession(session: ClientHttp2Session): Promise<void> {
  if (session.closed || session.destroyed) return Promise.resolve();
  return new Promise((resolve) => session.close(() => resolve()));
}
