/**
 * One attempt of a request on a simulated connection: the VirtualStream (a FaultTarget,
 * simulator/faults/hooks.ts) the provider answers, resets or sends GOAWAY on, as a fault decision
 * does on a real HTTP/2 stream.
 */
import type { Scheduler } from '../core/scheduler.js';
import type { DispatchContext, TransportRequest, TransportResult } from '../sender/transport.js';
import type { DeadlineEntry } from '../sender/http2/deadlines.js';
import { afterAtLeastOn } from '../simulator/delay.js';
import type { FaultAction, FaultResponse, PendingInjection } from '../simulator/faults/types.js';
import type { VirtualStream } from '../simulator/virtual/provider.js';
import { highestSeen, type Connection, type OpenStream } from './virtual-transport-connections.js';
import { streamReset } from './virtual-transport-failures.js';

/** A request from dispatch to its result (again after a replay), as the pool's Exchange. */
export interface Exchange {
  readonly request: TransportRequest;
  readonly context: DispatchContext | undefined;
  readonly resolve: (result: TransportResult) => void;
  replays: number;
}

/** What a stream needs of its transport. */
export interface StreamHost {
  readonly scheduler: Scheduler;
  /** Whether answers travel over a simulated network (else they arrive at once, without a timer). */
  readonly networked: boolean;
  travel(run: () => void): void;
  /** The provider is done with the stream (its concurrency slot frees). */
  released(stream: Stream): void;
  finish(stream: Stream, result: TransportResult): void;
  /** GOAWAY on the stream's connection naming `last`; false when it already went away. */
  goAway(connection: Connection, last: number, abrupt: boolean): boolean;
  resetConnection(connection: Connection): void;
}

const emptyBody = Buffer.alloc(0);

export class Stream implements VirtualStream, OpenStream, DeadlineEntry<Stream> {
  readonly host: StreamHost;
  readonly connection: Connection;
  readonly exchange: Exchange;
  readonly id: number;
  done = false;
  /** With the provider (counted against providerConcurrency). */
  serving = false;
  /** Reached the provider: a stream open on its side until it answers or the attempt ends. */
  atProvider = false;
  over: (() => void) | undefined = undefined;
  /** Monotonic ms the attempt times out at, and its neighbours on the Deadlines list. */
  deadline = 0;
  previous: Stream | undefined = undefined;
  next: Stream | undefined = undefined;

  constructor(host: StreamHost, connection: Connection, exchange: Exchange) {
    this.host = host;
    this.connection = connection;
    this.exchange = exchange;
    this.id = connection.nextStreamId;
    connection.nextStreamId += 2;
  }

  get gone(): boolean {
    return this.done;
  }

  /** The provider's side of the stream closed (it answered or reset it, or the client gave up). */
  closeAtProvider(): void {
    if (!this.atProvider) return;
    this.atProvider = false;
    this.connection.provider?.session.streamClosed();
  }

  respond(response: FaultResponse): void {
    const { host } = this;
    host.released(this);
    this.closeAtProvider();
    const result: TransportResult = { ok: true, status: response.status, headers: response.headers, body: response.body === '' ? emptyBody : Buffer.from(response.body) };
    if (!host.networked) host.finish(this, result);
    else host.travel(() => host.finish(this, result));
  }

  reset(code: number): void {
    const { host } = this;
    host.released(this);
    this.closeAtProvider();
    host.travel(() => host.finish(this, streamReset(this.id, code)));
  }

  goaway(action: Extract<FaultAction, { type: 'goaway' }>): boolean {
    const { connection } = this;
    // refuse: below this stream; abrupt: this stream; graceful: every stream the provider has seen so far.
    const last = action.refuse ? this.id - 2 : action.abrupt ? this.id : highestSeen(connection);
    return this.host.goAway(connection, last, action.abrupt);
  }

  resetConnection(): void {
    this.host.resetConnection(this.connection);
  }

  after(ms: number, run: () => void, since?: number): void {
    afterAtLeastOn(this.host.scheduler, ms, () => !this.done && run(), since);
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
