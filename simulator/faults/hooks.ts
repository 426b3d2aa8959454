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
 * Where a decision is carried out: a raw HTTP/2 stream here (`http2Target`), or a simulated stream
 * on a virtual clock (simulator/virtual/). What a fault does is decided once, in
 * `performFaultDecision`; a target only knows how to answer, reset, go away and wait.
 */
export interface FaultTarget {
  /** The client gave up or the connection ended: nobody to answer. */
  readonly gone: boolean;
  respond(response: FaultResponse): void;
  /** RST_STREAM with `code`. */
  reset(code: number): void;
  /** GOAWAY on this request's connection (FaultAction 'goaway': refuse, graceful or abrupt); false when there is no connection left to send it on. */
  goaway(action: Extract<FaultAction, { type: 'goaway' }>): boolean;
  /** TCP reset of the connection carrying this request. */
  resetConnection(): void;
  /** Runs `run` once `ms` have passed since `since` (the target's clock; default now), unless the request is over by then. */
  after(ms: number, run: () => void, since?: number): void;
  /** Calls `pending.settled()` when the request is over, however it ends. */
  settleWhenOver(pending: PendingInjection): void;
}

/**
 * Performs a decision on `stream`: the delay, then the action, or the host's normal path. The delay
 * runs from `arrivedAt` (performance.now() when the request arrived; default now) and never ends early.
 */
export function applyFaultDecision(engine: FaultHost, decision: FaultDecision, stream: ServerHttp2Stream, info: FaultRequestInfo, proceed: Proceed, arrivedAt?: number): void {
  performFaultDecision(engine, decision, http2Target(stream), info, proceed, arrivedAt);
}

/** Performs a decision on any target: the delay (from `arrivedAt`, the target's clock), then the action or the host's normal path. */
export function performFaultDecision(engine: FaultHost, decision: FaultDecision, target: FaultTarget, info: FaultRequestInfo, proceed: Proceed, arrivedAt?: number): void {
  const { pending } = decision;
  if (pending !== undefined) target.settleWhenOver(pending);
  const run = (): void => {
    // The client may have given up during the delay: nobody to answer.
    if (target.gone) return;
    perform(engine, decision.action, target, info, proceed, pending);
  };
  if (decision.delayMs > 0) target.after(decision.delayMs, run, arrivedAt);
  else run();
}

/** Ends a pending injection's hold on its fault's `limit` when the request is over, however it ends. */
export function settleOnClose(stream: { readonly destroyed: boolean; once(event: 'close', listener: () => void): unknown }, pending: PendingInjection): void {
  if (stream.destroyed) pending.settled();
  else stream.once('close', () => pending.settled());
}

/** A raw server stream as a FaultTarget (built only when a fault fired). */
function http2Target(stream: ServerHttp2Stream): FaultTarget {
  return {
    get gone() {
      return stream.destroyed || stream.closed;
    },
    respond: (response) => writeFaultResponse(stream, response),
    reset: (code) => stream.close(code),
    goaway(action) {
      const session = stream.session as Http2Session | undefined;
      if (session === undefined) return false;
      const { code, debug } = action;
      if (action.refuse) {
        // last-stream-id below this stream: the client knows it was not processed (RFC 9113 §6.8).
        void sendGoaway(session, { code, debug, lastStreamId: Math.max(0, (stream.id ?? 1) - 2) });
        stream.close(constants.NGHTTP2_REFUSED_STREAM);
        return true;
      }
      // Graceful (NO_ERROR): one GOAWAY naming the last stream processed; it and every earlier one complete.
      // Abrupt: last-stream-id = this stream; the connection is torn down right after.
      void sendGoaway(session, action.abrupt ? { code, debug, lastStreamId: stream.id ?? 0 } : { code, debug });
      return true;
    },
    resetConnection: () => resetSocket(stream.session?.socket as Socket | undefined),
    after: (ms, run, since) => after(stream, ms, run, since),
    settleWhenOver: (pending) => settleOnClose(stream, pending),
  };
}

function perform(engine: FaultHost, action: FaultAction | undefined, target: FaultTarget, info: FaultRequestInfo, proceed: Proceed, pending: PendingInjection | undefined): void {
  const accept = recordingAccept(engine, info);
  switch (action?.type) {
    case undefined:
      proceed(accept);
      return;
    case 'respond':
      engine.metrics.response(info.provider, action.response.status, action.response.reason, true);
      target.respond(action.response);
      return;
    case 'reset':
      target.reset(action.code);
      return;
    case 'stall':
      // Blackhole: keep the stream open and silent until the client resets it or the connection ends.
      if (action.ms !== undefined) target.after(action.ms, () => proceed(accept));
      return;
    case 'goaway':
      if (!target.goaway(action)) return;
      // Refused: not processed. Abrupt: the stream is never processed — answering it would race the
      // teardown, and a mock answers synchronously. The client cannot tell either way (last-stream-id covers it).
      if (!action.refuse && !action.abrupt) proceed(accept);
      return;
    case 'reset-connection':
      target.resetConnection();
      return;
    case 'accept-then-fail':
      // Only an accepted request is delivered and then failed: a rejection passes through uncounted.
      proceed((deliveryId, body) => {
        accept(deliveryId, body);
        pending?.delivered();
        failAfterAccept(engine, action.then, target, info);
        return true;
      });
      return;
  }
}

function failAfterAccept(engine: FaultHost, then: AfterAccept, target: FaultTarget, info: FaultRequestInfo): void {
  switch (then.type) {
    case 'respond':
      engine.metrics.response(info.provider, then.response.status, then.response.reason, true);
      target.respond(then.response);
      return;
    case 'reset':
      target.reset(then.code);
      return;
    case 'stall':
      return;
  }
}

/** Runs `run` after at least `ms` (from `since`), unless the stream or response closes first. */
export function after(stream: { once(event: 'close', listener: () => void): unknown }, ms: number, run: () => void, since?: number): void {
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
