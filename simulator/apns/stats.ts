/**
 * Counters of the mock, read as a plain snapshot (after undici's PoolStats): cheap to bump on the
 * hot path, serialisable across a worker boundary.
 */
import type { ApnsReason } from '../../core/reasons.js';

export interface MockApnsStats {
  /**
   * HTTP/2 requests (streams) received. accepted + rejected ≤ requests; the difference is in flight
   * or was answered by an injected fault (those are counted in `MockApns.faults.metrics`).
   */
  readonly requests: number;
  readonly accepted: number;
  readonly rejected: number;
  /** Rejections per APNs reason. */
  readonly byReason: Partial<Record<ApnsReason, number>>;
  /** HTTP/2 connections (sessions) open now. */
  readonly connections: number;
}

export class MockApnsCounters {
  requests = 0;
  accepted = 0;
  rejected = 0;
  private readonly byReason = new Map<ApnsReason, number>();

  countRejection(reason: ApnsReason): void {
    this.rejected++;
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
  }

  snapshot(connections: number): MockApnsStats {
    return {
      requests: this.requests,
      accepted: this.accepted,
      rejected: this.rejected,
      byReason: Object.fromEntries(this.byReason) as Partial<Record<ApnsReason, number>>,
      connections,
    };
  }
}
