/**
 * What the fault proxy can tell about a request from its headers and body, per provider:
 *  - APNs  `POST /3/device/<token>`; apns-topic, apns-push-type, apns-priority, apns-id (protocols.md §1.2)
 *  - FCM   `POST /v1/projects/<project>/messages:send`; token / topic from the JSON `message` (§2.1, §2.3)
 *  - anything else is treated as Web Push: the subscription path is the token; Topic, Urgency (§3.1)
 * and where the provider's id for an accepted delivery is (APNs apns-id header, FCM `name`, Web Push Location).
 */
import type { IncomingHttpHeaders } from 'node:http2';
import type { FaultRequestInfo } from '../faults/types.js';

const apnsPath = /^\/3\/device\/([^/?]*)/;
const fcmPath = /^\/v1\/projects\/([^/]+)\/messages:send/;

export function requestInfo(headers: IncomingHttpHeaders, body: Buffer, connectionId: number | undefined): FaultRequestInfo {
  const path = headerString(headers[':path']) ?? '/';
  const apns = apnsPath.exec(path);
  if (apns) {
    const topic = headerString(headers['apns-topic']);
    return {
      provider: 'apns',
      token: apns[1],
      topic,
      pushType: headerString(headers['apns-push-type']),
      priority: headerString(headers['apns-priority']),
      project: topic,
      notificationId: headerString(headers['apns-id']),
      connectionId,
    };
  }
  const fcm = fcmPath.exec(path);
  if (fcm) {
    const message = fcmMessage(body);
    return {
      provider: 'fcm',
      token: message.token ?? message.fid ?? (message.topic === undefined ? undefined : `/topics/${message.topic}`),
      topic: message.topic,
      priority: message.priority,
      project: fcm[1],
      connectionId,
    };
  }
  return {
    provider: 'webpush',
    token: path,
    topic: headerString(headers['topic']),
    priority: headerString(headers['urgency']),
    connectionId,
  };
}

/** The provider's id for an accepted delivery, from the upstream's answer. */
export function deliveryId(provider: FaultRequestInfo['provider'], headers: IncomingHttpHeaders, body: Buffer): string | undefined {
  if (provider === 'apns') return headerString(headers['apns-id']);
  if (provider === 'webpush') return headerString(headers['location']);
  try {
    const name = (JSON.parse(body.toString('utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

function fcmMessage(body: Buffer): { token?: string; fid?: string; topic?: string; priority?: string } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { message?: { token?: unknown; fid?: unknown; topic?: unknown; android?: { priority?: unknown } } };
    const message = parsed.message ?? {};
    return {
      ...(typeof message.token === 'string' && { token: message.token }),
      ...(typeof message.fid === 'string' && { fid: message.fid }),
      ...(typeof message.topic === 'string' && { topic: message.topic }),
      ...(typeof message.android?.priority === 'string' && { priority: message.android.priority }),
    };
  } catch {
    return {};
  }
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
