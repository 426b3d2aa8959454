/**
 * A pool of `node:http2` sessions to one origin, implementing the Transport contract.
 *
 *   dispatch ─► queue (FIFO, bounded) ─► session with a free stream ─► stream ─► result
 *                  ▲                                                     │
 *                  └──── replay (only if the origin did not process it) ─┘
 *
 * - Keeps `connections` sessions open (new ones `staggerMs` apart) and uses the least busy one.
 * - Never opens more streams on a session than the peer's SETTINGS_MAX_CONCURRENT_STREAMS allows at
 *   that moment, nor more than `maxInFlight` in all; the rest wait and start as streams close.
 * - A session that receives GOAWAY takes no new streams and is replaced (RFC 9113 §6.8). Streams the
 *   origin did not process (REFUSED_STREAM, above last-stream-id, never written) are replayed at most
 *   `maxReplays` times (undici caps GOAWAY replays likewise): safe, they cannot duplicate.
 * - A failed connect backs off before the next (1 s doubling to 60 s, reset on success, as Pushy
 *   does): Apple treats rapid reconnects as abuse (protocols.md §1.11). Meanwhile requests fail fast
 *   as `connect` (unprocessed), for the retry interceptor to decide about.
 * (node:http2 rather than undici: undici's HTTP/2 costs ~2.4x the CPU per request here,
 * shared/reference/performance-baselines.md.)
 */
import { connect as http2Connect, constants as h2constants, sensitiveHeaders } from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders, OutgoingHttpHeaders, SecureClientSessionOptions } from 'node:http2';
import { InvalidArgumentError, PushSimError, assertInteger } from '../../core/errors.js';
import type { ConnectionListener } from '../listener.js';
import type { DispatchContext, Transport, TransportFailure, TransportRequest, TransportResult, TransportStats } from '../transport.js';
import { Exchange, Deadlines } from './exchange.js';
import { Fifo } from './fifo.js';
import { poolLookup } from './lookup.js';
import { PooledSession } from './pooled-session.js';
import type { SessionEvents } from './pooled-session.js';
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
  /** Until the peer's first SETTINGS frame. @default 10000 */
  readonly connectTimeoutMs?: number;
  /** PING idle sessions this often; 0 = never. @default 60000 */
  readonly pingIntervalMs?: number;
  /** @default 10000 */
  readonly pingTimeoutMs?: number;
  /** Replays of a request the origin provably did not process. @default 2 */
  readonly maxReplays?: number;
  /** Delay between opening successive sessions. @default 0 */
  readonly staggerMs?: number;
  /** First reconnect delay after a failed connect; doubles to `reconnectMaxMs`. @default 1000 */
  readonly reconnectBaseMs?: number;
  /** @default 60000 */
  readonly reconnectMaxMs?: number;
  /** How long `close()` waits for the peer to close each connection after our GOAWAY before cutting it. @default 5000 */
  readonly closeTimeoutMs?: number;
  /**
   * Header names (lower case) sent never-indexed in HPACK (RFC 7541 §6.2.3): a value that is new on
   * every request (APNs' apns-id) would otherwise be inserted into the 4,096-byte dynamic table each
   * time, evicting the entries that repeat (topic, push type, content type) so they are re-sent and
   * re-inserted too; never-indexed, the table keeps those and the request costs less CPU to encode
   * (bench/peers-warm.ts, docs/benchmarks.md). @default none
   */
  readonly neverIndexed?: readonly string[];
  /** TLS: extra CA to trust (PEM), client certificate and key for mutual TLS (PEM, or a PKCS#12 `pfx`, with its `passphrase`), SNI name. */
  readonly tls?: {
    readonly ca?: string | Buffer;
    readonly cert?: string | Buffer;
    readonly key?: string | Buffer;
    readonly pfx?: Buffer;
    readonly passphrase?: string;
    readonly servername?: string;
  };
  readonly listener?: ConnectionListener;
  /** Replaces `http2.connect` (tests inject sessions here). */
  readonly connect?: (origin: string, options: SecureClientSessionOptions) => ClientHttp2Session;
}

/** session.request() options for a request without a body (node copies them; one object serves all). */
const endStream = { endStream: true } as const;

/** The pool's defaults and bounds, shared with the simulated transport (scenarios/virtual-transport-limits.ts). */
export const poolDefaults = {
  connections: 1,
  maxConnections: 1024,
  maxInFlight: 1000,
  maxQueue: 100_000,
  requestTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  pingIntervalMs: 60_000,
  maxReplays: 2,
  maxMaxReplays: 100,
  reconnectBaseMs: 1000,
  reconnectMaxMs: 60_000,
} as const;

export class Http2Pool implements Transport {
  readonly origin: string;
  readonly #o: Required<Omit<Http2PoolOptions, 'origin' | 'tls' | 'listener' | 'connect' | 'neverIndexed'>>;
  /** One frozen array for every request (node reads it as `headers[http2.sensitiveHeaders]`); undefined when none. */
  readonly #neverIndexed: readonly string[] | undefined;
  readonly #sessionOptions: SecureClientSessionOptions;
  readonly #listener: ConnectionListener;
  readonly #connect: (origin: string, options: SecureClientSessionOptions) => ClientHttp2Session;
  readonly #sessions = new Set<PooledSession>();
  readonly #queue = new Fifo<Exchange>();
  readonly #events: SessionEvents;
  #running = 0;
  #closing = false;
  #destroyed = false;
  #idleWaiters: (() => void)[] = [];
  /** No connect attempt before this time (reconnect backoff). */
  #reconnectAt = 0;
  #reconnectDelay: number;
  #openTimer: NodeJS.Timeout | undefined;
  #lastOpenAt = Number.NEGATIVE_INFINITY;
  readonly #deadlines: Deadlines;
  /**
   * The last string body and its bytes. A run sends one payload text to every device (APNs): it is
   * encoded once here, not on every request as stream.end(string) would (node:http2 keeps a
   * reference to a Buffer until it is written and never changes it, so every stream can share one).
   */
  #lastText: string | undefined = undefined;
  #lastBytes: Buffer = Buffer.alloc(0);

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
    const d = poolDefaults;
    this.#o = {
      connections: assertInteger('connections', options.connections ?? d.connections, 1, d.maxConnections),
      maxInFlight: assertInteger('maxInFlight', options.maxInFlight ?? d.maxInFlight, 1),
      maxQueue: assertInteger('maxQueue', options.maxQueue ?? d.maxQueue, 0),
      requestTimeoutMs: assertInteger('requestTimeoutMs', options.requestTimeoutMs ?? d.requestTimeoutMs, 1),
      connectTimeoutMs: assertInteger('connectTimeoutMs', options.connectTimeoutMs ?? d.connectTimeoutMs, 1),
      pingIntervalMs: assertInteger('pingIntervalMs', options.pingIntervalMs ?? d.pingIntervalMs, 0),
      pingTimeoutMs: assertInteger('pingTimeoutMs', options.pingTimeoutMs ?? 10_000, 1),
      maxReplays: assertInteger('maxReplays', options.maxReplays ?? d.maxReplays, 0, d.maxMaxReplays),
      staggerMs: assertInteger('staggerMs', options.staggerMs ?? 0, 0),
      reconnectBaseMs: assertInteger('reconnectBaseMs', options.reconnectBaseMs ?? d.reconnectBaseMs, 0),
      reconnectMaxMs: assertInteger('reconnectMaxMs', options.reconnectMaxMs ?? d.reconnectMaxMs, 0),
      closeTimeoutMs: assertInteger('closeTimeoutMs', options.closeTimeoutMs ?? 5000, 1),
    };
    this.#reconnectDelay = this.#o.reconnectBaseMs;
    this.#neverIndexed = options.neverIndexed !== undefined && options.neverIndexed.length > 0 ? Object.freeze(options.neverIndexed.map((name) => name.toLowerCase())) : undefined;
    this.#deadlines = new Deadlines(this.#o.requestTimeoutMs, (exchange) => {
      exchange.timedOut = true;
      exchange.stream?.close(h2constants.NGHTTP2_CANCEL);
    });
    this.#listener = options.listener ?? {};
    this.#connect = options.connect ?? ((origin, opts) => http2Connect(origin, opts));
    this.#sessionOptions = {
      ...(options.tls?.ca !== undefined && { ca: options.tls.ca }),
      ...(options.tls?.cert !== undefined && { cert: options.tls.cert }),
      ...(options.tls?.key !== undefined && { key: options.tls.key }),
      ...(options.tls?.pfx !== undefined && { pfx: options.tls.pfx }),
      ...(options.tls?.passphrase !== undefined && { passphrase: options.tls.passphrase }),
      ...(options.tls?.servername !== undefined && { servername: options.tls.servername }),
      ALPNProtocols: ['h2'],
      lookup: poolLookup,
      // Node's default of 10 MiB is too tight for ~1000 streams with their buffers in flight.
      maxSessionMemory: 64,
      settings: { enablePush: false },
    };
    this.#events = {
      onReady: (s) => {
        this.#reconnectDelay = this.#o.reconnectBaseMs;
        this.#listener.onConnectionAdded?.(this.origin);
        if (this.#queue.length === 0 && s.active === 0) s.session.unref();
        this.#pump();
      },
      onLimitChange: () => this.#pump(),
      onGoaway: () => this.#pump(),
      onClose: (s, connected, error) => this.#onSessionClose(s, connected, error),
    };
  }

  dispatch = (request: TransportRequest, context?: DispatchContext): Promise<TransportResult> => {
    if (this.#destroyed) return Promise.resolve(shutdown(true));
    if (this.#closing) {
      return Promise.resolve(fail('closed', 'PUSHSIM_ERR_CLOSED', 'the transport is closed', true));
    }
    if (this.#queue.length >= this.#o.maxQueue) {
      return Promise.resolve(fail('queue-full', 'PUSHSIM_ERR_QUEUE_FULL', `more than ${this.#o.maxQueue} requests waiting`, true));
    }
    return new Promise<TransportResult>((resolve) => {
      this.#queue.push(new Exchange(request, context, resolve));
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
    clearTimeout(this.#openTimer);
    await Promise.all([...this.#sessions].map((s) => s.close(this.#o.closeTimeoutMs)));
  }

  async destroy(): Promise<void> {
    this.#destroyed = true;
    clearTimeout(this.#openTimer);
    for (const pending of this.#queue.drain()) pending.resolve(shutdown(true));
    for (const s of this.#sessions) s.session.destroy();
    await Promise.all([...this.#sessions].map((s) => closeSession(s.session)));
    this.#notifyIdle();
  }

  /** Starts as many queued requests as sessions and limits allow; opens sessions when needed. */
  #pump(): void {
    while (this.#queue.length > 0 && this.#running < this.#o.maxInFlight) {
      const session = this.#leastBusy();
      if (!session) break;
      const pending = this.#queue.shift() as Exchange;
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
    if (this.#destroyed || this.#openTimer !== undefined) return;
    let live = 0;
    for (const s of this.#sessions) if (s.state === 'connecting' || s.state === 'ready') live++;
    if (live >= this.#o.connections) return;
    const now = Date.now();
    if (live === 0 && now < this.#reconnectAt) {
      this.#failQueued(new PushSimError('PUSHSIM_ERR_CONNECT', `cannot connect to ${this.origin}; next attempt in ${this.#reconnectAt - now} ms`));
      return;
    }
    // The first session opens at once; further ones are staggered so a pool does not open a burst
    // of connections together (Apple: stagger opening connections, protocols.md §1.11).
    const wait = live === 0 ? 0 : this.#lastOpenAt + this.#o.staggerMs - now;
    if (wait <= 0) {
      this.#open();
      if (live + 1 < this.#o.connections) this.#ensureSessions();
      return;
    }
    this.#openTimer = setTimeout(() => {
      this.#openTimer = undefined;
      if (this.#queue.length > 0 || this.#running > 0) this.#ensureSessions();
    }, wait);
    this.#openTimer.unref();
  }

  #open(): void {
    this.#lastOpenAt = Date.now();
    const session = this.#connect(this.origin, this.#sessionOptions);
    this.#sessions.add(new PooledSession(session, this.#o, this.#events));
  }

  #onSessionClose(s: PooledSession, connected: boolean, error: Error | undefined): void {
    this.#sessions.delete(s);
    if (connected) {
      this.#listener.onConnectionRemoved?.(this.origin, error?.message ?? 'closed');
    } else if (!this.#destroyed) {
      // (A connection we abandoned in destroy() did not fail: nothing to report, nobody waits for it.)
      const failure = new PushSimError('PUSHSIM_ERR_CONNECT', `cannot connect to ${this.origin}: ${error?.message ?? 'closed before SETTINGS'}`, { cause: error });
      this.#listener.onConnectionFailed?.(this.origin, failure);
      this.#reconnectAt = Date.now() + this.#reconnectDelay;
      this.#reconnectDelay = Math.min(this.#o.reconnectMaxMs, Math.max(1, this.#reconnectDelay * 2));
      let live = 0;
      for (const other of this.#sessions) if (other.state === 'ready' || other.state === 'connecting') live++;
      if (live === 0) this.#failQueued(failure);
    }
    this.#pump();
  }

  /** With no session to wait for, waiting requests fail now (unprocessed) instead of hanging. */
  #failQueued(error: PushSimError): void {
    for (const pending of this.#queue.drain()) pending.resolve({ ok: false, kind: 'connect', error, unprocessed: true });
  }

  #start(pooled: PooledSession, pending: Exchange): void {
    const { request, context } = pending;
    let stream: ClientHttp2Stream;
    try {
      stream = pooled.session.request(outgoingHeaders(request, this.#neverIndexed), request.body === undefined ? endStream : undefined);
    } catch (error) {
      // The session died between the free-stream check and now; nothing was written.
      pooled.state = 'draining';
      this.#finish(pending, fail('reset', 'PUSHSIM_ERR_SOCKET', `cannot open a stream: ${(error as Error).message}`, true));
      return;
    }
    const startedAt = performance.now();
    if (context) {
      context.attempts++;
      context.streamAt = startedAt;
      context.sentAt ??= startedAt;
    }
    // An idle pool must not keep the process alive; a busy session must.
    if (pooled.active++ === 0) pooled.session.ref();
    this.#running++;
    pending.attach(stream, pooled, this.#onExchangeClose);
    this.#deadlines.add(pending, startedAt);
    if (request.body !== undefined) stream.end(typeof request.body === 'string' ? this.#bytesOf(request.body) : request.body);
  }

  #bytesOf(text: string): Buffer {
    if (text !== this.#lastText) {
      this.#lastText = text;
      this.#lastBytes = Buffer.from(text);
    }
    return this.#lastBytes;
  }

  /** A stream closed: its response, or why there is none. */
  readonly #onExchangeClose = (pending: Exchange): void => {
    const stream = pending.stream as ClientHttp2Stream;
    const pooled = pending.session as PooledSession;
    this.#deadlines.remove(pending);
    // Connecting sessions stay referenced (work is waiting for them); idle ones do not hold the process.
    if (--pooled.active === 0 && this.#queue.length === 0 && !pooled.session.destroyed) pooled.session.unref();
    this.#running--;
    if (pending.complete) {
      const headers = pending.headers as IncomingHttpHeaders;
      this.#finish(pending, { ok: true, status: Number(headers[':status']), headers, body: pending.body });
    } else if (this.#destroyed) {
      // We cut it (destroy): pushsim's stop, not the origin's failure; it may have been processed.
      this.#finish(pending, shutdown(stream.id === undefined));
    } else {
      const facts = { streamId: stream.id, rstCode: stream.rstCode, timedOut: pending.timedOut, goawayLastStreamId: pooled.goawayLastStreamId, sessionError: stream.errored ?? pooled.lastError };
      this.#finish(pending, streamFailure(facts));
    }
    this.#pump();
  };

  /** Resolves, or puts a request the origin provably did not process back in line (bounded). */
  #finish(pending: Exchange, result: TransportResult): void {
    if (!result.ok && result.unprocessed && (result.kind === 'reset' || result.kind === 'goaway') && pending.replays < this.#o.maxReplays && !this.#destroyed) {
      pending.replays++;
      this.#queue.push(pending);
      return;
    }
    pending.resolve(result);
  }

  #notifyIdle(): void {
    if (this.#running > 0 || this.#queue.length > 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** The request's headers behind its pseudo-headers (node adds :scheme and :authority from the session). */
function outgoingHeaders(request: TransportRequest, neverIndexed: readonly string[] | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ':method': request.method, ':path': request.path };
  const extra = request.headers;
  for (const name in extra) headers[name] = extra[name];
  if (neverIndexed !== undefined) (headers as Record<symbol, unknown>)[sensitiveHeaders] = neverIndexed;
  return headers;
}

function fail(kind: TransportFailure['kind'], code: PushSimError['code'], message: string, unprocessed: boolean): TransportFailure {
  return { ok: false, kind, error: new PushSimError(code, message), unprocessed };
}

/** Cut by destroy(): `unprocessed` when it never went on the wire. Never retried, never held against the origin. */
function shutdown(unprocessed: boolean): TransportFailure {
  const message = unprocessed ? 'not sent: the sender was destroyed (the run stopped) while it waited inside pushsim' : 'cut by pushsim: the sender was destroyed (the run stopped) while the request was on the wire';
  return fail('shutdown', 'PUSHSIM_ERR_SHUTDOWN', message, unprocessed);
}

function closeSession(session: ClientHttp2Session): Promise<void> {
  if (session.closed || session.destroyed) return Promise.resolve();
  return new Promise((resolve) => session.close(() => resolve()));
}
