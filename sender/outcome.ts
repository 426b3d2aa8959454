/**
 * Every notification ends in exactly one final state (after Pushy's accepted / rejected / failed
 * split, plus the two states an open-model load generator needs):
 *
 *  - accepted  the provider took it (APNs 200, FCM 200, Web Push 201)
 *  - rejected  the provider answered no, with a reason from core/reasons.ts
 *  - failed    no answer could be had (connection, reset, GOAWAY, timeout) after any retries
 *  - expired   its deadline (apns-expiration / TTL) passed before it could be sent
 *  - dropped   pushsim itself gave it up: shed it (queue full), or cut it when the run stopped
 *              (`shutdown`: on the wire when cut; `shutdown-queued`: it never left pushsim)
 *
 * Invariant kept by the runner and checked in reports: scheduled = accepted + rejected + failed + expired + dropped.
 */
import type { Provider, RetryClass } from '../core/reasons.js';
import type { ErrorCode } from '../core/errors.js';
import type { TransportResult } from './transport.js';

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

/**
 * Why pushsim gave a notification up; a closed set, because it becomes a `byReason` key
 * (`pushsim:<cause>`: pushsim's doing, never the provider's).
 *  - queue-full       shed: more were waiting than `maxQueue` (or a rate cap would wait too long)
 *  - closed           sent to a sender already closed
 *  - shutdown         cut on the wire when the run stopped (the graceful stop ran out); it may
 *                     have been processed
 *  - shutdown-queued  still inside pushsim when the run stopped: never sent
 */
export type DropCause = 'queue-full' | 'closed' | 'shutdown' | 'shutdown-queued';

/** The drop cause of a transport result pushsim itself ended, or undefined when it is not one. */
export function dropCauseOf(result: TransportResult): DropCause | undefined {
  if (result.ok) return undefined;
  switch (result.kind) {
    case 'queue-full':
      return 'queue-full';
    case 'closed':
      return result.unprocessed ? 'closed' : undefined;
    case 'shutdown':
      return result.unprocessed ? 'shutdown-queued' : 'shutdown';
    default:
      return undefined;
  }
}

export interface Dropped extends OutcomeBase {
  readonly status: 'dropped';
  readonly cause: DropCause;
}

export type Outcome = Accepted | Rejected | Failed | Expired | Dropped;

/**
 * Key under which a rejection, failure or drop is counted in `result.byReason`: `<provider>:<reason>`
 * for what the provider (or the way to it) did, `pushsim:<cause>` for what pushsim itself did.
 */
export function reasonKey(outcome: Outcome): string | undefined {
  switch (outcome.status) {
    case 'rejected':
      return `${outcome.provider}:${outcome.reason}`;
    case 'failed':
      // pushsim's own input failing it (a recipients file changed under the run) is pushsim's, not the provider's.
      return `${outcome.code === 'PUSHSIM_ERR_INVALID_CONFIG' ? 'pushsim' : outcome.provider}:${outcome.code}`;
    case 'dropped':
      return `pushsim:${outcome.cause}`;
    default:
      return undefined;
  }
}
