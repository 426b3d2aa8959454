/**
 * The APNs route, `/3/device/<token>`, served on the raw node:http2 'stream' event rather than
 * through fastify's compat (req, res) layer: the compat objects and fastify's per-request
 * lifecycle cost ~40 % of the throughput (performance-baselines.md), and the route needs the
 * HTTP/2 session anyway for its per-connection state (connection.ts). server.ts sends every other
 * path to fastify.
 *
 *   stream → read body (capped) → [fault engine hook, fault-hook.ts] → DuplicateHeaders? →
 *   validateApnsRequest (sync, or async on a provider token's first sight) → [latency] →
 *   accepted: ledger → APNs framing (responses.ts)
 *
 * The latency runs from the stream's arrival (or, when a fault fired, from when the fault let the
 * request through), and is never cut short by a timer firing early (../delay.ts).
 */
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { randomUUID } from 'node:crypto';
import { afterAtLeast } from '../delay.js';
import type { LatencySampler } from '../distributions.js';
import type { FaultEngine } from '../faults/engine.js';
import { applyFaultDecision } from '../faults/hooks.js';
import type { AcceptHook } from '../faults/hooks.js';
import type { DeliveryLedger } from '../ledger/ledger.js';
import type { ApnsConnection } from './connection.js';
import { apnsFaultInfo, onAccepted, recordAccepted } from './fault-hook.js';
import { sendVerdict, type VerdictOptions } from './responses.js';
import type { MockApnsCounters } from './stats.js';
import type { ApnsVerdict, RequestHeaders } from './validate.js';
import { findDuplicateHeader, responseApnsId, validateApnsRequest } from './validate.js';

export const devicePathPrefix = '/3/device/';

export interface DeviceStreamOptions {
  readonly counters: MockApnsCounters;
  readonly latency: LatencySampler | undefined;
  readonly sandbox: boolean;
  /** Body bytes kept: one more than the largest payload limit, enough to know a body is too large. */
  readonly keepBytes: number;
  /** Every accepted notification is recorded here (the engine's ledger when there is an engine). */
  readonly ledger: DeliveryLedger;
  /** Set only when faults are configured: then every /3/device/ stream goes through its hook. */
  readonly engine: FaultEngine | undefined;
}

const emptyBody = Buffer.alloc(0);
const ignore = (): void => {};

/** Handles one `/3/device/` stream of `connection` with full validation. */
export function serveDeviceStream(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[],
  connection: ApnsConnection,
  options: DeviceStreamOptions,
): void {
  stream.on('error', ignore);
  const arrivedAt = arrivalTime(options);
  if (stream.endAfterHeaders) {
    received(stream, headers, rawHeaders, emptyBody, connection, options, arrivedAt);
    return;
  }
  // Most bodies arrive in one DATA frame: keep the first chunk without an array.
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let kept = 0;
  stream.on('data', (chunk: Buffer) => {
    if (kept >= options.keepBytes) return; // drained, not kept: a huge body must not fill memory
    const part = chunk.length <= options.keepBytes - kept ? chunk : chunk.subarray(0, options.keepBytes - kept);
    kept += part.length;
    if (first === undefined) first = part;
    else (more ??= [first]).push(part);
  });
  stream.on('end', () => {
    const body = more !== undefined ? Buffer.concat(more, kept) : (first ?? emptyBody);
    received(stream, headers, rawHeaders, body, connection, options, arrivedAt);
  });
}

/** The whole request is in: through the fault engine's hook when there is one, then decide. */
function received(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[],
  body: Buffer,
  connection: ApnsConnection,
  options: DeviceStreamOptions,
  arrivedAt: number,
): void {
  const { engine } = options;
  const token = tokenOf(headers[':path']);
  if (engine === undefined) {
    decide(stream, headers, rawHeaders, body, token, connection, options, undefined, undefined, arrivedAt);
    return;
  }
  const probe = apnsFaultInfo(headers, token, engine.connectionId(stream.session), connection.context.defaultTopic);
  const decision = engine.decide(probe);
  if (decision === undefined) {
    decide(stream, headers, rawHeaders, body, token, connection, options, undefined, engine.lastAttempt || undefined, arrivedAt);
    return;
  }
  // A fault fired: its handling outlives this call, and the probe is reused by the next request.
  // The mock's own latency starts when the fault lets the request through: the delays add up.
  const info = { ...probe };
  applyFaultDecision(engine, decision, stream, info, (accept) => decide(stream, headers, rawHeaders, body, token, connection, options, accept, undefined, performance.now()), arrivedAt);
}

function decide(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  rawHeaders: readonly string[],
  body: Buffer,
  token: string,
  connection: ApnsConnection,
  options: DeviceStreamOptions,
  accept: AcceptHook | undefined,
  /** The engine's attempt number for a request no fault took (recorded with the delivery). */
  attempt: number | undefined,
  /** performance.now() the latency runs from. */
  since: number,
): void {
  const requestHeaders = headers as RequestHeaders;
  let verdict: ApnsVerdict | Promise<ApnsVerdict>;
  try {
    // APNs answers a repeated header with DuplicateHeaders (§1.2); node:http2 joins repeated values,
    // so this is decided from the raw list, before any value is read.
    verdict =
      findDuplicateHeader(rawHeaders) === undefined
        ? validateApnsRequest(String(headers[':method']), token, requestHeaders, body, connection.context)
        : { ok: false, reason: 'DuplicateHeaders', apnsId: responseApnsId(requestHeaders) };
  } catch {
    // Pushy (§5.1): an unexpected exception in the handler becomes 500 InternalServerError.
    verdict = internalError(requestHeaders);
  }
  if (verdict instanceof Promise) {
    verdict.then(
      (settled) => settle(stream, settled, options, accept, token, headers, attempt, since),
      () => answer(stream, internalError(requestHeaders), options, undefined, since),
    );
  } else {
    settle(stream, verdict, options, accept, token, headers, attempt, since);
  }
}

/** An acceptance is recorded (ledger, or the fault engine's accept hook) when it is sent. */
function settle(stream: ServerHttp2Stream, verdict: ApnsVerdict, options: DeviceStreamOptions, accept: AcceptHook | undefined, token: string, headers: IncomingHttpHeaders, attempt: number | undefined, since: number): void {
  if (!verdict.ok) answer(stream, verdict, options, undefined, since);
  // Sent now (no latency, no fault's accept hook): recorded now, without a callback to carry it.
  else if (accept === undefined && options.latency === undefined) {
    recordAccepted(options.ledger, token, headers, attempt, verdict.apnsId);
    sendVerdict(stream, verdict, options);
  } else answer(stream, verdict, options, onAccepted(options.ledger, accept, token, headers, attempt), since);
}

/**
 * Answers once the sampled latency has passed since `since` (the request's arrival), never
 * earlier. Exported for the fastify side (routes.ts).
 */
export function answer(
  stream: ServerHttp2Stream,
  verdict: ApnsVerdict,
  options: VerdictOptions & Pick<DeviceStreamOptions, 'latency'>,
  accepted?: (apnsId: string) => boolean,
  since: number = performance.now(),
): void {
  const delayMs = options.latency === undefined ? 0 : options.latency();
  if (delayMs > 0) afterAtLeast(delayMs, () => sendVerdict(stream, verdict, options, accepted), since);
  else sendVerdict(stream, verdict, options, accepted);
}

/**
 * The accept-all profile (Pushy's BenchmarkApnsServer, style-models.md lesson 9): drain the body,
 * answer 200 with the request's apns-id or a new one. No validation, so a benchmark measures the
 * client rather than the mock.
 */
export function acceptDeviceStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, options: DeviceStreamOptions): void {
  stream.on('error', ignore);
  const arrivedAt = arrivalTime(options);
  const token = tokenOf(headers[':path']);
  // No body is kept here: the ledger tells these notifications apart by their apns-id only.
  const respond = (accept: AcceptHook | undefined, attempt?: number, since = performance.now()): void => {
    const requested = headers['apns-id'];
    answer(stream, { ok: true, apnsId: typeof requested === 'string' ? requested : randomUUID() }, options, onAccepted(options.ledger, accept, token, headers, attempt), since);
  };
  const { engine } = options;
  const reply = (): void => {
    if (engine === undefined) {
      respond(undefined, undefined, arrivedAt);
      return;
    }
    const probe = apnsFaultInfo(headers, token, engine.connectionId(stream.session), undefined);
    const decision = engine.decide(probe);
    if (decision === undefined) respond(undefined, engine.lastAttempt || undefined, arrivedAt);
    else applyFaultDecision(engine, decision, stream, { ...probe }, (accept) => respond(accept), arrivedAt);
  };
  if (stream.endAfterHeaders) {
    reply();
    return;
  }
  stream.on('data', ignore);
  stream.on('end', reply);
}

/**
 * performance.now() at a stream's arrival, which only a sampled latency or a fault's delay runs
 * from: 0 without either, so an idle mock does not read the clock for nothing on every request.
 */
function arrivalTime(options: DeviceStreamOptions): number {
  return options.latency === undefined && options.engine === undefined ? 0 : performance.now();
}

/** `/3/device/<token>` → `<token>`; the query string, if any, stays part of it (→ BadDeviceToken). */
function tokenOf(path: string | undefined): string {
  return path === undefined ? '' : path.slice(devicePathPrefix.length);
}

function internalError(headers: RequestHeaders): ApnsVerdict {
  return { ok: false, reason: 'InternalServerError', apnsId: responseApnsId(headers) };
}
