/**
 * Where the mock APNs meets the fault framework and the delivery ledger (simulator/faults/hooks.ts
 * has the contract). Per `/3/device/` stream, once its body is read:
 *
 *   no engine:  process ─► accepted? ledger.record ─► 200
 *   engine:     engine.decide(probe) ─► none fires (the usual case): as without an engine, the
 *                                         ledger record carrying the engine's attempt number
 *                                     └► a fault fires: applyFaultDecision(copy of probe) ─► the fault
 *                                        answers, or ─► process ─► accepted? accept() ─► 200
 *                                                                    └ true: accept-then-fail answers
 *
 * `probe` is one object reused for every request (decide() keeps no reference to it), so a mock
 * whose faults are idle allocates nothing per request for them: under h2load, per-request objects
 * cost the mock more in garbage collection (400 streams in flight survive each scavenge) than the
 * fault checks themselves.
 *
 * So with no faults configured the only extra work is one ledger record per acceptance.
 */
import type { IncomingHttpHeaders } from 'node:http2';
import type { AcceptHook } from '../faults/hooks.js';
import type { FaultRequestInfo } from '../faults/types.js';
import type { DeliveryLedger } from '../ledger/ledger.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const probe: Mutable<FaultRequestInfo> = { provider: 'apns' };

/**
 * What faults can target in an APNs request (protocols.md §1.2); the topic is the `per: project` key.
 * Returns the shared probe object, valid until the next call: copy it (`{ ...info }`) to keep it.
 */
export function apnsFaultInfo(headers: IncomingHttpHeaders, token: string, connectionId: number | undefined, defaultTopic: string | undefined): FaultRequestInfo {
  const topic = headerString(headers['apns-topic']) ?? defaultTopic;
  probe.token = token;
  probe.topic = topic;
  probe.pushType = headerString(headers['apns-push-type']);
  probe.priority = headerString(headers['apns-priority']);
  probe.project = topic;
  probe.notificationId = headerString(headers['apns-id']);
  probe.connectionId = connectionId;
  return probe;
}

/**
 * What runs when the mock accepts a notification (responses.ts sendVerdict): the engine's accept
 * hook when a fault engine handles the stream, otherwise a plain ledger record. Identity for
 * duplicates: the request's apns-id only (FaultRequestInfo.notificationId on the engine path). The
 * body is not an identity here: APNs has a client id for that, and tools without one (h2load)
 * repeat one payload per token without meaning duplicates (ledger.ts).
 */
export function onAccepted(ledger: DeliveryLedger, accept: AcceptHook | undefined, token: string, headers: IncomingHttpHeaders, attempt?: number): (apnsId: string) => boolean {
  if (accept !== undefined) return (apnsId) => accept(apnsId);
  return (apnsId) => {
    recordAccepted(ledger, token, headers, attempt, apnsId);
    return false;
  };
}

/**
 * The ledger record of an acceptance no fault's accept hook handles; device-stream.ts makes it
 * directly, without an onAccepted callback, when it sends the 200 at once (no latency).
 */
export function recordAccepted(ledger: DeliveryLedger, token: string, headers: IncomingHttpHeaders, attempt: number | undefined, apnsId: string): void {
  ledger.record({ provider: 'apns', token, deliveryId: apnsId, notificationId: headerString(headers['apns-id']), attempt });
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
