/**
 * FCM OAuth2 authentication as an interceptor: adds `authorization: Bearer <access token>` (cached,
 * refreshed by GoogleAccessTokens, protocols.md §2.2). When FCM answers 401 UNAUTHENTICATED (the
 * `auth` retry class: the token was revoked or expired early), the token is dropped and the request
 * is sent once more with a fresh one. A token that cannot be had at all ends the request as a
 * `connect` failure carrying the CredentialError, without going on the wire.
 */
import { CredentialError, isPushSimError, type PushSimError } from '../../core/errors.js';
import type { GoogleAccessTokens } from '../auth/google-oauth.js';
import { fcmClassify } from '../providers/fcm.js';
import { withHeader } from '../transport.js';
import type { DispatchContext, Interceptor, TransportRequest, TransportResult } from '../transport.js';

export function fcmAuth(tokens: GoogleAccessTokens): Interceptor {
  return (next) => {
    // The header string is made once per access token, not once per request.
    let lastToken: string | undefined;
    let lastHeader = '';
    const send = (request: TransportRequest, context: DispatchContext, token: string): Promise<TransportResult> => {
      if (token !== lastToken) {
        lastToken = token;
        lastHeader = `Bearer ${token}`;
      }
      return next(withHeader(request, 'authorization', lastHeader), context);
    };
    const authorized = async (request: TransportRequest, context: DispatchContext): Promise<{ sent: TransportResult; token: string | undefined }> => {
      let token: string;
      try {
        const cached = tokens.token();
        token = typeof cached === 'string' ? cached : await cached;
      } catch (cause) {
        const error: PushSimError = isPushSimError(cause) ? cause : new CredentialError(`cannot get an access token: ${(cause as Error).message}`, { cause });
        return { sent: { ok: false, kind: 'connect', error, unprocessed: true }, token: undefined };
      }
      return { sent: await send(request, context, token), token };
    };
    const resendOnce = async (request: TransportRequest, context: DispatchContext, token: string): Promise<TransportResult> => {
      tokens.invalidate(token);
      return (await authorized(request, context)).sent;
    };
    const isAuthFailure = (sent: TransportResult): boolean => sent.ok && fcmClassify(sent) === 'auth';
    return (request, context) => {
      const cached = tokens.token();
      // A token being fetched (or failing to be): the general path.
      if (typeof cached !== 'string') {
        return authorized(request, context).then(({ sent, token }) => (token !== undefined && isAuthFailure(sent) ? resendOnce(request, context, token) : sent));
      }
      // The cached token: one `.then`, no async frame per request.
      return send(request, context, cached).then((sent) => (isAuthFailure(sent) ? resendOnce(request, context, cached) : sent));
    };
  };
}
