/**
 * The simulated transport's failed results, as the HTTP/2 pool (sender/http2/pool.ts) gives them:
 * the stream failures through the pool's own classifier (sender/http2/stream-failure.ts), and the
 * pool's own failures (closed, queue full, expired, shutdown, connect).
 */
import { PushSimError } from '../core/errors.js';
import { streamFailure } from '../sender/http2/stream-failure.js';
import type { TransportResult } from '../sender/transport.js';

/** No answer before the request timeout. */
export function timedOut(streamId: number): TransportResult {
  return streamFailure({ streamId, rstCode: undefined, timedOut: true, goawayLastStreamId: undefined, sessionError: undefined });
}

/** RST_STREAM with `code`. */
export function streamReset(streamId: number, code: number): TransportResult {
  return streamFailure({ streamId, rstCode: code, timedOut: false, goawayLastStreamId: undefined, sessionError: undefined });
}

/** The connection went away (GOAWAY naming `lastStreamId`) before the stream was answered. */
export function wentAway(streamId: number, lastStreamId: number): TransportResult {
  return streamFailure({ streamId, rstCode: undefined, timedOut: false, goawayLastStreamId: lastStreamId, sessionError: undefined });
}

/** The connection was reset (TCP RST) under the stream. */
export function connectionLost(streamId: number, error: Error): TransportResult {
  return streamFailure({ streamId, rstCode: undefined, timedOut: false, goawayLastStreamId: undefined, sessionError: error });
}

export function fail(kind: 'closed' | 'queue-full' | 'expired', code: PushSimError['code'], message: string, unprocessed: boolean): TransportResult {
  return { ok: false, kind, error: new PushSimError(code, message), unprocessed };
}

export function shutdown(unprocessed: boolean): TransportResult {
  return { ok: false, kind: 'shutdown', error: new PushSimError('PUSHSIM_ERR_SHUTDOWN', 'pushsim stopped before this request was answered'), unprocessed };
}

/** A request that waited for a connection none could give (the pool's #failQueued): unprocessed, for the retry interceptor to decide about. */
export function connectFailed(error: PushSimError): TransportResult {
  return { ok: false, kind: 'connect', error, unprocessed: true };
}
