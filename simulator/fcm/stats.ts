/** Counters of the mock FCM server, read as a plain snapshot (cheap to bump, cloneable across a worker). */
import type { FcmReason } from '../../core/reasons.js';

export interface MockFcmStats {
  /** Send requests received (`messages:send`), over either protocol. accepted + rejected ≤ requests. */
  readonly requests: number;
  readonly accepted: number;
  readonly rejected: number;
  /** Rejections per FCM error code. */
  readonly byErrorCode: Partial<Record<FcmReason, number>>;
  /** Send requests per HTTP version. */
  readonly http2Requests: number;
  readonly http1Requests: number;
  /** OAuth token requests, and how many got an access token. */
  readonly tokenRequests: number;
  readonly tokensIssued: number;
  /** HTTP/2 sessions and HTTP/1.1 connections open now. */
  readonly connections: number;
}

export class MockFcmCounters {
  requests = 0;
  accepted = 0;
  rejected = 0;
  http2Requests = 0;
  http1Requests = 0;
  tokenRequests = 0;
  readonly #byErrorCode = new Map<FcmReason, number>();

  countRejection(code: FcmReason): void {
    this.rejected++;
    this.#byErrorCode.set(code, (this.#byErrorCode.get(code) ?? 0) + 1);
  }

  snapshot(connections: number, tokensIssued: number): MockFcmStats {
    return {
      requests: this.requests,
      accepted: this.accepted,
      rejected: this.rejected,
      byErrorCode: Object.fromEntries(this.#byErrorCode) as Partial<Record<FcmReason, number>>,
      http2Requests: this.http2Requests,
      http1Requests: this.http1Requests,
      tokenRequests: this.tokenRequests,
      tokensIssued,
      connections,
    };
  }
}
