/**
 * `outage`: the provider is down. `unavailable` (default): APNs 503 ServiceUnavailable, FCM 503
 * UNAVAILABLE, Web Push 503. `shutdown`: APNs 503 Shutdown (FCM/Web Push as unavailable).
 * `internal`: APNs 500 InternalServerError, FCM 500 INTERNAL, Web Push 500 (protocols.md §1.7, §2.4).
 * Retry-After only when `retryAfterSeconds` is given: Apple documents none, FCM sends one at will.
 *
 *   - kind: outage
 *     phase: down
 *     mode: unavailable
 */
import type { Problems } from '../check.js';
import { optionalEnum, optionalNumber } from '../check.js';
import { providerError } from '../responses.js';
import type { ProviderErrors } from '../responses.js';
import type { FaultKind } from '../types.js';

const modes = ['unavailable', 'shutdown', 'internal'] as const;
type Mode = (typeof modes)[number];

const errorsByMode: Readonly<Record<Mode, ProviderErrors>> = {
  unavailable: { apns: 'ServiceUnavailable', fcm: 'UNAVAILABLE', webpush: 503 },
  shutdown: { apns: 'Shutdown', fcm: 'UNAVAILABLE', webpush: 503 },
  internal: { apns: 'InternalServerError', fcm: 'INTERNAL', webpush: 500 },
};

export const outageFault: FaultKind = {
  kind: 'outage',
  description: 'provider down: 503 ServiceUnavailable / Shutdown / UNAVAILABLE, or 500 InternalServerError / INTERNAL',
  fields: ['mode', 'retryAfterSeconds'],
  validate(spec, at) {
    const problems: Problems = [];
    optionalEnum(problems, spec, 'mode', at, modes);
    optionalNumber(problems, spec, 'retryAfterSeconds', at, 0, 86_400, true);
    return problems;
  },
  create(spec) {
    const errors = errorsByMode[(spec['mode'] as Mode | undefined) ?? 'unavailable'];
    const retryAfter = spec['retryAfterSeconds'] as number | undefined;
    return {
      onRequest(request) {
        const response = providerError(request.provider, errors, retryAfter, request.notificationId);
        return response && { type: 'respond', response };
      },
    };
  },
};
