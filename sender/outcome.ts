/**
 * Every notification ends in exactly one final state (after Pushy's accepted / rejected / failed
 * split, plus the two states an open-model load generator needs):
 *
 *  - accepted  the provider took it (APNs 200, FCM 200, Web Push 201)
 *  - rejected  the provider answered no, with a reason from core/reasons.ts
 *  - failed    no answer could be had (connection, reset, GOAWAY, timeout) after any retries
 *  - expired   its deadline (apns-expiration / TTL) passed before it could be sent
 *  - dropped   pushsim itself shed it (queue full, run stopped) — never sent
 *
 * Invariant kept by the runner and checked in reports: scheduled = accepted + rejected + failed + expired + dropped.
 */
import type { Provider, RetryClass } from '../core/reasons.js';
import type { ErrorCode } from '../core/errors.js';

export type OutcomeStatus = 'accepted' | 'rejected' | 'failed' | 'expired' | 'dropped';

export const outcomeStatuses: readonly OutcomeStatus[] = ['accepted', 'rejected', 'failed', 'expired', 'dropped'];

interface OutcomeBase {
  readonly provider: Provider;
  /** Device token (APNs), registration token (FCM) or subscription endpoint (Web Push). */
  readonly token: string;
  /** Requests put on the wire for this notification (0 when it never left). */
  readonly attempts: number;
  /** The fallback route that carried it, when not the primary. */
  readonly route?: string;
}

export interface Accepted extends OutcomeBase {
  readonly status: 'accepted';
  /** apns-id / FCM message name / Web Push Location. */
  readonly id: string | undefined;
}

export interface Rejected extends OutcomeBase {
  readonly status: 'rejected';
  readonly httpStatus: number;
  /** Provider reason string (`Unregistered`, `QUOTA_EXCEEDED`, …); `HTTP_<status>` when none was given. */
  readonly reason: string;
  readonly retryClass: RetryClass;
  /** APNs 410: when the token stopped being valid (epoch ms). */
  readonly timestamp?: number;
}

export interface Failed extends OutcomeBase {
  readonly status: 'failed';
  readonly code: ErrorCode;
  readonly message: string;
}

export interface Expired extends OutcomeBase {
  readonly status: 'expired';
}

/** Why pushsim shed a notification; a closed set, because it becomes a `byReason` key. */
export type DropCause = 'queue-full' | 'closed';

export interface Dropped extends OutcomeBase {
  readonly status: 'dropped';
  readonly cause: DropCause;
}

export type Outcome = Accepted | Rejected | Failed | Expired | Dropped;

/** Key under which a rejection or failure is counted in `result.byReason`: `<provider>:<reason>`. */
export function reasonKey(outcome: Outcome): string | undefined {
  switch (outcome.status) {
    case 'rejected':
      return `${outcome.provider}:${outcome.reason}`;
    case 'failed':
      return `${outcome.provider}:${outcome.code}`;
    case 'dropped':
      return `${outcome.provider}:${outcome.cause}`;
    default:
      return undefined;
  }
}
