/**
 * `reset`: RST_STREAM with a chosen HTTP/2 error code before the request is processed. The default,
 * REFUSED_STREAM, tells the client the request was not processed and is safe to retry (RFC 9113
 * §8.7; Pushy re-sends on it, protocols.md §4). To reset *after* the provider accepted, use
 * accept-then-fail with `then: reset`.
 *
 *   - kind: reset
 *     code: REFUSED_STREAM
 */
import type { Problems } from '../check.js';
import { http2ErrorCode } from '../check.js';
import type { FaultKind } from '../types.js';

export const resetFault: FaultKind = {
  kind: 'reset',
  description: 'RST_STREAM with an HTTP/2 error code (default REFUSED_STREAM) before processing',
  fields: ['code'],
  validate(spec, at) {
    const problems: Problems = [];
    http2ErrorCode(problems, spec, 'code', at, 'REFUSED_STREAM');
    return problems;
  },
  create(spec) {
    const code = http2ErrorCode([], spec, 'code', '', 'REFUSED_STREAM');
    return { onRequest: () => ({ type: 'reset', code }) };
  },
};
