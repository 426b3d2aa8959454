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
import type { MockApnsCounters } from './stats.js';
import type { ApnsVerdict } from './validate.js';

const reasonBodies = new Map<ApnsReason, string>(
  (Object.keys(apnsReasons) as ApnsReason[]).map((reason) => [reason, JSON.stringify({ reason })]),
);

export function sendVerdict(stream: ServerHttp2Stream, verdict: ApnsVerdict, sandbox: boolean, counters: MockApnsCounters): void {
  if (verdict.ok) counters.accepted++;
  else counters.countRejection(verdict.reason);
  // The client reset the stream or the connection died while we validated or waited: nobody to answer.
  if (stream.destroyed || stream.closed) return;
  try {
    respond(stream, verdict, sandbox);
  } catch {
    // The session went away between the check above and the write (e.g. torn down mid-GOAWAY).
    // A mock must never crash on a client's misbehaviour: drop the stream instead.
    stream.destroy();
  }
}

function respond(stream: ServerHttp2Stream, verdict: ApnsVerdict, sandbox: boolean): void {
  if (verdict.ok) {
    const headers = sandbox
      ? { ':status': 200, 'apns-id': verdict.apnsId, 'apns-unique-id': randomUUID() }
      : { ':status': 200, 'apns-id': verdict.apnsId };
    stream.respond(headers, { endStream: true });
    return;
  }
  const body =
    verdict.timestamp === undefined
      ? (reasonBodies.get(verdict.reason) ?? JSON.stringify({ reason: verdict.reason }))
      : JSON.stringify({ reason: verdict.reason, timestamp: verdict.timestamp });
  stream.respond({ ':status': apnsReasons[verdict.reason].status, 'content-type': 'application/json', 'apns-id': verdict.apnsId });
  stream.end(body);
}
