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
import type { DispatchContext, Dispatch, Interceptor, TransportRequest, TransportResult } from '../transport.js';

export function fcmAuth(tokens: GoogleAccessTokens): Interceptor {
  return (next) => async (request, context) => {
    const first = await authorized(tokens, next, request, context);
    if (!first.sent.ok || fcmClassify(first.sent) !== 'auth' || first.token === undefined) return first.sent;
    tokens.invalidate(first.token);
    return (await authorized(tokens, next, request, context)).sent;
  };
}

async function authorized(
  tokens: GoogleAccessTokens,
  next: Dispatch,
  request: TransportRequest,
  context: DispatchContext,
): Promise<{ sent: TransportResult; token: string | undefined }> {
  let token: string;
  try {
    const cached = tokens.token();
    token = typeof cached === 'string' ? cached : await cached;
  } catch (cause) {
    const error: PushSimError = isPushSimError(cause) ? cause : new CredentialError(`cannot get an access token: ${(cause as Error).message}`, { cause });
    return { sent: { ok: false, kind: 'connect', error, unprocessed: true }, token: undefined };
  }
  const sent = await next({ ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } }, context);
  return { sent, token };
}
