/**
 * `error`: answers a selected request with a provider error instead of the provider: an APNs reason
 * (status from core/reasons.ts), an FCM FcmError code, or a Web Push status. The fault applies only
 * to providers it names an error for. With `firstNPerToken` it fails the first attempts and lets
 * the retry through, to test a sender's retries.
 *
 *   - kind: error
 *     apns: InternalServerError
 *     fcm: INTERNAL
 *     webpush: 500
 *     firstNPerToken: 2
 */
import type { Problems } from '../check.js';
import { optionalNumber } from '../check.js';
import { providerError, validateProviderErrors } from '../responses.js';
import type { ProviderErrors } from '../responses.js';
import type { FaultKind } from '../types.js';

export const errorFault: FaultKind = {
  kind: 'error',
  description: 'answer with a provider error: an APNs reason, an FCM errorCode or a Web Push status',
  fields: ['apns', 'fcm', 'webpush', 'retryAfterSeconds'],
  validate(spec, at) {
    const problems: Problems = validateProviderErrors(spec, at, true);
    optionalNumber(problems, spec, 'retryAfterSeconds', at, 0, 86_400, true);
    return problems;
  },
  create(spec) {
    const errors = spec as ProviderErrors;
    const retryAfter = spec['retryAfterSeconds'] as number | undefined;
    return {
      onRequest(request) {
        const response = providerError(request.provider, errors, retryAfter, request.notificationId);
        return response && { type: 'respond', response };
      },
    };
  },
};
