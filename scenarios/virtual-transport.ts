/**
 * A sender Transport without sockets (issue 17, point 2): the sender's policies (its interceptors:
 * retry, breaker, fallback…) run unchanged in front of it, and behind it the mock's own decision
 * logic (simulator/virtual/) answers on a Scheduler — validation, auth, faults, ledger, latency.
 *
 *   dispatch ─► queue (maxQueue) ─► a stream on the least busy connection (its MAX_CONCURRENT_STREAMS,
 *   maxInFlight) ─► network ½ RTT ─► provider concurrency (queue) ─► provider ─► network ½ RTT ─► result
 *
 * It behaves like the HTTP/2 pool (sender/http2/pool.ts) where a policy can see it: the same failure
 * kinds, classified by the pool's own streamFailure (a reset, a GOAWAY, a dead connection, a
 * timeout), `unprocessed` replays at most `maxReplays` times, the `attempts` / `sentAt` / `streamAt`
 * bookkeeping on the scheduler's monotonic clock, `expired` deadlines, `queue-full`, `closed`,
 * `shutdown`. A connection that went away (GOAWAY, reset) is replaced by a new one, which starts
 * over with the provider's initial stream limit (APNs: 1 until a valid provider token) one round
 * trip later.
 *
 * What it does not model: TLS and TCP (no handshake cost, no flow control, no head-of-line
 * blocking), the pool's PINGs, session-level faults that need a real session (idle / max-age
 * GOAWAY, `streams`, slow handshakes, refused connections; `match.connection`).
 */
import { InvalidArgumentError, PushSimError, assertInteger } from '../core/errors.js';
import type { Scheduler } from '../core/scheduler.js';
import { Fifo } from '../sender/http2/fifo.js';
import { streamFailure } from '../sender/http2/stream-failure.js';
import type { DispatchContext, Transport, TransportRequest, TransportResult, TransportStats } from '../sender/transport.js';
import { afterAtLeastOn } from '../simulator/delay.js';
import type { LatencySampler, LatencySpec } from '../simulator/distributions.js';
import type { FaultAction, FaultResponse, PendingInjection } from '../simulator/faults/types.js';
import { createVirtualApns, type VirtualApns, type VirtualApnsOptions } from '../simulator/virtual/apns.js';
import { createVirtualFcm, type VirtualFcm, type VirtualFcmOptions } from '../simulator/virtual/fcm.js';
import { serviceTime, type VirtualProvider, type VirtualProviderConnection, type VirtualStream } from '../simulator/virtual/provider.js';
import { createVirtualWebPush, type VirtualWebPush, type VirtualWebPushOptions } from '../simulator/virtual/webpush.js';

/** Connection and queue limits: the pool's (sender/http2/pool.ts) and the provider's. */
export interface SimulatedLimits {
  /** Connections kept open. @default 1 (the pool's default) */
  readonly connections?: number;
  /** Requests on the wire at once, over all connections. @default 1000 */
  readonly maxInFlight?: number;
  /** Requests waiting for a stream; beyond it they fail as `queue-full`. @default 100000 */
  readonly maxQueue?: number;
  /** From the moment a stream opens until its answer arrives. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Replays of a request the provider provably did not process. @default 2 */
  readonly maxReplays?: number;
  /** Requests the provider works on at once over all connections; the rest wait in its queue (service times add up). @default unlimited */
  readonly providerConcurrency?: number;
}

interface CommonOptions {
  readonly scheduler: Scheduler;
  /** Round-trip time of the simulated network, sampled per request and split evenly between the ways. @default 0 */
  readonly network?: LatencySpec;
  /** Seed of the network sampler. @default 1 */
  readonly networkSeed?: number;
  readonly limits?: SimulatedLimits;
}

export type SimulatedApnsOptions = CommonOptions & { readonly provider: 'apns' } & VirtualApnsOptions;
export type SimulatedFcmOptions = CommonOptions & { readonly provider: 'fcm' } & VirtualFcmOptions;
export type SimulatedWebPushOptions = CommonOptions & { readonly provider: 'webpush' } & VirtualWebPushOptions;
/** The provider and its mock's options (those that mean something without sockets), plus the simulation's. */
export type SimulatedTransportOptions = SimulatedApnsOptions | SimulatedFcmOptions | SimulatedWebPushOptions;

export interface SimulatedTransport<P extends VirtualProvider = VirtualProvider> extends Transport {
  /** The provider side: its ledger (delivered, duplicates), engine (faults), counters, credentials. */
  readonly mock: P;
}

export function createSimulatedTransport(options: SimulatedApnsOptions): SimulatedTransport<VirtualApns>;
export function createSimulatedTransport(options: SimulatedFcmOptions): SimulatedTransport<VirtualFcm>;
export function createSimulatedTransport(options: SimulatedWebPushOptions): SimulatedTransport<VirtualWebPush>;
export function createSimulatedTransport(options: SimulatedTransportOptions): SimulatedTransport;
export function createSimulatedTransport(options: SimulatedTransportOptions): SimulatedTransport {
  const { scheduler, network, networkSeed, limits } = options;
  if (typeof scheduler?.after !== 'function') throw new InvalidArgumentError('scheduler must be a Scheduler (core/scheduler.ts)');
  const mock = createMock(options);
  const roundTrip = serviceTime(network, networkSeed ?? 1);
  return new VirtualTransport(mock, scheduler, resolveLimits(limits ?? {}), roundTrip === undefined ? undefined : () => roundTrip() / 2);
}

function createMock(options: SimulatedTransportOptions): VirtualProvider {
  switch (options.provider) {
    case 'apns': {
      const { provider: _p, scheduler, network: _n, networkSeed: _s, limits: _l, ...mock } = options;
      return createVirtualApns(mock, scheduler);
    }
    case 'fcm': {
      const { provider: _p, scheduler, network: _n, networkSeed: _s, limits: _l, ...mock } = options;
      return createVirtualFcm(mock, scheduler);
    }
    case 'webpush': {
      const { provider: _p, scheduler, network: _n, networkSeed: _s, limits: _l, ...mock } = options;
      return createVirtualWebPush(mock, scheduler);
    }
    default:
      throw new InvalidArgumentError(`provider must be 'apns', 'fcm' or 'webpush', got ${String((options as { provider: unknown }).provider)}`);
  }
}

interface Limits {
  readonly connections: number;
  readonly maxInFlight: number;
  readonly maxQueue: number;
  readonly requestTimeoutMs: number;
  readonly maxReplays: number;
  readonly providerConcurrency: number;
}

function resolveLimits(limits: SimulatedLimits): Limits {
  return {
    connections: assertInteger('limits.connections', limits.connections ?? 1, 1, 1024),
    maxInFlight: assertInteger('limits.maxInFlight', limits.maxInFlight ?? 1000, 1),
    maxQueue: assertInteger('limits.maxQueue', limits.maxQueue ?? 100_000, 0),
    requestTimeoutMs: assertInteger('limits.requestTimeoutMs', limits.requestTimeoutMs ?? 30_000, 1),
    maxReplays: assertInteger('limits.maxReplays', limits.maxReplays ?? 2, 0, 100),
    providerConcurrency: limits.providerConcurrency === undefined ? Infinity : assertInteger('limits.providerConcurrency', limits.providerConcurrency, 1),
  };
}

/** A request from dispatch to its result (again after a replay), as the pool's Exchange. */
interface Exchange {
  readonly request: TransportRequest;
  readonly context: DispatchContext | undefined;
  readonly resolve: (result: TransportResult) => void;
  replays: number;
}

class VirtualTransport implements Transport {
  readonly origin: string;
  readonly mock: VirtualProvider;
  readonly scheduler: Scheduler;
  readonly limits: Limits;
  readonly oneWay: LatencySampler | undefined;
  readonly #queue = new Fifo<Exchange>();
  readonly #deadlines: Deadlines;
  readonly #connections: Connection[] = [];
  #nextConnectionId = 1;
  running = 0;
  #closing = false;
  #pumping = false;
  destroyed = false;
  #idleWaiters: (() => void)[] = [];
  /** Requests the provider works on, and those waiting for it (providerConcurrency). */
  providerBusy = 0;
  readonly providerQueue = new Fifo<Stream>();

  constructor(mock: VirtualProvider, scheduler: Scheduler, limits: Limits, oneWay: LatencySampler | undefined) {
    this.mock = mock;
    this.scheduler = scheduler;
    this.limits = limits;
    this.oneWay = oneWay;
    this.origin = `http://${mock.provider}.virtual`;
    this.#deadlines = new Deadlines(scheduler, limits.requestTimeoutMs, (stream) => this.finish(stream, streamFailure({ streamId: stream.id, rstCode: undefined, timedOut: true, goawayLastStreamId: undefined, sessionError: undefined })));
    for (let i = 0; i < limits.connections; i++) this.#connections.push(this.#open(0));
  }

  dispatch = (request: TransportRequest, context?: DispatchContext): Promise<TransportResult> => {
    if (this.destroyed) return Promise.resolve(shutdown(true));
    if (this.#closing) return Promise.resolve(fail('closed', 'PUSHSIM_ERR_CLOSED', 'the transport is closed', true));
    if (this.#queue.length >= this.limits.maxQueue) return Promise.resolve(fail('queue-full', 'PUSHSIM_ERR_QUEUE_FULL', `more than ${this.limits.maxQueue} requests waiting`, true));
    return new Promise<TransportResult>((resolve) => {
      this.#queue.push({ request, context, resolve, replays: 0 });
      this.pump();
    });
  };

  stats(): TransportStats {
    let connected = 0;
    let capacity = 0;
    for (const connection of this.#connections) {
      if (!connection.ready) continue;
      connected++;
      capacity += connection.limit;
    }
    return { connected, running: this.running, queued: this.#queue.length, capacity };
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.running > 0 || this.#queue.length > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    this.mock.close();
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    for (const pending of this.#queue.drain()) pending.resolve(shutdown(true));
    for (const connection of this.#connections) for (const stream of [...connection.streams]) this.finish(stream, shutdown(false));
    this.mock.close();
    this.#notifyIdle();
  }

  /**
   * Starts as many queued requests as connections and limits allow. Not re-entered: a request
   * answered synchronously while it starts (no network, a fault's instant answer) frees its
   * stream for the loop already running, instead of recursing once per queued request.
   */
  pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      this.#pumpLoop();
    } finally {
      this.#pumping = false;
    }
    this.#notifyIdle();
  }

  #pumpLoop(): void {
    const { maxInFlight } = this.limits;
    while (this.#queue.length > 0 && this.running < maxInFlight) {
      const connection = this.#leastBusy();
      if (connection === undefined) break;
      const pending = this.#queue.shift() as Exchange;
      const { deadline } = pending.request;
      if (deadline !== undefined && this.scheduler.now() > deadline) {
        pending.resolve(fail('expired', 'PUSHSIM_ERR_EXPIRED', 'the deadline passed while waiting for a stream', true));
        continue;
      }
      this.#start(connection, pending);
    }
  }

  #leastBusy(): Connection | undefined {
    let best: Connection | undefined;
    for (const connection of this.#connections) {
      if (connection.ready && !connection.closing && connection.streams.size < connection.limit && (best === undefined || connection.streams.size < best.streams.size)) best = connection;
    }
    return best;
  }

  #start(connection: Connection, exchange: Exchange): void {
    const stream = new Stream(this, connection, exchange);
    const startedAt = this.scheduler.monotonic();
    const { context } = exchange;
    if (context !== undefined) {
      context.attempts++;
      context.streamAt = startedAt;
      context.sentAt ??= startedAt;
    }
    this.running++;
    connection.streams.add(stream);
    this.#deadlines.add(stream, startedAt);
    // Without a network the request arrives at once: no closure, no timer.
    if (this.oneWay === undefined) this.#arrive(stream);
    else this.scheduler.after(this.oneWay(), () => this.#arrive(stream));
  }

  /** Runs `run` after one way of the network: at once (synchronously) without a network, which saves a timer per way. */
  travel(run: () => void): void {
    if (this.oneWay === undefined) run();
    else this.scheduler.after(this.oneWay(), run);
  }

  /** The request reached the provider. */
  #arrive(stream: Stream): void {
    if (stream.done) return;
    const { connection } = stream;
    // Above the last-stream-id of a GOAWAY this connection sent: the provider never sees it (the client fails it, unprocessed).
    if (connection.goawayLastStreamId !== undefined && stream.id > connection.goawayLastStreamId) return;
    if (this.providerBusy >= this.limits.providerConcurrency) {
      this.providerQueue.push(stream);
      return;
    }
    this.#serve(stream);
  }

  #serve(stream: Stream): void {
    this.providerBusy++;
    stream.serving = true;
    // A TransportRequest is a VirtualRequest (method, path, headers, body): handed over as it is.
    stream.connection.provider.handle(stream, stream.exchange.request);
  }

  /** The provider is done with a stream (answered, reset, or the stream ended otherwise): serve the next one waiting. */
  released(stream: Stream): void {
    if (!stream.serving) return;
    stream.serving = false;
    this.providerBusy--;
    while (this.providerQueue.length > 0 && this.providerBusy < this.limits.providerConcurrency) {
      const next = this.providerQueue.shift() as Stream;
      if (!next.done) this.#serve(next);
    }
  }

  /** Ends an attempt: its result, or a replay when the provider provably did not process it. */
  finish(stream: Stream, result: TransportResult): void {
    if (stream.done) return;
    stream.done = true;
    this.#deadlines.remove(stream);
    this.released(stream);
    const { connection, exchange } = stream;
    connection.streams.delete(stream);
    this.running--;
    stream.over?.();
    if (connection.closing && connection.streams.size === 0) this.#retire(connection);
    if (!result.ok && result.unprocessed && (result.kind === 'reset' || result.kind === 'goaway') && exchange.replays < this.limits.maxReplays && !this.destroyed) {
      exchange.replays++;
      this.#queue.push(exchange);
    } else {
      exchange.resolve(result);
    }
    this.pump();
  }

  /** A connection went away (GOAWAY) or died: a new one takes its place, ready one round trip later. */
  replace(connection: Connection): void {
    if (connection.closing) return;
    connection.closing = true;
    const index = this.#connections.indexOf(connection);
    if (index >= 0 && !this.destroyed) {
      const delay = this.oneWay === undefined ? 0 : this.oneWay() + this.oneWay();
      this.#connections[index] = this.#open(delay);
    }
    if (connection.streams.size === 0) this.#retire(connection);
  }

  /** A connection that went away has no streams left: it is closed (the provider counts it gone). */
  #retire(connection: Connection): void {
    if (connection.retired) return;
    connection.retired = true;
    const index = this.#connections.indexOf(connection);
    if (index >= 0) this.#connections.splice(index, 1);
    connection.provider.closed();
  }

  #open(delayMs: number): Connection {
    const connection = new Connection(this.#nextConnectionId++, this);
    if (delayMs > 0) {
      connection.ready = false;
      this.scheduler.after(delayMs, () => {
        connection.ready = true;
        this.pump();
      });
    }
    return connection;
  }

  #notifyIdle(): void {
    if (this.running > 0 || this.#queue.length > 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}

class Connection {
  readonly id: number;
  readonly provider: VirtualProviderConnection;
  readonly streams = new Set<Stream>();
  limit: number;
  ready = true;
  /** Went away: no new streams; retired once its streams are done. */
  closing = false;
  retired = false;
  nextStreamId = 1;
  /** The highest stream id the provider has seen (the last-stream-id of a graceful GOAWAY). */
  goawayLastStreamId: number | undefined = undefined;

  constructor(id: number, transport: VirtualTransport) {
    this.id = id;
    this.provider = transport.mock.openConnection(id, {
      // A SETTINGS frame reaches the client one way later.
      streamLimit: (limit) =>
        transport.travel(() => {
          this.limit = limit;
          transport.pump();
        }),
    });
    this.limit = this.provider.initialStreams;
  }
}

/** One attempt of a request on a connection: the VirtualStream the provider answers. */
class Stream implements VirtualStream {
  readonly transport: VirtualTransport;
  readonly connection: Connection;
  readonly exchange: Exchange;
  readonly id: number;
  done = false;
  /** With the provider (counted against providerConcurrency). */
  serving = false;
  over: (() => void) | undefined = undefined;
  /** Monotonic ms the attempt times out at, and its neighbours on the Deadlines list. */
  deadline = 0;
  previous: Stream | undefined = undefined;
  next: Stream | undefined = undefined;

  constructor(transport: VirtualTransport, connection: Connection, exchange: Exchange) {
    this.transport = transport;
    this.connection = connection;
    this.exchange = exchange;
    this.id = connection.nextStreamId;
    connection.nextStreamId += 2;
  }

  get gone(): boolean {
    return this.done;
  }

  respond(response: FaultResponse): void {
    const { transport } = this;
    transport.released(this);
    const result: TransportResult = { ok: true, status: response.status, headers: response.headers, body: response.body === '' ? emptyBody : Buffer.from(response.body) };
    if (transport.oneWay === undefined) transport.finish(this, result);
    else transport.travel(() => transport.finish(this, result));
  }

  reset(code: number): void {
    const { transport } = this;
    transport.released(this);
    transport.travel(() => transport.finish(this, streamFailure({ streamId: this.id, rstCode: code, timedOut: false, goawayLastStreamId: undefined, sessionError: undefined })));
  }

  goaway(action: Extract<FaultAction, { type: 'goaway' }>): boolean {
    const { transport, connection } = this;
    if (connection.goawayLastStreamId !== undefined) return false;
    // refuse: below this stream; abrupt: this stream; graceful: every stream the provider has seen so far.
    const last = action.refuse ? this.id - 2 : action.abrupt ? this.id : highestSeen(connection);
    connection.goawayLastStreamId = last;
    transport.replace(connection);
    // The client learns of it one way later: streams above last-stream-id fail unprocessed; after an abrupt one, all of them.
    transport.travel(() => {
      for (const stream of [...connection.streams]) {
        if (stream.id > last || action.abrupt) transport.finish(stream, streamFailure({ streamId: stream.id, rstCode: undefined, timedOut: false, goawayLastStreamId: last, sessionError: undefined }));
      }
    });
    return true;
  }

  resetConnection(): void {
    const { transport, connection } = this;
    transport.replace(connection);
    const error = new PushSimError('PUSHSIM_ERR_SOCKET', 'read ECONNRESET');
    transport.travel(() => {
      for (const stream of [...connection.streams]) transport.finish(stream, streamFailure({ streamId: stream.id, rstCode: undefined, timedOut: false, goawayLastStreamId: undefined, sessionError: error }));
    });
  }

  after(ms: number, run: () => void, since?: number): void {
    afterAtLeastOn(this.transport.scheduler, ms, () => !this.done && run(), since);
  }

  settleWhenOver(pending: PendingInjection): void {
    const previous = this.over;
    this.over = previous === undefined ? () => pending.settled() : () => {
      previous();
      pending.settled();
    };
    if (this.done) this.over();
  }
}

/**
 * Request timeouts on one timer instead of one per attempt (as the pool's Deadlines,
 * sender/http2/exchange.ts): the timeout is the same for every attempt, so deadlines fall in start
 * order and the list is a FIFO whose head is always the earliest.
 */
class Deadlines {
  readonly #scheduler: Scheduler;
  readonly #timeoutMs: number;
  readonly #onExpire: (stream: Stream) => void;
  #head: Stream | undefined = undefined;
  #tail: Stream | undefined = undefined;
  /** Cancels the armed timer; undefined when none is (an empty list keeps no timer, so the clock can run out). */
  #cancel: (() => void) | undefined = undefined;

  constructor(scheduler: Scheduler, timeoutMs: number, onExpire: (stream: Stream) => void) {
    this.#scheduler = scheduler;
    this.#timeoutMs = timeoutMs;
    this.#onExpire = onExpire;
  }

  add(stream: Stream, now: number): void {
    stream.deadline = now + this.#timeoutMs;
    stream.previous = this.#tail;
    if (this.#tail === undefined) this.#head = stream;
    else this.#tail.next = stream;
    this.#tail = stream;
    if (this.#cancel === undefined) this.#arm(this.#timeoutMs);
  }

  remove(stream: Stream): void {
    const { previous, next } = stream;
    if (previous === undefined) {
      if (this.#head !== stream) return;
      this.#head = next;
    } else {
      previous.next = next;
    }
    if (next === undefined) this.#tail = previous;
    else next.previous = previous;
    stream.previous = undefined;
    stream.next = undefined;
    if (this.#head === undefined && this.#cancel !== undefined) {
      this.#cancel();
      this.#cancel = undefined;
    }
  }

  #arm(delayMs: number): void {
    this.#cancel = this.#scheduler.after(delayMs, this.#fire);
  }

  readonly #fire = (): void => {
    this.#cancel = undefined;
    const now = this.#scheduler.monotonic();
    while (this.#head !== undefined && this.#head.deadline <= now) this.#onExpire(this.#head);
    if (this.#head !== undefined && this.#cancel === undefined) this.#arm(this.#head.deadline - now);
  };
}

/** Streams the provider has seen on a connection: every one at or below the highest id open with it. */
function highestSeen(connection: Connection): number {
  let highest = 0;
  for (const stream of connection.streams) if (stream.serving && stream.id > highest) highest = stream.id;
  return Math.max(highest, connection.nextStreamId - 2);
}

const emptyBody = Buffer.alloc(0);

function fail(kind: 'closed' | 'queue-full' | 'expired', code: PushSimError['code'], message: string, unprocessed: boolean): TransportResult {
  return { ok: false, kind, error: new PushSimError(code, message), unprocessed };
}

function shutdown(unprocessed: boolean): TransportResult {
  return { ok: false, kind: 'shutdown', error: new PushSimError('PUSHSIM_ERR_SHUTDOWN', 'pushsim stopped before this request was answered'), unprocessed };
}
