/**
 * Wires the APNs provider API into a fastify instance: one route (`/3/device/:token`, every method,
 * so a wrong method gets APNs' 405 rather than fastify's 404), a catch-all body parser, and
 * not-found / error handlers that answer in APNs framing (protocols.md §1.5-1.7).
 *
 * Every handler hijacks the reply and answers on the raw HTTP/2 stream (see responses.ts). The
 * cache-hit path is synchronous: validate, then answer now or after the latency timer.
 */
import type { Http2SecureServer, Http2Server, Http2ServerRequest, Http2ServerResponse, ServerHttp2Stream } from 'node:http2';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ApnsReason } from '../../core/reasons.js';
import type { LatencySampler } from '../distributions.js';
import { sendVerdict } from './responses.js';
import type { MockApnsCounters } from './stats.js';
import type { ApnsValidationContext, ApnsVerdict, RequestHeaders } from './validate.js';
import { responseApnsId, validateApnsRequest } from './validate.js';

export type ApnsFastify = FastifyInstance<Http2Server | Http2SecureServer, Http2ServerRequest, Http2ServerResponse>;

export interface ApnsRouteContext {
  readonly validation: ApnsValidationContext;
  readonly latency: LatencySampler | undefined;
  readonly sandbox: boolean;
  readonly counters: MockApnsCounters;
}

export const deviceRoute = '/3/device/:token';
/** Far above the 4-5 KB APNs limits, so the mock answers PayloadTooLarge itself, with full validation. */
export const bodyLimitBytes = 1024 * 1024;

const emptyBody = Buffer.alloc(0);

export function registerApnsRoutes(app: ApnsFastify, context: ApnsRouteContext): void {
  // Fastify would 415 a body whose content-type has no parser; APNs does not validate content-type (§1.2).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.all(deviceRoute, (request, reply) => {
    reply.hijack();
    handleDeviceRequest(request.raw, request.method, tokenOf(request.params), request.body as Buffer | undefined, context);
  });

  app.setNotFoundHandler((request, reply) => {
    reply.hijack();
    rejectEarly(request.raw, 'BadPath', context);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    reply.hijack();
    // A content-type fastify cannot even parse (e.g. "garbage"): APNs ignores it, so validate anyway.
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' && request.routeOptions.url === deviceRoute) {
      handleDeviceRequest(request.raw, request.method, tokenOf(request.params), undefined, context);
      return;
    }
    rejectEarly(request.raw, reasonForFastifyError(error), context);
  });
}

function reasonForFastifyError(error: FastifyError): ApnsReason {
  if (error.statusCode === 413) return 'PayloadTooLarge';
  // Only a method fastify does not know (e.g. FOO) falls through its 404 router to here; Pushy
  // checks the method before the path (protocols.md §5.1).
  if (error.code === 'FST_ERR_NOT_FOUND') return 'MethodNotAllowed';
  // Pushy: any other unexpected failure is a 500.
  return 'InternalServerError';
}

/** For fastify's `frameworkErrors` option: URL problems found while routing. */
export function answerFrameworkError(
  error: FastifyError,
  request: { readonly raw: unknown },
  reply: { hijack(): unknown },
  context: ApnsRouteContext,
): void {
  reply.hijack();
  const reason = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'BadDeviceToken' : 'BadPath';
  rejectEarly(request.raw as Http2ServerRequest, reason, context);
}

function tokenOf(params: unknown): string {
  return (params as { token: string }).token;
}

function handleDeviceRequest(
  raw: Http2ServerRequest,
  method: string,
  token: string,
  body: Buffer | undefined,
  context: ApnsRouteContext,
): void {
  // Fastify reads no body when a request has neither content-type nor content-length, which is
  // legal in HTTP/2 (node:http2 clients send neither by default): read it here.
  if (body === undefined && !raw.stream.endAfterHeaders) {
    const keep = Math.max(context.validation.maxPayloadBytes, context.validation.maxVoipPayloadBytes) + 1;
    void readBody(raw, keep).then((read) => decide(method, token, raw, read, context));
    return;
  }
  decide(method, token, raw, body ?? emptyBody, context);
}

function decide(method: string, token: string, raw: Http2ServerRequest, body: Buffer, context: ApnsRouteContext): void {
  let verdict: ApnsVerdict | Promise<ApnsVerdict>;
  try {
    verdict = validateApnsRequest(method, token, raw.headers as RequestHeaders, body, context.validation);
  } catch {
    // Pushy: an unexpected exception in the handler becomes 500 InternalServerError.
    verdict = internalError(raw.headers as RequestHeaders);
  }
  if (verdict instanceof Promise) {
    verdict.then(
      (settled) => answer(raw.stream, settled, context),
      () => answer(raw.stream, internalError(raw.headers as RequestHeaders), context),
    );
  } else {
    answer(raw.stream, verdict, context);
  }
}

function rejectEarly(raw: Http2ServerRequest, reason: ApnsReason, context: ApnsRouteContext): void {
  // Drain any unread body, so HTTP/2 flow control does not stall the client's upload.
  raw.resume();
  answer(raw.stream, { ok: false, reason, apnsId: responseApnsId(raw.headers as RequestHeaders) }, context);
}

function answer(stream: ServerHttp2Stream, verdict: ApnsVerdict, context: ApnsRouteContext): void {
  const delayMs = context.latency === undefined ? 0 : context.latency();
  if (delayMs > 0) setTimeout(sendVerdict, delayMs, stream, verdict, context.sandbox, context.counters);
  else sendVerdict(stream, verdict, context.sandbox, context.counters);
}

function internalError(headers: RequestHeaders): ApnsVerdict {
  return { ok: false, reason: 'InternalServerError', apnsId: responseApnsId(headers) };
}

/**
 * Reads the body, keeping at most `keepBytes` (enough to know it is too large) and draining the
 * rest. Settles on 'close' as well, so a stream reset by the client never leaves it pending.
 */
function readBody(raw: Http2ServerRequest, keepBytes: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    const finish = (): void => resolve(Buffer.concat(chunks, kept));
    raw.on('data', (chunk: Buffer) => {
      if (kept >= keepBytes) return;
      const part = chunk.length <= keepBytes - kept ? chunk : chunk.subarray(0, keepBytes - kept);
      chunks.push(part);
      kept += part.length;
    });
    raw.once('end', finish);
    raw.once('close', finish);
    raw.once('error', finish);
  });
}
