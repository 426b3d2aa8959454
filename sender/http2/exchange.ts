/**
 * One request in the pool — queued, then on a stream (again after a replay) — kept as cheap as
 * node:http2 allows, because the pool pays it once per notification:
 *
 * - The stream's listeners are four module-level functions shared by every stream (no closures per
 *   request): they find their Exchange through a symbol on the stream. An 'error' listener must
 *   exist (an unhandled stream error would crash the process) but keeps nothing: the error stays
 *   readable as `stream.errored`, and whether the response ended as `stream.readableEnded`.
 * - A body is kept as the Buffer that arrived (usually one chunk, none for an empty 200), and
 *   concatenated only when several chunks came.
 * - Request timeouts live on one Deadlines list per pool with one timer, instead of a timer per
 *   stream that node would refresh on every frame (`stream.setTimeout`). The timeout is the same for
 *   every request of a pool, so deadlines fall in start order: the list is a FIFO and the earliest
 *   deadline is always at its head.
 */
import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import type { DispatchContext, TransportRequest, TransportResult } from '../transport.js';
import { DeadlineList, realDeadlineClock, type DeadlineEntry } from './deadlines.js';
import type { PooledSession } from './pooled-session.js';

const kExchange = Symbol('pushsim.exchange');

type ExchangeStream = ClientHttp2Stream & { [kExchange]?: Exchange };

const emptyBody = Buffer.alloc(0);

/** A request from `dispatch` to its result: waiting in the queue, then on a stream (again after a replay). */
export class Exchange implements DeadlineEntry<Exchange> {
  readonly request: TransportRequest;
  readonly context: DispatchContext | undefined;
  readonly resolve: (result: TransportResult) => void;
  replays = 0;
  // The current attempt:
  stream: ClientHttp2Stream | undefined = undefined;
  session: PooledSession | undefined = undefined;
  /** The response's headers, once they arrived. */
  headers: IncomingHttpHeaders | undefined = undefined;
  timedOut = false;
  /** `performance.now()` after which the attempt times out. */
  deadline = 0;
  /** Neighbours on the Deadlines list. */
  previous: Exchange | undefined = undefined;
  next: Exchange | undefined = undefined;
  #body: Buffer | undefined = undefined;
  #more: Buffer[] | undefined = undefined;
  #onClose: ((exchange: Exchange) => void) | undefined = undefined;

  constructor(request: TransportRequest, context: DispatchContext | undefined, resolve: (result: TransportResult) => void) {
    this.request = request;
    this.context = context;
    this.resolve = resolve;
  }

  /** Starts an attempt on `stream`; `onClose` runs once when the stream closes. */
  attach(stream: ClientHttp2Stream, session: PooledSession, onClose: (exchange: Exchange) => void): void {
    this.stream = stream;
    this.session = session;
    this.headers = undefined;
    this.timedOut = false;
    this.#body = undefined;
    this.#more = undefined;
    this.#onClose = onClose;
    (stream as ExchangeStream)[kExchange] = this;
    stream.on('response', onResponse);
    stream.on('data', onData);
    stream.on('error', keepError);
    stream.on('close', onStreamClose);
  }

  /** True when the whole response arrived in time (headers and the end of the body). */
  get complete(): boolean {
    return this.headers !== undefined && !this.timedOut && this.stream?.readableEnded === true;
  }

  get body(): Buffer {
    if (this.#more === undefined) return this.#body ?? emptyBody;
    return Buffer.concat([this.#body as Buffer, ...this.#more]);
  }

  append(chunk: Buffer): void {
    if (this.#body === undefined) this.#body = chunk;
    else (this.#more ??= []).push(chunk);
  }

  closed(): void {
    this.#onClose?.(this);
  }
}

function onResponse(this: ExchangeStream, headers: IncomingHttpHeaders): void {
  const exchange = this[kExchange];
  if (exchange !== undefined) exchange.headers = headers;
}

function onData(this: ExchangeStream, chunk: Buffer): void {
  this[kExchange]?.append(chunk);
}

/** The error stays on the stream (`stream.errored`); listening only keeps it from being thrown. */
function keepError(): void {}

function onStreamClose(this: ExchangeStream): void {
  const exchange = this[kExchange];
  if (exchange === undefined) return;
  this[kExchange] = undefined;
  exchange.closed();
}

/** The pool's request timeouts: the list of deadlines.ts (which the simulated transport uses too) on real time. */
export class Deadlines extends DeadlineList<Exchange> {
  constructor(timeoutMs: number, onExpire: (exchange: Exchange) => void) {
    super(realDeadlineClock, timeoutMs, onExpire);
  }
}
