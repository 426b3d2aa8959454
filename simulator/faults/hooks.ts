/**
 * How a host (a mock provider, the fault proxy) applies decisions on raw HTTP/2 streams. The whole
 * integration is three calls:
 *
 *   engine.interceptConnections(server)          // once: refuse / slow-handshake (optional)
 *   server.on('session', (s) => engine.onSession(s))
 *   engine.handle(stream, info, (accept) => {    // per stream, once token etc. are known
 *     …process as usual…
 *     if (accepted && accept(deliveryId, body)) return;   // recorded in the ledger; true = a fault answers instead
 *     …send the normal answer…
 *   });
 */
import { constants } from 'node:http2';
import type { Http2Session, ServerHttp2Stream } from 'node:http2';
import type { Server } from 'node:net';
import type { Socket } from 'node:net';
import { afterAtLeast } from '../delay.js';
import { sendGoaway } from '../goaway.js';
import { resetSocket } from '../sockets.js';
import type { AfterAccept, FaultAction, FaultDecision, FaultHost, FaultRequestInfo, FaultResponse, PendingInjection } from './types.js';

/**
 * Call when the provider accepted the notification, before sending the 2xx. Records the delivery in
 * the ledger. Returns true when a fault (accept-then-fail) has taken over the answer: send nothing.
 */
export type AcceptHook = (deliveryId?: string, body?: Uint8Array | string) => boolean;

/** The host's normal processing of the request, answering it itself unless `accept` says otherwise. */
export type Proceed = (accept: AcceptHook) => void;

/** Answers with a provider-faithful fault response on a raw stream (no-op if it already closed). */
export function writeFaultResponse(stream: ServerHttp2Stream, response: FaultResponse): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  const headers = { ':status': response.status, ...response.headers };
  if (response.body === '') {
    stream.respond(headers, { endStream: true });
    return;
  }
  stream.respond(headers);
  stream.end(response.body);
}

/** The accept hook for a request no fault took over: record, and let the host answer. */
export function recordingAccept(engine: FaultHost, info: FaultRequestInfo): AcceptHook {
  return (deliveryId, body) => {
    engine.ledger.record({
      provider: info.provider,
      token: info.token ?? '',
      deliveryId,
      notificationId: info.notificationId,
      body,
      attempt: (info.attemptForToken ?? engine.attemptFor(info)) || undefined,
      at: undefined,
    });
    return false;
  };
}

/**
 * Performs a decision on `stream`: the delay, then the action, or the host's normal path. The delay
 * runs from `arrivedAt` (performance.now() when the request arrived; default now) and never ends early.
 */
export function applyFaultDecision(engine: FaultHost, decision: FaultDecision, stream: ServerHttp2Stream, info: FaultRequestInfo, proceed: Proceed, arrivedAt?: number): void {
  const { pending } = decision;
  if (pending !== undefined) settleOnClose(stream, pending);
  const run = (): void => {
    // The client may have given up during the delay: nobody to answer.
    if (stream.destroyed || stream.closed) return;
    perform(engine, decision.action, stream, info, proceed, pending);
  };
  if (decision.delayMs > 0) after(stream, decision.delayMs, run, arrivedAt);
  else run();
}

/** Ends a pending injection's hold on its fault's `limit` when the request is over, however it ends. */
export function settleOnClose(stream: { readonly destroyed: boolean; once(event: 'close', listener: () => void): unknown }, pending: PendingInjection): void {
  if (stream.destroyed) pending.settled();
  else stream.once('close', () => pending.settled());
}

function perform(engine: FaultHost, action: FaultAction | undefined, stream: ServerHttp2Stream, info: FaultRequestInfo, proceed: Proceed, pending: PendingInjection | undefined): void {
  const accept = recordingAccept(engine, info);
  switch (action?.type) {
    case undefined:
      proceed(accept);
      return;
    case 'respond':
      engine.metrics.response(info.provider, action.response.status, action.response.reason, true);
      writeFaultResponse(stream, action.response);
      return;
    case 'reset':
      stream.close(action.code);
      return;
    case 'stall':
      // Blackhole: keep the stream open and silent until the client resets it or the connection ends.
      if (action.ms !== undefined) after(stream, action.ms, () => proceed(accept));
      return;
    case 'goaway': {
      const session = stream.session as Http2Session | undefined;
      if (session === undefined) return;
      const { code, debug } = action;
      if (action.refuse) {
        // last-stream-id below this stream: the client knows it was not processed (RFC 9113 §6.8).
        void sendGoaway(session, { code, debug, lastStreamId: Math.max(0, (stream.id ?? 1) - 2) });
        stream.close(constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      // Graceful (NO_ERROR): one GOAWAY naming the last stream processed; it and every earlier one complete.
      // Abrupt: last-stream-id = this stream; the connection is torn down right after.
      void sendGoaway(session, action.abrupt ? { code, debug, lastStreamId: stream.id ?? 0 } : { code, debug });
      // Abrupt: the stream is never processed — answering it would race the teardown, and a mock
      // answers synchronously. The client cannot tell either way (last-stream-id covers it).
      if (!action.abrupt) proceed(accept);
      return;
    }
    case 'reset-connection':
      resetSocket(stream.session?.socket as Socket | undefined);
      return;
    case 'accept-then-fail':
      // Only an accepted request is delivered and then failed: a rejection passes through uncounted.
      proceed((deliveryId, body) => {
        accept(deliveryId, body);
        pending?.delivered();
        failAfterAccept(engine, action.then, stream, info);
        return true;
      });
      return;
  }
}

function failAfterAccept(engine: FaultHost, then: AfterAccept, stream: ServerHttp2Stream, info: FaultRequestInfo): void {
  switch (then.type) {
    case 'respond':
      engine.metrics.response(info.provider, then.response.status, then.response.reason, true);
      writeFaultResponse(stream, then.response);
      return;
    case 'reset':
      stream.close(then.code);
      return;
    case 'stall':
      return;
  }
}

function after(stream: ServerHttp2Stream, ms: number, run: () => void, since?: number): void {
  const cancel = afterAtLeast(ms, run, since);
  stream.once('close', cancel);
}

/**
 * Puts the engine's connection faults in front of a server's own 'connection' listeners (the TLS
 * or HTTP/2 setup): a refused socket is reset, a slowed one is paused and handed on after the
 * delay, so its TLS handshake (or h2c preface) waits. Listeners added later are not intercepted.
 * Returns a function that restores the original listeners.
 */
export function interceptConnections(server: Server, engine: FaultHost): () => void {
  const original = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const handOn = (socket: Socket): void => {
    for (const listener of original) listener.call(server, socket);
  };
  const intercept = (socket: Socket): void => {
    const verdict = engine.onConnection(socket);
    if (verdict.type === 'refuse') {
      resetSocket(socket);
      return;
    }
    if (verdict.type === 'delay' && verdict.ms > 0) {
      socket.pause();
      const timer = setTimeout(() => !socket.destroyed && handOn(socket), verdict.ms);
      socket.once('close', () => clearTimeout(timer));
      return;
    }
    handOn(socket);
  };
  server.on('connection', intercept);
  return () => {
    server.off('connection', intercept);
    for (const listener of original) server.on('connection', listener);
  };
}
