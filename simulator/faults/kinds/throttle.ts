/**
 * `throttle`: a token bucket of `ratePerSecond` with room for `burst`, one bucket per mock, per
 * connection, per device token or per project. A selected request that finds the bucket empty gets
 * the provider's rate-limit answer: APNs 429 TooManyRequests, FCM 429 QUOTA_EXCEEDED
 * (RESOURCE_EXHAUSTED), Web Push 429 (protocols.md §1.7, §2.4, §3.4). FCM and Web Push get a
 * Retry-After computed from the refill time (§2.5; RFC 8030 SHOULD); APNs documents none, so it
 * gets one only when `retryAfterSeconds` is set (which then applies to every provider).
 *
 * FCM's published quotas for reference (§2.6): 600 000/min per project, 240/min per device.
 *
 *   - kind: throttle
 *     per: device
 *     ratePerSecond: 4
 *     burst: 4
 */
import type { Problems } from '../check.js';
import { optionalEnum, optionalNumber, requiredNumber } from '../check.js';
import { providerError } from '../responses.js';
import type { ProviderErrors } from '../responses.js';
import type { FaultKind, ResolvedRequest } from '../types.js';

const scopes = ['mock', 'connection', 'device', 'project'] as const;
type Scope = (typeof scopes)[number];

const rateLimited: ProviderErrors = { apns: 'TooManyRequests', fcm: 'QUOTA_EXCEEDED', webpush: 429 };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Per-device (or per-connection) buckets would grow with every token a long soak sends to: past this
 * many, a new key first drops the buckets that have refilled. A full bucket is exactly what a new key
 * starts with, so nothing changes but memory; the next sweep waits until the map has doubled, so
 * sweeping stays amortised O(1) even when no bucket is full.
 */
const sweepAt = 10_000;

function dropFull(buckets: Map<string, Bucket>, now: number, rate: number, burst: number): void {
  for (const [key, bucket] of buckets) if (bucket.tokens + (Math.max(0, now - bucket.updatedAt) * rate) / 1000 >= burst) buckets.delete(key);
}

function keyOf(scope: Scope, request: ResolvedRequest): string {
  switch (scope) {
    case 'mock':
      return '';
    case 'connection':
      return String(request.connectionId ?? 0);
    case 'device':
      return `${request.provider}:${request.token ?? ''}`;
    case 'project':
      return `${request.provider}:${request.project ?? request.topic ?? ''}`;
  }
}

export const throttleFault: FaultKind = {
  kind: 'throttle',
  description: 'token bucket per mock / connection / device / project → 429 TooManyRequests / QUOTA_EXCEEDED with Retry-After',
  fields: ['per', 'ratePerSecond', 'burst', 'retryAfterSeconds'],
  validate(spec, at) {
    const problems: Problems = [];
    optionalEnum(problems, spec, 'per', at, scopes);
    requiredNumber(problems, spec, 'ratePerSecond', at, 0);
    optionalNumber(problems, spec, 'burst', at, 1, Number.MAX_SAFE_INTEGER, true);
    optionalNumber(problems, spec, 'retryAfterSeconds', at, 0, 86_400, true);
    return problems;
  },
  create(spec) {
    const scope = (spec['per'] as Scope | undefined) ?? 'mock';
    const rate = spec['ratePerSecond'] as number;
    const burst = (spec['burst'] as number | undefined) ?? Math.max(1, Math.ceil(rate));
    const fixedRetryAfter = spec['retryAfterSeconds'] as number | undefined;
    const buckets = new Map<string, Bucket>();
    let sweepAbove = sweepAt;
    return {
      onRequest(request) {
        const key = keyOf(scope, request);
        let bucket = buckets.get(key);
        if (bucket === undefined) {
          if (buckets.size >= sweepAbove) {
            dropFull(buckets, request.now, rate, burst);
            sweepAbove = Math.max(sweepAt, 2 * buckets.size);
          }
          bucket = { tokens: burst, updatedAt: request.now };
          buckets.set(key, bucket);
        }
        bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, request.now - bucket.updatedAt) * rate) / 1000);
        bucket.updatedAt = request.now;
        if (bucket.tokens >= 1) {
          bucket.tokens -= 1;
          return undefined;
        }
        const refillSeconds = rate > 0 ? (1 - bucket.tokens) / rate : 60;
        const retryAfter = fixedRetryAfter ?? (request.provider === 'apns' ? undefined : Math.max(1, Math.ceil(refillSeconds)));
        const response = providerError(request.provider, rateLimited, retryAfter, request.notificationId);
        return response && { type: 'respond', response };
      },
      dispose: () => buckets.clear(),
    };
  },
};
