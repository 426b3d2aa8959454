/**
 * Where the mock APNs meets the fault framework and the delivery ledger (simulator/faults/hooks.ts
 * has the contract). Per `/3/device/` stream, once its body is read:
 *
 *   no engine:  process ─► accepted? ledger.record ─► 200
 *   engine:     engine.handle(stream, info) ─► a fault answers, or ─► process ─► accepted? accept() ─► 200
 *                                                                                 └ true: accept-then-fail answers
 *
 * So with no faults configured the only extra work is one ledger record per acceptance.
 */
import type { IncomingHttpHeaders } from 'node:http2';
import type { AcceptHook } from '../faults/hooks.js';
import type { FaultRequestInfo } from '../faults/types.js';
import type { DeliveryLedger } from '../ledger/ledger.js';

/** What faults can target in an APNs request (protocols.md §1.2); the topic is the `per: project` key. */
export function apnsFaultInfo(headers: IncomingHttpHeaders, token: string, connectionId: number | undefined, defaultTopic: string | undefined): FaultRequestInfo {
  const topic = headerString(headers['apns-topic']) ?? defaultTopic;
  return {
    provider: 'apns',
    token,
    topic,
    pushType: headerString(headers['apns-push-type']),
    priority: headerString(headers['apns-priority']),
    project: topic,
    notificationId: headerString(headers['apns-id']),
    connectionId,
  };
}

/**
 * What runs when the mock accepts a notification (responses.ts sendVerdict): the engine's accept
 * hook when a fault engine handles the stream, otherwise a plain ledger record. Identity for
 * duplicates: the request's apns-id only (FaultRequestInfo.notificationId on the engine path). The
 * body is not an identity here: APNs has a client id for that, and tools without one (h2load)
 * repeat one payload per token without meaning duplicates (ledger.ts).
 */
export function onAccepted(ledger: DeliveryLedger, accept: AcceptHook | undefined, token: string, headers: IncomingHttpHeaders): (apnsId: string) => boolean {
  if (accept !== undefined) return (apnsId) => accept(apnsId);
  return (apnsId) => {
    ledger.record({ provider: 'apns', token, deliveryId: apnsId, notificationId: headerString(headers['apns-id']) });
    return false;
  };
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
