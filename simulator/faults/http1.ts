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
import type { FaultTarget, Proceed } from './hooks.js';
import { after, performFaultDecision, recordingAccept, settleOnClose } from './hooks.js';
import { resetSocket } from '../sockets.js';
import type { FaultHost, FaultRequestInfo, FaultResponse } from './types.js';

/** The parts of node:http's request and response the hook uses. */
export type Http1Request = Pick<IncomingMessage, 'socket'>;
export type Http1Response = Pick<ServerResponse, 'writeHead' | 'end' | 'setHeader' | 'headersSent' | 'writableEnded' | 'destroyed' | 'once'>;

/** HTTP/1.1 counterpart of FaultEngine.handle: decide, then perform the decision on `res` (hooks.ts), or just `proceed`. */
export function handleHttp1(engine: FaultHost, req: Http1Request, res: Http1Response, info: FaultRequestInfo, proceed: Proceed, arrivedAt?: number): void {
  const decision = engine.decide(info);
  if (decision === undefined) {
    proceed(recordingAccept(engine, info));
    return;
  }
  performFaultDecision(engine, decision, http1Target(req, res), info, proceed, arrivedAt);
}

/** An HTTP/1.1 exchange as a FaultTarget (built only when a fault fired): what it cannot express is mapped as the header says. */
function http1Target(req: Http1Request, res: Http1Response): FaultTarget {
  return {
    get gone() {
      return gone(res);
    },
    respond: (response) => write(res, response),
    // No streams to reset: the connection goes.
    reset: () => drop(req),
    goaway(action) {
      if (action.refuse || action.abrupt) {
        drop(req);
        return true;
      }
      // The HTTP/1.1 way to say "this connection ends after this answer" (RFC 9112 §9.6).
      res.setHeader('connection', 'close');
      return true;
    },
    resetConnection: () => resetSocket(req.socket as Socket),
    after: (ms, run, since) => after(res, ms, run, since),
    settleWhenOver: (pending) => settleOnClose(res, pending),
  };
}

/** The response was cut or already ended: nothing more can be written. */
function gone(res: Http1Response): boolean {
  return res.destroyed || res.writableEnded;
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
