/**
 * What fastify serves: every path outside `/3/device/` (device-stream.ts serves those on the raw
 * stream). For APNs these are all wrong paths, answered in APNs framing (§1.5-1.7) after the same
 * header checks as a push, in Pushy's order (§5.1): a bad apns-id or method wins over BadPath.
 * Later issues add their own routes (a control API) here, as fastify plugins.
 */
import type { Http2SecureServer, Http2Server, Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ApnsConnection } from './connection.js';
import { answer, type DeviceStreamOptions } from './device-stream.js';
import type { ApnsVerdict, RequestHeaders } from './validate.js';
import { findDuplicateHeader, responseApnsId, validateApnsRequest } from './validate.js';

export type ApnsFastify = FastifyInstance<Http2Server | Http2SecureServer, Http2ServerRequest, Http2ServerResponse>;

export interface OtherPathContext {
  readonly stream: Pick<DeviceStreamOptions, 'latency' | 'sandbox' | 'counters' | 'engine'>;
  readonly connectionOf: (raw: Http2ServerRequest) => ApnsConnection | undefined;
}

/** Far above the 4-5 KB APNs limits; a larger body on a wrong path is still answered BadPath. */
export const bodyLimitBytes = 1024 * 1024;

const emptyBody = Buffer.alloc(0);

export function registerApnsRoutes(app: ApnsFastify, context: OtherPathContext): void {
  // Fastify would 415 a body whose content-type has no parser; APNs does not validate content-type (§1.2).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setNotFoundHandler((request, reply) => {
    reply.hijack();
    rejectOtherPath(request.raw, context);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    reply.hijack();
    // A body fastify could not take (too large, unparsable content-type): APNs ignores the body
    // of a wrong path, so answer as for any other wrong path. Anything else is a bug: 500.
    if ((error.statusCode ?? 500) < 500) rejectOtherPath(request.raw, context);
    else answerRaw(request.raw, { ok: false, reason: 'InternalServerError', apnsId: responseApnsId(request.raw.headers as RequestHeaders) }, context);
  });
}

/** For fastify's `frameworkErrors` option: URL problems found while routing (e.g. a bad % escape). */
export function answerFrameworkError(request: { readonly raw: unknown }, reply: { hijack(): unknown }, context: OtherPathContext): void {
  reply.hijack();
  rejectOtherPath(request.raw as Http2ServerRequest, context);
}

function rejectOtherPath(raw: Http2ServerRequest, context: OtherPathContext): void {
  // Drain any unread body, so HTTP/2 flow control does not stall the client's upload.
  raw.resume();
  const headers = raw.headers as RequestHeaders;
  const connection = context.connectionOf(raw);
  let verdict: ApnsVerdict;
  if (findDuplicateHeader(raw.rawHeaders) !== undefined || connection === undefined) {
    verdict = { ok: false, reason: connection === undefined ? 'InternalServerError' : 'DuplicateHeaders', apnsId: responseApnsId(headers) };
  } else {
    // A null token always ends in a rejection at or before BadPath, synchronously.
    verdict = validateApnsRequest(raw.method, null, headers, emptyBody, connection.context) as ApnsVerdict;
  }
  answerRaw(raw, verdict, context);
}

function answerRaw(raw: Http2ServerRequest, verdict: ApnsVerdict, context: OtherPathContext): void {
  answer(raw.stream, verdict, context.stream);
}
