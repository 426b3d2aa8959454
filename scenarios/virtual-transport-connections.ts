/**
 * The simulated transport's connections, kept as the HTTP/2 pool keeps its sessions
 * (sender/http2/pool.ts, pooled-session.ts), on the scheduler:
 *
 * - opened when requests wait and fewer than `connections` are live (none before the first
 *   request), each a connect attempt the provider's fault engine numbers and judges like an
 *   accepted socket (FaultEngine.onSimulatedConnection): accepted, ready one round trip later; a
 *   slow handshake adds its delay, and fails as the pool's connect timeout does when that is longer
 *   than `connectTimeoutMs`; a refused one fails one round trip later (the socket is reset);
 * - a failed connect backs off (1 s doubling to 60 s, reset on success); while no connection is
 *   live, waiting requests fail as `connect` (unprocessed), as the pool's #failQueued fails them;
 * - a GOAWAY (on a request, or session-level: idle, max-age, PINGs) or a reset takes the connection
 *   out of use; it is retired once its streams are done, and a new one opens when requests wait;
 * - an idle connection is PINGed every `pingIntervalMs`, when the provider listens for PINGs (a
 *   `goaway` fault with trigger `pings`: nothing else in a simulation answers them).
 */
import { constants } from 'node:http2';
import { PushSimError } from '../core/errors.js';
import type { CancelTimer, Scheduler } from '../core/scheduler.js';
import type { TransportResult } from '../sender/transport.js';
import type { VirtualProvider, VirtualProviderConnection } from '../simulator/virtual/provider.js';
import { connectFailed, connectionLost, wentAway } from './virtual-transport-failures.js';
import type { Limits } from './virtual-transport-limits.js';

/** A stream as its connection knows it. */
export interface OpenStream {
  readonly id: number;
  /** Reached the provider (a stream open on its side). */
  readonly atProvider: boolean;
}

/** What the connections need of the transport they serve. */
export interface ConnectionHost {
  readonly origin: string;
  readonly scheduler: Scheduler;
  readonly mock: VirtualProvider;
  readonly limits: Limits;
  readonly destroyed: boolean;
  /** Runs `run` one way of the network later (at once without a network). */
  travel(run: () => void): void;
  /** A sampled round trip of the network (0 without one). */
  roundTrip(): number;
  /** Starts what waits, now that a connection or a stream freed up. */
  pump(): void;
  /** Ends an attempt with `result` (or replays it). */
  finish(stream: OpenStream, result: TransportResult): void;
  /** Fails every request waiting for a stream with `result`. */
  failQueued(result: TransportResult): void;
}

export class Connection {
  /** The id the provider's engine gave the connect attempt (match.connection counts these). */
  readonly id: number;
  readonly streams = new Set<OpenStream>();
  /** The provider's side, once it accepted the connection. */
  provider: VirtualProviderConnection | undefined = undefined;
  /** SETTINGS_MAX_CONCURRENT_STREAMS as the client knows it. */
  limit = 0;
  ready = false;
  /** Went away or was reset: no new streams; retired once its streams are done. */
  closing = false;
  /** Reset (TCP RST): nothing more reaches the provider. */
  lost = false;
  retired = false;
  nextStreamId = 1;
  /** The last-stream-id of the GOAWAY this connection got. */
  goawayLastStreamId: number | undefined = undefined;
  cancelPings: CancelTimer | undefined = undefined;

  constructor(id: number) {
    this.id = id;
  }

  /** Takes a new stream now. */
  get free(): boolean {
    return this.ready && !this.closing && this.streams.size < this.limit;
  }
}

export class Connections {
  readonly #host: ConnectionHost;
  readonly #all: Connection[] = [];
  /** No connect attempt before this (monotonic ms) while none is live: the pool's reconnect backoff. */
  #reconnectAt = 0;
  #reconnectDelay: number;

  constructor(host: ConnectionHost) {
    this.#host = host;
    this.#reconnectDelay = host.limits.reconnectBaseMs;
  }

  /** Ready, not going away, with a free stream: the one with the fewest streams. */
  leastBusy(): Connection | undefined {
    let best: Connection | undefined;
    for (const connection of this.#all) {
      if (connection.free && (best === undefined || connection.streams.size < best.streams.size)) best = connection;
    }
    return best;
  }

  /** Ready connections and their stream limits, for TransportStats. */
  stats(): { connected: number; capacity: number } {
    let connected = 0;
    let capacity = 0;
    for (const connection of this.#all) {
      if (!connection.ready || connection.closing) continue;
      connected++;
      capacity += connection.limit;
    }
    return { connected, capacity };
  }

  /**
   * Requests wait: opens connections up to `connections` (the pool's #ensureSessions). True when
   * one became ready at once (no network, no handshake delay): the caller can start streams on it.
   */
  ensure(): boolean {
    const host = this.#host;
    if (host.destroyed) return false;
    let live = this.#live();
    if (live >= host.limits.connections) return false;
    const now = host.scheduler.monotonic();
    if (live === 0 && now < this.#reconnectAt) {
      host.failQueued(connectFailed(new PushSimError('PUSHSIM_ERR_CONNECT', `cannot connect to ${host.origin}; next attempt in ${Math.ceil(this.#reconnectAt - now)} ms`)));
      return false;
    }
    let readyNow = false;
    for (; live < host.limits.connections; live++) readyNow = this.#attempt() || readyNow;
    return readyNow;
  }

  /** A connect attempt, judged by the provider's engine; true when the connection is ready at once. */
  #attempt(): boolean {
    const host = this.#host;
    const { id, verdict } = host.mock.connect();
    const connection = new Connection(id);
    this.#all.push(connection);
    const rtt = host.roundTrip();
    if (verdict.type === 'refuse') {
      // The socket is reset as soon as it is accepted: the client learns it a round trip later.
      host.scheduler.after(rtt, () => this.#failed(connection, new Error('read ECONNRESET')));
      return false;
    }
    const delayMs = verdict.type === 'delay' ? verdict.ms : 0;
    const { connectTimeoutMs } = host.limits;
    if (rtt + delayMs >= connectTimeoutMs) {
      // The pool gives up first (pooled-session.ts); the provider never sees a session.
      host.scheduler.after(connectTimeoutMs, () => this.#failed(connection, new Error(`no HTTP/2 SETTINGS within ${connectTimeoutMs} ms`)));
      return false;
    }
    if (rtt + delayMs === 0) {
      this.#accepted(connection);
      this.#ready(connection);
      return true;
    }
    // The provider takes the connection once the handshake's delay is over; its SETTINGS reach the client one way later.
    host.scheduler.after(delayMs, () => {
      if (connection.closing) return;
      this.#accepted(connection);
      host.scheduler.after(rtt, () => {
        if (connection.closing) return;
        this.#ready(connection);
        host.pump();
      });
    });
    return false;
  }

  #accepted(connection: Connection): void {
    const host = this.#host;
    const provider = host.mock.openConnection(connection.id, {
      // SETTINGS, GOAWAY and a reset reach the client one way later.
      streamLimit: (limit) =>
        host.travel(() => {
          connection.limit = limit;
          host.pump();
        }),
      goaway: (code) => this.goAway(connection, highestSeen(connection), code !== constants.NGHTTP2_NO_ERROR),
      resetConnection: () => this.reset(connection),
    });
    connection.provider = provider;
    connection.limit = provider.initialStreams;
  }

  #ready(connection: Connection): void {
    const host = this.#host;
    connection.ready = true;
    this.#reconnectDelay = host.limits.reconnectBaseMs;
    const { pingIntervalMs } = host.limits;
    if (pingIntervalMs > 0 && connection.provider?.session.watchesPings === true) this.#ping(connection, pingIntervalMs);
  }

  /** PINGs every `intervalMs` while the connection is idle (pooled-session.ts #startPings). */
  #ping(connection: Connection, intervalMs: number): void {
    connection.cancelPings = this.#host.scheduler.after(intervalMs, () => {
      if (connection.closing || connection.retired) return;
      this.#ping(connection, intervalMs);
      if (connection.streams.size > 0) return;
      this.#host.travel(() => !connection.lost && connection.provider?.session.ping());
    });
  }

  /** A connect attempt failed (the pool's #onSessionClose, never connected). */
  /** Connections open or opening, not closing. */
  #live(): number {
    let live = 0;
    for (const connection of this.#all) if (!connection.closing) live++;
    return live;
  }

  #failed(connection: Connection, error: Error): void {
    const host = this.#host;
    connection.closing = true;
    this.#remove(connection);
    if (host.destroyed) return;
    this.#reconnectAt = host.scheduler.monotonic() + this.#reconnectDelay;
    const { reconnectMaxMs } = host.limits;
    this.#reconnectDelay = Math.min(reconnectMaxMs, Math.max(1, this.#reconnectDelay * 2));
    if (this.#live() === 0) host.failQueued(connectFailed(new PushSimError('PUSHSIM_ERR_CONNECT', `cannot connect to ${host.origin}: ${error.message}`, { cause: error })));
    host.pump();
  }

  /**
   * GOAWAY naming `last`: streams above it fail unprocessed (after an abrupt one, all of them fail),
   * one way later when the client learns of it; no new streams on the connection. False when it already went away.
   */
  goAway(connection: Connection, last: number, abrupt: boolean): boolean {
    if (connection.goawayLastStreamId !== undefined || connection.lost) return false;
    connection.goawayLastStreamId = last;
    const host = this.#host;
    host.travel(() => {
      this.#close(connection);
      for (const stream of [...connection.streams]) {
        if (stream.id > last || abrupt) host.finish(stream, wentAway(stream.id, last));
      }
      host.pump();
    });
    return true;
  }

  /** TCP reset: every stream on the connection fails (the pool cannot tell whether the provider processed them). */
  reset(connection: Connection): void {
    if (connection.lost) return;
    connection.lost = true;
    const host = this.#host;
    const error = new PushSimError('PUSHSIM_ERR_SOCKET', 'read ECONNRESET');
    host.travel(() => {
      this.#close(connection);
      for (const stream of [...connection.streams]) host.finish(stream, connectionLost(stream.id, error));
      host.pump();
    });
  }

  /** A stream of a closing connection ended: retire the connection with its last one. */
  streamDone(connection: Connection): void {
    if (connection.closing && connection.streams.size === 0) this.#retire(connection);
  }

  /** Everything stops: no pings, no connection left; streams still open end with `cut` (destroy). */
  stop(cut?: TransportResult): void {
    for (const connection of [...this.#all]) {
      connection.closing = true;
      if (cut !== undefined) for (const stream of [...connection.streams]) this.#host.finish(stream, cut);
      this.#retire(connection);
    }
  }

  /** Out of use: no new streams; retired now when it has none. */
  #close(connection: Connection): void {
    if (connection.closing) return;
    connection.closing = true;
    connection.cancelPings?.();
    if (connection.streams.size === 0) this.#retire(connection);
  }

  /** Closed for good: the provider counts it gone. */
  #retire(connection: Connection): void {
    if (connection.retired) return;
    connection.retired = true;
    connection.cancelPings?.();
    this.#remove(connection);
    if (connection.provider !== undefined) {
      connection.provider.closed();
      connection.provider.session.end();
    }
  }

  #remove(connection: Connection): void {
    const index = this.#all.indexOf(connection);
    if (index >= 0) this.#all.splice(index, 1);
  }
}

/** Streams the provider has seen on a connection: every one at or below the highest id that reached it. */
export function highestSeen(connection: Connection): number {
  let highest = 0;
  for (const stream of connection.streams) if (stream.atProvider && stream.id > highest) highest = stream.id;
  return Math.max(highest, connection.nextStreamId - 2);
}
