/**
 * Reads `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. APNs, FCM and Web Push
 * services send it on 429 and 503 (protocols.md §2.5, §3.4).
 */
import type { IncomingHttpHeaders } from 'node:http2';

/** Milliseconds to wait, or undefined when absent or unparsable. Never negative. */
export function retryAfterMs(headers: IncomingHttpHeaders, now: number): number | undefined {
  const raw = headers['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
