/**
 * Tiny checkers for fault specs that *collect* problems (path: what is wrong) instead of throwing,
 * so a spec file with five mistakes is fixed in one pass (k6 `Validate() []error`, lesson 10).
 */
import { constants } from 'node:http2';

export type Problems = string[];
export type Spec = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Longer strings are quoted by their start only: a whole file given by mistake (a key, /etc/passwd) is not echoed back. */
const quotedChars = 40;

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return value.length <= quotedChars ? `'${value}'` : `a text of ${value.length} characters starting '${value.slice(0, 24).replace(/\s+/g, ' ')}…'`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

/** Optional number in [min, max]; pushes a problem and returns undefined when wrong. */
export function optionalNumber(problems: Problems, spec: Spec, field: string, at: string, min: number, max = Number.MAX_SAFE_INTEGER, integer = false): number | undefined {
  const value = spec[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const what = integer ? 'an integer' : 'a number';
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    problems.push(`${at}.${field} must be ${what} ${range}, got ${describe(value)}`);
    return undefined;
  }
  return value;
}

export function requiredNumber(problems: Problems, spec: Spec, field: string, at: string, min: number, max?: number, integer = false): number | undefined {
  if (spec[field] === undefined) {
    problems.push(`${at}.${field} is required`);
    return undefined;
  }
  return optionalNumber(problems, spec, field, at, min, max, integer);
}

export function optionalEnum<T extends string>(problems: Problems, spec: Spec, field: string, at: string, allowed: readonly T[]): T | undefined {
  const value = spec[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    problems.push(`${at}.${field} must be one of ${allowed.join(', ')}, got ${describe(value)}`);
    return undefined;
  }
  return value as T;
}

export function optionalString(problems: Problems, spec: Spec, field: string, at: string): string | undefined {
  const value = spec[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    problems.push(`${at}.${field} must be a string, got ${describe(value)}`);
    return undefined;
  }
  return value;
}

/** HTTP/2 error code names (RFC 9113 §7) without the NGHTTP2_ prefix → numeric code. */
export const http2ErrorCodes: Readonly<Record<string, number>> = Object.fromEntries(
  [
    'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED',
    'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM',
    'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
  ].map((name, code) => [name, code]),
);

export function http2ErrorCode(problems: Problems, spec: Spec, field: string, at: string, fallback: string): number {
  const value = spec[field] ?? fallback;
  const code = typeof value === 'string' ? http2ErrorCodes[value] : undefined;
  if (code === undefined) {
    problems.push(`${at}.${field} must be an HTTP/2 error code name (${Object.keys(http2ErrorCodes).join(', ')}), got ${describe(value)}`);
    return constants.NGHTTP2_INTERNAL_ERROR;
  }
  return code;
}
