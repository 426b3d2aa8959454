/**
 * The simulated transport's request path, as the HTTP/2 pool's (sender/http2/pool.ts):
 *
 *   dispatch ─► queue (maxQueue) ─► a stream on the least busy connection (its MAX_CONCURRENT_STREAMS,
 *   maxInFlight) ─► network ½ RTT ─► provider concurrency (queue) ─► provider ─► network ½ RTT ─► result
 *
 * with the pool's bookkeeping where a policy can see it: `attempts` / `sentAt` / `streamAt` on the
 * scheduler's monotonic clock, request timeouts on the pool's own Deadlines list
 * (sender/http2/deadlines.ts), `unprocessed` replays at most `maxReplays` times, `expired` deadlines,
 * `queue-full`, `closed`, `shutdown`. Connections are virtual-transport-connections.ts's.
 */
import type { Scheduler } from '../core/scheduler.js';
import { DeadlineList } from '../sender/http2/deadlines.js';
import { Fifo } from '../sender/http2/fifo.js';
import type { DispatchContext, Transport, TransportRequest, TransportResult, TransportStats } from '../sender/transport.js';
import type { LatencySampler } from '../simulator/distributions.js';
import type { VirtualProvider } from '../simulator/virtual/provider.js';
import { Connections, type Connection, type ConnectionHost } from './virtual-transport-connections.js';
import { fail, shutdown, timedOut } from './virtual-transport-failures.js';
import type { Limits } from './virtual-transport-limits.js';
import { Stream, type Exchange, type StreamHost } from './virtual-transport-streams.js';

export class VirtualTransport implements Transport, ConnectionHost, StreamHost {
  readonly origin: string;
  readonly mock: VirtualProvider;
  readonly scheduler: Scheduler;
  readonly limits: Limits;
  readonly oneWay: LatencySampler | undefined;
  readonly networked: boolean;
  readonly #queue = new Fifo<Exchange>();
  readonly #deadlines: DeadlineList<Stream>;
  readonly #connections: Connections;
  #running = 0;
  #closing = false;
  #pumping = false;
  destroyed = false;
  #idleWaiters: (() => void)[] = [];
  /** Requests the provider works on, and those waiting for it (providerConcurrency). */
  #providerBusy = 0;
  readonly #providerQueue = new Fifo<Stream>();

  constructor(mock: VirtualProvider, scheduler: Scheduler, limits: Limits, oneWay: LatencySampler | undefined) {
    this.mock = mock;
    this.scheduler = scheduler;
    this.limits = limits;
    this.oneWay = oneWay;
    this.networked = oneWay !== undefined;
    this.origin = `http://${mock.provider}.virtual`;
    // The pool's list on the scheduler; its timer is cancelled when the list empties, so the virtual clock can run out.
    const clock = { now: () => scheduler.monotonic(), after: (ms: number, run: () => void) => scheduler.after(ms, run) };
    this.#deadlines = new DeadlineList(clock, limits.requestTimeoutMs, (stream) => this.finish(stream, timedOut(stream.id)), { cancelWhenEmpty: true });
    this.#connections = new Connections(this);
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
    const { connected, capacity } = this.#connections.stats();
    return { connected, running: this.#running, queued: this.#queue.length, capacity };
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.#running > 0 || this.#queue.length > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    this.#connections.stop();
    this.mock.close();
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    for (const pending of this.#queue.drain()) pending.resolve(shutdown(true));
    this.#connections.stop(shutdown(false));
    this.mock.close();
    this.#notifyIdle();
  }

  /**
   * Starts as many queued requests as connections and limits allow, opening connections when
   * requests wait. Not re-entered: a request answered synchronously while it starts (no network, a
   * fault's instant answer) frees its stream for the loop already running, instead of recursing
   * once per queued request.
   */
  pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      do this.#pumpLoop();
      while (this.#queue.length > 0 && this.#running < this.limits.maxInFlight && this.#connections.ensure());
    } finally {
      this.#pumping = false;
    }
    this.#notifyIdle();
  }

  #pumpLoop(): void {
    const { maxInFlight } = this.limits;
    while (this.#queue.length > 0 && this.#running < maxInFlight) {
      const connection = this.#connections.leastBusy();
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

  #start(connection: Connection, exchange: Exchange): void {
    const stream = new Stream(this, connection, exchange);
    const startedAt = this.scheduler.monotonic();
    const { context } = exchange;
    if (context !== undefined) {
      context.attempts++;
      context.streamAt = startedAt;
      context.sentAt ??= startedAt;
    }
    this.#running++;
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

  roundTrip(): number {
    return this.oneWay === undefined ? 0 : this.oneWay() + this.oneWay();
  }

  /** The request reached the provider. */
  #arrive(stream: Stream): void {
    if (stream.done) return;
    const { connection } = stream;
    // Above the last-stream-id of a GOAWAY this connection sent, or on a reset connection: the provider never sees it.
    if (connection.lost || (connection.goawayLastStreamId !== undefined && stream.id > connection.goawayLastStreamId)) return;
    stream.atProvider = true;
    connection.provider?.session.streamOpened();
    if (this.#providerBusy >= this.limits.providerConcurrency) {
      this.#providerQueue.push(stream);
      return;
    }
    this.#serve(stream);
  }

  #serve(stream: Stream): void {
    this.#providerBusy++;
    stream.serving = true;
    // A TransportRequest is a VirtualRequest (method, path, headers, body): handed over as it is.
    stream.connection.provider?.handle(stream, stream.exchange.request);
  }

  /** The provider is done with a stream (answered, reset, or the stream ended otherwise): serve the next one waiting. */
  released(stream: Stream): void {
    if (!stream.serving) return;
    stream.serving = false;
    this.#providerBusy--;
    while (this.#providerQueue.length > 0 && this.#providerBusy < this.limits.providerConcurrency) {
      const next = this.#providerQueue.shift() as Stream;
      if (!next.done) this.#serve(next);
    }
  }

  /** Ends an attempt: its result, or a replay when the provider provably did not process it. */
  finish(stream: Stream, result: TransportResult): void {
    if (stream.done) return;
    stream.done = true;
    this.#deadlines.remove(stream);
    this.released(stream);
    stream.closeAtProvider();
    const { connection, exchange } = stream;
    connection.streams.delete(stream);
    this.#running--;
    stream.over?.();
    this.#connections.streamDone(connection);
    if (!result.ok && result.unprocessed && (result.kind === 'reset' || result.kind === 'goaway') && exchange.replays < this.limits.maxReplays && !this.destroyed) {
      exchange.replays++;
      this.#queue.push(exchange);
    } else {
      exchange.resolve(result);
    }
    this.pump();
  }

  failQueued(result: TransportResult): void {
    for (const pending of this.#queue.drain()) pending.resolve(result);
  }

  goAway(connection: Connection, last: number, abrupt: boolean): boolean {
    return this.#connections.goAway(connection, last, abrupt);
  }

  resetConnection(connection: Connection): void {
    this.#connections.reset(connection);
  }

  #notifyIdle(): void {
    if (this.#running > 0 || this.#queue.length > 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}
