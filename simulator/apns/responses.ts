/**
 * APNs response framing on a raw HTTP/2 stream (protocols.md §1.5, Pushy MockApnsServerHandler):
 *  - accepted: one HEADERS frame with END_STREAM: `:status 200`, `apns-id` (+ `apns-unique-id` in
 *    the sandbox), no body;
 *  - rejected: HEADERS (`:status`, `content-type: application/json`, `apns-id`) then DATA with
 *    END_STREAM: `{"reason":"…"}`, plus `"timestamp"` (ms) for 410.
 * Written on the stream directly rather than through fastify's reply, which would add
 * `; charset=utf-8` to the content type and send the 200 as HEADERS + empty DATA.
 */
import { randomUUID } from 'node:crypto';
import type { ServerHttp2Stream } from 'node:http2';
import { apnsReasons, type ApnsReason } from '../../core/reasons.js';
import type { FaultEngine } from '../faults/engine.js';
import type { MockApnsCounters } from './stats.js';
import type { ApnsVerdict } from './validate.js';

const reasonBodies = new Map<ApnsReason, string>(
  (Object.keys(apnsReasons) as ApnsReason[]).map((reason) => [reason, JSON.stringify({ reason })]),
);

/** respond()'s options for a 200: node copies them, so one object serves every response. */
const endStream = { endStream: true } as const;

/** What sendVerdict needs besides the verdict; the engine only when faults are configured (its /metrics). */
export interface VerdictOptions {
  readonly sandbox: boolean;
  readonly counters: MockApnsCounters;
  readonly engine: FaultEngine | undefined;
}

/**
 * Counts and sends a verdict. `onAccepted` runs for an acceptance before the 200 is written: it
 * records the delivery in the ledger, and returns true when a fault (accept-then-fail) has taken
 * over the answer. A delivery is recorded even when the client already gave up on the stream:
 * the provider accepted it all the same, as `counters.accepted` says.
 */
export function sendVerdict(stream: ServerHttp2Stream, verdict: ApnsVerdict, options: VerdictOptions, onAccepted?: (apnsId: string) => boolean): void {
  if (!countVerdict(verdict, options, onAccepted)) return;
  // The client reset the stream or the connection died while we validated or waited: nobody to answer.
  if (stream.destroyed || stream.closed) return;
  try {
    respond(stream, verdict, options.sandbox);
  } catch {
    // The session went away between the check above and the write (e.g. torn down mid-GOAWAY).
    // A mock must never crash on a client's misbehaviour: drop the stream instead.
    stream.destroy();
  }
}

/**
 * The bookkeeping of a verdict about to be sent (counters, ledger through `onAccepted`, fault
 * metrics), shared by the socket path and the simulated one (simulator/virtual/). False when a
 * fault (accept-then-fail) has taken over the answer: send nothing.
 */
export function countVerdict(verdict: ApnsVerdict, options: VerdictOptions, onAccepted?: (apnsId: string) => boolean): boolean {
  if (verdict.ok) {
    options.counters.accepted++;
    if (onAccepted !== undefined && onAccepted(verdict.apnsId)) return false;
  } else {
    options.counters.countRejection(verdict.reason);
  }
  options.engine?.metrics.response('apns', verdict.ok ? 200 : apnsReasons[verdict.reason].status, verdict.ok ? 'accepted' : verdict.reason, false);
  return true;
}

/** The JSON body of a rejection: `{"reason":…}`, plus `"timestamp"` for 410 (§1.5). */
export function rejectionBody(verdict: Extract<ApnsVerdict, { ok: false }>): string {
  return verdict.timestamp === undefined
    ? (reasonBodies.get(verdict.reason) ?? JSON.stringify({ reason: verdict.reason }))
    : JSON.stringify({ reason: verdict.reason, timestamp: verdict.timestamp });
}

function respond(stream: ServerHttp2Stream, verdict: ApnsVerdict, sandbox: boolean): void {
  if (verdict.ok) {
    const headers = sandbox
      ? { ':status': 200, 'apns-id': verdict.apnsId, 'apns-unique-id': randomUUID() }
      : { ':status': 200, 'apns-id': verdict.apnsId };
    stream.respond(headers, endStream);
    return;
  }
  const body = rejectionBody(verdict);
  stream.respond({ ':status': apnsReasons[verdict.reason].status, 'content-type': 'application/json', 'apns-id': verdict.apnsId });
  stream.end(body);
}
