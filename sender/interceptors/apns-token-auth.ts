/**
 * APNs provider-token authentication as an interceptor: adds `authorization: bearer <JWT>` to each
 * request on its way to the transport, re-signing when the token is due (ApnsTokenSigner keeps the
 * 20/60-minute rules, protocols.md §1.9). On 403 ExpiredProviderToken (retry class `auth`) it
 * re-signs and sends once more — unless the last signature is younger than 20 minutes, where a new
 * one would only earn 429 TooManyProviderTokenUpdates; then the rejection stands.
 */
import type { RetryClass } from '../../core/reasons.js';
import type { ApnsTokenSigner } from '../auth/apns-token.js';
import { withHeader } from '../transport.js';
import type { DispatchContext, Interceptor, TransportRequest, TransportResult } from '../transport.js';

export interface ApnsTokenAuthOptions {
  /** The adapter's classification; when given, an `auth` rejection triggers one re-sign and resend. */
  readonly classify?: (result: TransportResult) => RetryClass | undefined;
  /** Called when a token was re-signed because the provider said it expired. */
  readonly onRefresh?: () => void;
}

export function apnsTokenAuth(signer: ApnsTokenSigner, options: ApnsTokenAuthOptions = {}): Interceptor {
  return (next) => {
    const send = (request: TransportRequest, context: DispatchContext): Promise<TransportResult> => {
      const authorization = signer.authorization();
      if (typeof authorization === 'string') return next(withHeader(request, 'authorization', authorization), context);
      return authorization.then((value) => next(withHeader(request, 'authorization', value), context));
    };
    const { classify } = options;
    if (classify === undefined) return send;
    const refreshAndResend = async (request: TransportRequest, context: DispatchContext, result: TransportResult): Promise<TransportResult> => {
      if (!(await signer.refresh())) return result;
      options.onRefresh?.();
      return send(request, context);
    };
    // A `.then` rather than an async frame: this runs once per notification.
    return (request, context) => send(request, context).then((result) => (classify(result) === 'auth' ? refreshAndResend(request, context, result) : result));
  };
}
