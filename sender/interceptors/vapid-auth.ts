/**
 * VAPID authentication as an interceptor: adds `authorization: vapid t=…, k=…` for the origin of
 * the request's absolute endpoint URL (the JWT's `aud`, RFC 8292 §2), from VapidSigner's per-origin
 * cache (protocols.md §3.2). A 401 (retry class `auth`: the service did not take the JWT) drops
 * that origin's JWT and sends once more with a fresh one; a 403 (invalid or not the subscription's
 * key) is a configuration problem and stands.
 */
import type { VapidSigner } from '../auth/vapid.js';
import { originOf } from '../http2/agent.js';
import { webPushClassify } from '../providers/webpush.js';
import { withHeader } from '../transport.js';
import type { Dispatch, Interceptor } from '../transport.js';

export function vapidAuth(signer: VapidSigner): Interceptor {
  return (next) => {
    const send: Dispatch = (request, context) => {
      const authorization = signer.authorization(originOf(request.path) ?? '');
      if (typeof authorization === 'string') return next(withHeader(request, 'authorization', authorization), context);
      return authorization.then((value) => next(withHeader(request, 'authorization', value), context));
    };
    return (request, context) =>
      send(request, context).then((result) => {
        if (webPushClassify(result) !== 'auth') return result;
        signer.invalidate(originOf(request.path) ?? '');
        return send(request, context);
      });
  };
}
