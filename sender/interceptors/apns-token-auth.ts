/**
 * APNs provider-token authentication as an interceptor: adds `authorization: bearer <JWT>` to each
 * request on its way to the transport, re-signing when the token is due (ApnsTokenSigner keeps the
 * 20/60-minute rules, protocols.md §1.9).
 */
import type { ApnsTokenSigner } from '../auth/apns-token.js';
import type { Interceptor, TransportRequest } from '../transport.js';

export function apnsTokenAuth(signer: ApnsTokenSigner): Interceptor {
  return (next) => (request, context) => {
    const authorization = signer.authorization();
    if (typeof authorization === 'string') return next(withAuthorization(request, authorization), context);
    return authorization.then((value) => next(withAuthorization(request, value), context));
  };
}

function withAuthorization(request: TransportRequest, authorization: string): TransportRequest {
  return { ...request, headers: { ...request.headers, authorization } };
}
