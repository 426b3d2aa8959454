/**
 * Where the fastify mocks (FCM, Web Push) meet the fault framework and the delivery ledger. A route
 * describes its answer as data (`RawAnswer`) from a `process` function, so that it can go out
 * through fastify's reply when no engine is configured — the hot path unchanged but for one ledger
 * record per delivery — or be written on the raw request once the engine's hook has taken it:
 *
 *   no engine:  process(undefined) ─► reply.send
 *   engine:     reply.hijack() ─► HTTP/2: engine.handle(stream)  ┐ a fault answers, or
 *                                HTTP/1.1: handleHttp1(req, res) ┘ process(accept) ─► res.writeHead/end
 *
 * `process` calls `accept(deliveryId, body)` on a delivery before answering and returns undefined
 * when that says a fault (accept-then-fail) has taken over the answer.
 */
import type { FaultEngine } from '../faults/engine.js';
import type { AcceptHook } from '../faults/hooks.js';
import { handleHttp1 } from '../faults/http1.js';
import type { FaultRequestInfo } from '../faults/types.js';
import type { DeliveryLedger, LedgerProvider } from '../ledger/ledger.js';
import type { DualReply, DualRequest } from './dual-protocol.js';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** undefined: no body at all (Web Push's 201), as fastify's send() without a payload. */
  readonly body: string | undefined;
}

/** The answer of a route, or undefined when a fault took it over. */
export type Process = (accept: AcceptHook) => RawAnswer | undefined | Promise<RawAnswer | undefined>;

/** Records in the ledger; the accept hook of a mock without a fault engine. */
export function ledgerAccept(ledger: DeliveryLedger, provider: LedgerProvider, token: string): AcceptHook {
  return (deliveryId, body) => {
    ledger.record({ provider, token, deliveryId, body });
    return false;
  };
}

/** Sends a route's answer through fastify (the path without faults). */
export function sendAnswer(reply: DualReply, answer: RawAnswer): DualReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/**
 * Runs `process` behind the engine's per-request hook. `info` is what faults can target;
 * `failed` is the provider's 500 for a `process` that throws (fastify's error handler is out of the
 * loop once the request is hijacked).
 */
export function withFaults(engine: FaultEngine, request: DualRequest, reply: DualReply, info: FaultRequestInfo, process: Process, failed: RawAnswer): DualReply {
  void reply.hijack();
  const res = reply.raw;
  const proceed = (accept: AcceptHook): void => {
    Promise.resolve()
      .then(() => process(accept))
      .then(
        (answer) => answer !== undefined && write(res, answer),
        () => write(res, failed),
      );
  };
  const raw = request.raw;
  // Fault delays run from the request's arrival, which fastify timed (reply.elapsedTime, ms).
  const arrivedAt = performance.now() - reply.elapsedTime;
  if (raw.httpVersion === '2.0') engine.handle(raw.stream, { ...info, connectionId: engine.connectionId(raw.stream.session) }, proceed, arrivedAt);
  else handleHttp1(engine, raw as never, res as never, info, proceed, arrivedAt);
  return reply;
}

function write(res: DualReply['raw'], answer: RawAnswer): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.writeHead(answer.status, answer.headers);
  if (answer.body === undefined) res.end();
  else res.end(answer.body);
}
