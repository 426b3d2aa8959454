/**
 * Turns "a stream closed without a complete response" into a TransportFailure, deciding whether the
 * origin can have processed it. Only provably unprocessed requests are safe to replay:
 *  - never got a stream id: nothing was written;
 *  - RST_STREAM REFUSED_STREAM: "no application processing" (RFC 9113 §8.7);
 *  - stream id above the GOAWAY last-stream-id: not processed (RFC 9113 §6.8). nghttp2 closes such
 *    streams with REFUSED_STREAM itself when the GOAWAY arrives.
 */
import { constants } from 'node:http2';
import { PushSimError } from '../../core/errors.js';
import type { TransportFailure } from '../transport.js';

export interface StreamFailureFacts {
  readonly streamId: number | undefined;
  readonly rstCode: number | undefined;
  readonly timedOut: boolean;
  readonly goawayLastStreamId: number | undefined;
  readonly sessionError: Error | undefined;
}

export function streamFailure(facts: StreamFailureFacts): TransportFailure {
  const { streamId, rstCode, timedOut, goawayLastStreamId, sessionError } = facts;
  if (timedOut) {
    return failure('timeout', 'PUSHSIM_ERR_TIMEOUT', 'no response before the request timeout', false);
  }
  const aboveGoaway = streamId !== undefined && goawayLastStreamId !== undefined && streamId > goawayLastStreamId;
  if (aboveGoaway) {
    return failure('goaway', 'PUSHSIM_ERR_GOAWAY', `stream ${streamId} is above GOAWAY last-stream-id ${goawayLastStreamId}`, true);
  }
  if (rstCode === constants.NGHTTP2_REFUSED_STREAM) {
    return failure('reset', 'PUSHSIM_ERR_STREAM_RESET', 'stream refused (REFUSED_STREAM) before processing', true);
  }
  if (streamId === undefined) {
    return failure('reset', 'PUSHSIM_ERR_SOCKET', `connection lost before the request was sent${why(sessionError)}`, true);
  }
  if (goawayLastStreamId !== undefined) {
    return failure('goaway', 'PUSHSIM_ERR_GOAWAY', `session went away before stream ${streamId} was answered${why(sessionError)}`, false);
  }
  if (rstCode !== undefined && rstCode !== constants.NGHTTP2_NO_ERROR) {
    return failure('reset', 'PUSHSIM_ERR_STREAM_RESET', `stream reset with code ${rstCode}`, false);
  }
  return failure('reset', 'PUSHSIM_ERR_SOCKET', `connection lost before the response completed${why(sessionError)}`, false);
}

function why(error: Error | undefined): string {
  return error ? `: ${error.message}` : '';
}

function failure(kind: TransportFailure['kind'], code: PushSimError['code'], message: string, unprocessed: boolean): TransportFailure {
  return { ok: false, kind, error: new PushSimError(code, message), unprocessed };
}
