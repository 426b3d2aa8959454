/**
 * How faults that count or meter the whole mock are divided between its workers, so that N workers
 * together behave as one mock (docs/mock-workers.md says what stays approximate):
 *   - `limit` L: worker i injects at most ⌊L/N⌋, plus one for the first L mod N workers (the sum is L);
 *   - `throttle` per mock or per project: each worker's bucket refills at rate/N with burst/N (at
 *     least 1), as the connections (and so the requests) are spread evenly by round-robin.
 *   - FCM's per-project quota L per window: worker i's window holds ⌊L/N⌋, plus one for the first
 *     L mod N workers (at least 1), as for `limit`.
 * Per-connection buckets need no division (a connection lives on one worker); per-device buckets,
 * `everyNth`, `firstNPerToken`, the attempt counts behind the dice, FCM's per-device quotas and Web
 * Push's per-subscription quota are kept per worker.
 */
import type { FaultSpec, FaultsDocument } from '../faults/spec.js';

/** Worker `index`'s part of a count `total` split over `count` workers: the parts add up to `total`. */
export function shareOfCount(total: number, index: number, count: number): number {
  return Math.floor(total / count) + (index < total % count ? 1 : 0);
}

export function shareOfFault(spec: FaultSpec, index: number, count: number): FaultSpec {
  let shared: Record<string, unknown> = { ...spec };
  if (typeof spec.limit === 'number') shared['limit'] = shareOfCount(spec.limit, index, count);
  const fields = spec as unknown as Record<string, unknown>;
  if (spec.kind === 'throttle' && (fields['per'] === undefined || fields['per'] === 'mock' || fields['per'] === 'project')) {
    const rate = fields['ratePerSecond'] as number;
    const burst = (fields['burst'] as number | undefined) ?? Math.max(1, Math.ceil(rate));
    shared = { ...shared, ratePerSecond: rate / count, burst: Math.max(1, Math.round(burst / count)) };
  }
  return shared as unknown as FaultSpec;
}

export function shareOfDocument(document: FaultsDocument | undefined, index: number, count: number): FaultsDocument | undefined {
  if (document?.faults === undefined) return document;
  return { ...document, faults: document.faults.map((fault) => shareOfFault(fault, index, count)) };
}
