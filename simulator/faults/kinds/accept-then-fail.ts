/**
 * `accept-then-fail`: the one failure other tools cannot inject. The provider processes the
 * notification and accepts it — the delivery ledger records it as delivered — and then the client
 * gets a failure anyway: a 503 (default; or any provider error), a stream reset (`code`, default
 * INTERNAL_ERROR), or no answer at all until the client gives up (`stall`). A sender that retries
 * then delivers the notification twice, and the ledger counts the duplicate. Rejections pass
 * through unchanged: nothing was delivered.
 *
 *   - kind: accept-then-fail
 *     then: error            # error | reset | stall
 *     apns: ServiceUnavailable
 *     firstNPerToken: 1
 */
import type { Problems } from '../check.js';
import { http2ErrorCode, optionalEnum, optionalNumber } from '../check.js';
import { providerError, validateProviderErrors } from '../responses.js';
import type { ProviderErrors } from '../responses.js';
import type { AfterAccept, FaultKind } from '../types.js';
import { pushAll } from '../../../core/arrays.js';

const thens = ['error', 'reset', 'stall'] as const;
type Then = (typeof thens)[number];

const unavailable: ProviderErrors = { apns: 'ServiceUnavailable', fcm: 'UNAVAILABLE', webpush: 503 };

export const acceptThenFailFault: FaultKind = {
  kind: 'accept-then-fail',
  description: 'let the provider accept (recorded as delivered), then answer 503 / reset / stall, so a retry duplicates',
  fields: ['then', 'apns', 'fcm', 'webpush', 'retryAfterSeconds', 'code'],
  validate(spec, at) {
    const problems: Problems = [];
    const then = optionalEnum(problems, spec, 'then', at, thens) ?? 'error';
    pushAll(problems, validateProviderErrors(spec, at, false));
    optionalNumber(problems, spec, 'retryAfterSeconds', at, 0, 86_400, true);
    if (spec['code'] !== undefined) {
      if (then !== 'reset') problems.push(`${at}.code applies only to then: reset`);
      http2ErrorCode(problems, spec, 'code', at, 'INTERNAL_ERROR');
    }
    return problems;
  },
  create(spec) {
    const then = (spec['then'] as Then | undefined) ?? 'error';
    const given = spec as ProviderErrors;
    const named = given.apns !== undefined || given.fcm !== undefined || given.webpush !== undefined;
    const errors = named ? given : unavailable;
    const retryAfter = spec['retryAfterSeconds'] as number | undefined;
    // A reset after processing: INTERNAL_ERROR by default, so the client cannot know it was delivered.
    const code = http2ErrorCode([], spec, 'code', '', 'INTERNAL_ERROR');
    return {
      onRequest(request) {
        let after: AfterAccept;
        if (then === 'reset') after = { type: 'reset', code };
        else if (then === 'stall') after = { type: 'stall' };
        else {
          const response = providerError(request.provider, errors, retryAfter, request.notificationId);
          if (response === undefined) return undefined;
          after = { type: 'respond', response };
        }
        return { type: 'accept-then-fail', then: after };
      },
    };
  },
};
