/**
 * The Transport contract: everything that can carry a request to a provider origin (after undici's
 * Dispatcher). The HTTP/2 pool, an in-memory fake, a fallback pair and the fault proxy are all just
 * Transports; retry, auth refresh, rate limiting and fallback wrap `dispatch` as interceptors and
 * never know which one they hold.
 *
 *   Sender ──► interceptors (retry ∘ auth ∘ …) ──► Transport.dispatch ──► origin
 *
 * `dispatch` never rejects: a request either got an HTTP response (any status) or failed before one
 * arrived, and both come back as values. That keeps the hot path free of try/catch and makes an
 * unhandled rejection impossible by construction.
 */
import type { IncomingHttpHeaders } from 'node:http2';
import type { PushSimError } from '../core/errors.js';

export interface TransportRequest {
  readonly method: 'POST' | 'GET' | 'PUT' | 'DELETE';
  /** Path and query, e.g. `/3/device/<token>`. */
  readonly path: string;
  /** Lower-case header names, no pseudo-headers. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
  /**
   * Epoch milliseconds after which the request must not be started (it is `expired` instead).
   * Set from `apns-expiration`, FCM TTL or Web Push TTL.
   */
  readonly deadline?: number;
}

export interface TransportResponse {
  readonly ok: true;
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** A Buffer of its own for every response, never changed afterwards (layers may remember what they read from it: parseLastBody). */
  readonly body: Buffer;
}

/** Why no response arrived. `unprocessed` means the origin certainly did not act on it. */
export type FailureKind =
  | 'connect' // could not open a connection
  | 'reset' // the stream was reset (RST_STREAM) or the socket died mid-request
  | 'goaway' // the session went away before this stream was answered
  | 'timeout' // no response within the request timeout
  | 'closed' // the transport was closed or destroyed
  | 'queue-full' // the pending queue was at its limit (the notification is dropped)
  | 'expired' // the deadline passed while the request waited
  | 'circuit-open' // the circuit breaker is open for this origin: not sent
  | 'shutdown'; // pushsim's own stop (destroy: a run's graceful stop ran out) cut it, queued or on the wire

export interface TransportFailure {
  readonly ok: false;
  readonly kind: FailureKind;
  readonly error: PushSimError;
  /**
   * True when the origin cannot have processed the request: it was never written, refused with
   * REFUSED_STREAM, or its stream id was above a GOAWAY's last-stream-id (RFC 9113 §6.8, §8.7).
   * Only such requests are safe to replay without risking a duplicate delivery.
   */
  readonly unprocessed: boolean;
}

export type TransportResult = TransportResponse | TransportFailure;

/**
 * Per-notification state shared by every layer one notification passes through (interceptors
 * may replay a request several times). Created by the sender, one per notification.
 */
export interface DispatchContext {
  /** Requests actually put on the wire for this notification so far; the transport counts them. */
  attempts: number;
  /** Set by the fallback interceptor when the secondary route carried the notification. */
  route?: string;
  /**
   * `performance.now()` when the notification's first request went on the wire (a stream opened):
   * how late it left against its planned time. Set by the HTTP/2 pool; undefined until then.
   */
  sentAt?: number;
  /**
   * `performance.now()` when the current attempt's stream opened: before it, the request waited
   * inside pushsim (pool queue, a free stream); after it, it was on the wire. Set by the HTTP/2 pool.
   */
  streamAt?: number;
}

export type Dispatch = (request: TransportRequest, context: DispatchContext) => Promise<TransportResult>;

/** Wraps a dispatch function; one concern per interceptor, one file each (sender/interceptors/). */
export type Interceptor = (next: Dispatch) => Dispatch;

/** A point-in-time snapshot (after undici's PoolStats). */
export interface TransportStats {
  /** Sessions with a live connection. */
  readonly connected: number;
  /** Requests on the wire (open streams). */
  readonly running: number;
  /** Requests waiting for a free stream. */
  readonly queued: number;
  /** Total stream capacity across connected sessions, as the peers currently allow. */
  readonly capacity: number;
}

export interface Transport {
  /** `https://host:port` or `http://host:port` (h2c). */
  readonly origin: string;
  dispatch: Dispatch;
  stats(): TransportStats;
  /** Stops accepting requests, lets queued and running ones finish, then closes connections. */
  close(): Promise<void>;
  /** Fails queued and running requests with kind `shutdown` (pushsim's own stop, never retried) and tears connections down now. */
  destroy(): Promise<void>;
}

/** Composes interceptors so the first one listed is the outermost (sees the request first). */
export function compose(dispatch: Dispatch, ...interceptors: readonly Interceptor[]): Dispatch {
  return interceptors.reduceRight<Dispatch>((next, interceptor) => interceptor(next), dispatch);
}

/**
 * A copy of `request` with one more header (authentication adds its own this way, so a fallback
 * route never sees the primary's credentials). Copied key by key: V8 clones an object with a spread
 * quickly, but adding a key to the clone (`{ ...headers, authorization }`) took ~1.8 µs here, a
 * tenth of a raw node:http2 request.
 */
export function withHeader(request: TransportRequest, name: string, value: string): TransportRequest {
  const headers: Record<string, string> = {};
  const given = request.headers;
  for (const key in given) headers[key] = given[key] as string;
  headers[name] = value;
  return { method: request.method, path: request.path, headers, body: request.body, deadline: request.deadline };
}
