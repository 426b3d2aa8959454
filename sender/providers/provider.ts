/**
 * What the generic Sender needs to know about one provider (APNs, FCM, Web Push): how to check and
 * encode a notification, and how to read the provider's answer. Authentication is not here: it is
 * an interceptor (sender/interceptors/), so it can be refreshed and retried around the transport.
 */
import type { Provider, RetryClass } from '../../core/reasons.js';
import type { Outcome } from '../outcome.js';
import type { TransportRequest, TransportResult } from '../transport.js';

export interface ProviderAdapter<N> {
  readonly provider: Provider;
  /** Throws InvalidArgumentError for a notification that cannot be sent at all (a programming error). */
  check(notification: N): void;
  /** The recipient as outcomes and token feedback name it. */
  recipient(notification: N): string;
  /** The request, without authentication. */
  request(notification: N): TransportRequest;
  /** How to treat a response that is not a success; undefined for a success. */
  classify(result: TransportResult): RetryClass | undefined;
  /** The final outcome for the last result, after `attempts` requests went on the wire. */
  outcome(notification: N, result: TransportResult, attempts: number): Outcome;
}

/**
 * `parse` remembering its last body and answer: one rejection is classified by token auth, the
 * circuit breaker and retry in turn, then turned into an outcome — one JSON.parse of its body
 * instead of four. A response body is never changed once it arrived; the answer must not be either.
 */
export function parseLastBody<T>(parse: (body: Buffer) => T): (body: Buffer) => T {
  let lastBody: Buffer | undefined;
  let last: T;
  return (body) => {
    if (body !== lastBody) {
      last = parse(body);
      lastBody = body;
    }
    return last;
  };
}
