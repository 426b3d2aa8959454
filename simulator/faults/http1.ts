/**
 * The per-request hook for HTTP/1.1, which the FCM and Web Push mocks also speak (protocols.md §4:
 * the web-push library uses HTTP/1.1). Same decisions as on HTTP/2 (hooks.ts), mapped to what
 * HTTP/1.1 can express:
 *
 *   respond / delay / stall / accept-then-fail   as on HTTP/2
 *   reset (RST_STREAM)                           the connection is dropped: HTTP/1.1 has no streams
 *   goaway, graceful                             answered with `Connection: close`, then closed
 *   goaway, refuse or abrupt                     the connection is dropped without an answer
 *   connection reset                             TCP RST, as on HTTP/2
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterAtLeast } from '../delay.js';
import type { Proceed } from './hooks.js';
import { recordingAccept, settleOnClose } from './hooks.js';
import { resetSocket } from '../sockets.js';
import type { AfterAccept, FaultAction, FaultHost, FaultRequestInfo, FaultResponse, PendingInjection } from './types.js';

/** The parts of node:http's request and response the hook uses. */
export type Http1Request = Pick<IncomingMessage, 'socket'>;
export type Http1Response = Pick<ServerResponse, 'writeHead' | 'end' | 'setHeader' | 'headersSent' | 'writableEnded' | 'destroyed' | 'once'>;

/** HTTP/1.1 counterpart of FaultEngine.handle: decide, then apply the decision on `res`, or just `proceed`. */
export function handleHttp1(engine: FaultHost, req: Http1Request, res: Http1Response, info: FaultRequestInfo, proceed: Proceed, arrivedAt?: number): void {
  const decision = engine.decide(info);
  if (decision === undefined) {
    proceed(recordingAccept(engine, info));
    return;
  }
  const { pending } = decision;
  if (pending !== undefined) settleOnClose(res, pending);
  const run = (): void => {
    if (!gone(res)) perform(engine, decision.action, req, res, info, proceed, pending);
  };
  if (decision.delayMs > 0) after(res, decision.delayMs, run, arrivedAt);
  else run();
}

function perform(engine: FaultHost, action: FaultAction | undefined, req: Http1Request, res: Http1Response, info: FaultRequestInfo, proceed: Proceed, pending: PendingInjection | undefined): void {
  const accept = recordingAccept(engine, info);
  switch (action?.type) {
    case undefined:
      proceed(accept);
      return;
    case 'respond':
      engine.metrics.response(info.provider, action.response.status, action.response.reason, true);
      write(res, action.response);
      return;
    case 'reset':
      drop(req);
      return;
    case 'stall':
      if (action.ms !== undefined) after(res, action.ms, () => proceed(accept));
      return;
    case 'goaway':
      if (action.refuse || action.abrupt) {
        drop(req);
        return;
      }
      // The HTTP/1.1 way to say "this connection ends after this answer" (RFC 9112 §9.6).
      res.setHeader('connection', 'close');
      proceed(accept);
      return;
    case 'reset-connection':
      resetSocket(req.socket as Socket);
      return;
    case 'accept-then-fail':
      proceed((deliveryId, body) => {
        accept(deliveryId, body);
        pending?.delivered();
        failAfterAccept(engine, action.then, req, res, info);
        return true;
      });
      return;
  }
}

function failAfterAccept(engine: FaultHost, then: AfterAccept, req: Http1Request, res: Http1Response, info: FaultRequestInfo): void {
  if (then.type === 'respond') {
    engine.metrics.response(info.provider, then.response.status, then.response.reason, true);
    write(res, then.response);
  } else if (then.type === 'reset') {
    drop(req);
  }
}

function write(res: Http1Response, response: FaultResponse): void {
  if (gone(res) || res.headersSent) return;
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

/** No answer at all: the client sees the connection close (ECONNRESET / socket hang up). */
function drop(req: Http1Request): void {
  req.socket.destroy();
}

function gone(res: Http1Response): boolean {
  return res.destroyed || res.writableEnded;
}

function after(res: Http1Response, ms: number, run: () => void, since?: number): void {
  const cancel = afterAtLeast(ms, run, since);
  res.once('close', cancel);
}
