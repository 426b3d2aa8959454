/**
 * The mock FCM's routes: Google's OAuth token endpoint (`POST /token`, simulator/oauth/issuer.ts)
 * and the HTTP v1 send endpoint (protocols.md §2.1), decided in this order:
 *
 *   bearer token missing / unknown / expired          → 401 UNAUTHENTICATED
 *   project in the URL ≠ the token's project          → 403 PERMISSION_DENIED
 *   body invalid (validate.ts)                        → 400 INVALID_ARGUMENT + BadRequest violations
 *   a scripted code queued for the target (faults)    → that code (Retry-After on 503/500)
 *   project quota exhausted                           → 429 QUOTA_EXCEEDED + Retry-After
 *   token unregistered                                → 404 UNREGISTERED
 *   token assigned to another project                 → 403 SENDER_ID_MISMATCH
 *   device quota exhausted                            → 429 QUOTA_EXCEEDED + Retry-After
 *   otherwise                                         → 200 {"name":"projects/{p}/messages/{id}"}
 *
 * `validate_only` runs every check but uses no quota and delivers nothing (§2.1). Works the same
 * over HTTP/2 and HTTP/1.1.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { FcmReason } from '../../core/reasons.js';
import type { FaultEngine } from '../faults/engine.js';
import type { AcceptHook } from '../faults/hooks.js';
import type { DeliveryLedger } from '../ledger/ledger.js';
import type { OAuthIssuer } from '../oauth/issuer.js';
import { requestInfo } from '../proxy/request-info.js';
import { bodyOf } from './body.js';
import type { DualFastify, DualReply, DualRequest } from './dual-protocol.js';
import { fcmErrorBody, fcmMessages, type FcmErrorExtras } from './errors.js';
import { ledgerAccept, sendAnswer, withFaults, type RawAnswer } from './fault-hook.js';
import type { QuotaLimiter } from './quota.js';
import type { FcmTokenRegistry, ScriptedFaults } from './registry.js';
import type { MockFcmCounters } from './stats.js';
import { validateSendBody, type SendValidationContext } from './validate.js';

export interface FcmRouteContext {
  readonly issuer: OAuthIssuer;
  readonly registry: FcmTokenRegistry;
  readonly faults: ScriptedFaults;
  readonly projectQuota: QuotaLimiter | undefined;
  readonly deviceQuota: QuotaLimiter | undefined;
  readonly validation: SendValidationContext;
  readonly retryAfterSeconds: number;
  readonly clock: Clock;
  readonly counters: MockFcmCounters;
  /** Every delivered message is recorded here (the engine's ledger when there is an engine). */
  readonly ledger: DeliveryLedger;
  /** Set only when faults are configured: then every send goes through its hook (fault-hook.ts). */
  readonly engine: FaultEngine | undefined;
}

export const sendRoute = '/v1/projects/:project/messages::send';
/** Far above FCM's 4 KB payload limit, so the mock answers INVALID_ARGUMENT itself with a violation. */
export const fcmBodyLimit = 64 * 1024;

const bearer = /^Bearer\s+(\S+)$/i;
const jsonType = 'application/json; charset=UTF-8';

export function registerFcmRoutes(app: DualFastify, context: FcmRouteContext): void {
  // Fastify would 415 a content-type it has no parser for; Google's front end reads the bytes anyway.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const token = async (request: DualRequest, reply: DualReply): Promise<DualReply> => {
    context.counters.tokenRequests++;
    const form = new URLSearchParams((await bodyOf(request, fcmBodyLimit)).toString('utf8'));
    const answer = await context.issuer.exchange(form);
    return reply.code(answer.status).header('content-type', jsonType).header('cache-control', 'no-store').send(JSON.stringify(answer.body));
  };
  const send = async (request: DualRequest, reply: DualReply): Promise<DualReply> => {
    context.counters.requests++;
    if (request.raw.httpVersion === '2.0') context.counters.http2Requests++;
    else context.counters.http1Requests++;
    const body = await bodyOf(request, fcmBodyLimit);
    const project = (request.params as { project: string }).project;
    const process = (accept: AcceptHook | undefined): RawAnswer | undefined => processSend(project, request.headers.authorization, body, context, accept);
    const { engine } = context;
    if (engine === undefined) return sendAnswer(reply, process(undefined) as RawAnswer);
    const info = requestInfo({ ':path': request.url }, body, undefined);
    return withFaults(engine, request, reply, info, process, internalAnswer);
  };
  app.post('/token', token);
  app.post(sendRoute, send);

  const notFound = (request: DualRequest, reply: DualReply): DualReply => {
    request.raw.resume();
    const body = { error: { code: 404, message: `The requested URL ${clip(request.url)} was not found (POST /v1/projects/{project}/messages:send or POST /token).`, status: 'NOT_FOUND' } };
    return reply.code(404).header('content-type', jsonType).send(JSON.stringify(body));
  };
  app.setNotFoundHandler(notFound);

  app.setErrorHandler((error: { statusCode?: number; code?: string }, request: DualRequest, reply: DualReply) => {
    // A content-type fastify cannot even parse ("garbage"): Google reads the bytes regardless.
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      if (request.routeOptions.url === sendRoute) return send(request, reply);
      if (request.routeOptions.url === '/token') return token(request, reply);
    }
    request.raw.resume();
    const tooLarge = error.statusCode === 413;
    if (request.url === '/token') {
      return reply.code(400).header('content-type', jsonType).send(JSON.stringify({ error: 'invalid_request', error_description: tooLarge ? 'Request too large' : 'Bad request' }));
    }
    // An unknown or lower-case method: fastify's FST_ERR_NOT_FOUND, the client's mistake, not a 500.
    if (error.statusCode === 404) return notFound(request, reply);
    const clientError = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500;
    const decision: Decision = tooLarge
      ? { code: 'INVALID_ARGUMENT', message: `Request payload size exceeds the limit: ${fcmBodyLimit} bytes.` }
      : clientError
        ? { code: 'INVALID_ARGUMENT', message: fcmMessages.INVALID_ARGUMENT }
        : { code: 'INTERNAL', message: fcmMessages.INTERNAL };
    context.counters.requests++;
    return answer(reply, decision, context);
  });
}

type Decision =
  | { readonly code: FcmReason; readonly message: string; readonly extras?: FcmErrorExtras; readonly retryAfterSeconds?: number }
  /** `target`: the token, `/topics/<topic>` or `condition:<condition>` delivered to; undefined for validate_only (nothing delivered). */
  | { readonly code: undefined; readonly name: string; readonly target: string | undefined };

/**
 * One send request decided, counted, recorded and rendered: the route's work once the body is in,
 * as a plain function the simulated mock (simulator/virtual/fcm.ts) calls too. `accept`: the fault
 * engine's hook (else a plain ledger record). Undefined when a fault (accept-then-fail) took the answer over.
 */
export function processSend(project: string, authorization: string | undefined, body: Buffer, context: FcmRouteContext, accept: AcceptHook | undefined): RawAnswer | undefined {
  const decision = decide(project, authorization, body, context);
  if (decision.code === undefined && decision.target !== undefined) {
    const takenOver = (accept ?? ledgerAccept(context.ledger, 'fcm', decision.target))(decision.name, body);
    if (takenOver) {
      context.counters.accepted++;
      return undefined;
    }
  }
  return render(decision, context);
}

/** The provider's 500 when processing a send throws. */
export const fcmInternalAnswer = (): RawAnswer => internalAnswer;

function decide(project: string, authorization: string | undefined, body: Buffer, context: FcmRouteContext): Decision {
  const match = typeof authorization === 'string' ? bearer.exec(authorization) : null;
  if (match === null) {
    return { code: 'UNAUTHENTICATED', message: 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.' };
  }
  const grant = context.issuer.check(match[1] as string);
  if (grant === 'unknown') return { code: 'UNAUTHENTICATED', message: fcmMessages.UNAUTHENTICATED };
  if (grant === 'expired') return { code: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials: the access token has expired.' };
  if (grant.projectId !== project) {
    return { code: 'PERMISSION_DENIED', message: `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${clip(project)}' (or it may not exist).` };
  }

  const verdict = validateSendBody(body, context.validation);
  if (!verdict.ok) return { code: 'INVALID_ARGUMENT', message: verdict.message, extras: { violations: verdict.violations } };
  const { target, validateOnly } = verdict;

  const scripted = context.faults.next(target.value);
  if (scripted !== undefined) {
    const retry = (scripted === 'UNAVAILABLE' || scripted === 'INTERNAL') && context.retryAfterSeconds > 0;
    return { code: scripted, message: fcmMessages[scripted], ...(retry && { retryAfterSeconds: context.retryAfterSeconds }), ...(scripted === 'QUOTA_EXCEEDED' && { retryAfterSeconds: 60 }) };
  }

  const now = context.clock.now();
  if (!validateOnly && context.projectQuota !== undefined) {
    const waitMs = context.projectQuota.take(project, now);
    if (waitMs > 0) return quotaExceeded(`projects/${project}`, 'Project message rate exceeded (messages per minute).', waitMs);
  }
  // A Firebase Installation ID is a device target like a token: 404 UNREGISTERED once it is gone
  // (firebase-admin then says messaging/installation-id-not-registered), quotas per device.
  if (target.kind === 'token' || target.kind === 'fid') {
    if (context.registry.isUnregistered(target.value)) return { code: 'UNREGISTERED', message: fcmMessages.UNREGISTERED };
    const owner = context.registry.projectOf(target.value);
    if (owner !== undefined && owner !== project) return { code: 'SENDER_ID_MISMATCH', message: fcmMessages.SENDER_ID_MISMATCH };
    if (!validateOnly && context.deviceQuota !== undefined) {
      const waitMs = context.deviceQuota.take(target.value, now);
      if (waitMs > 0) return quotaExceeded('device', 'Device message rate exceeded.', waitMs);
    }
  }
  const delivered = validateOnly ? undefined : target.kind === 'token' || target.kind === 'fid' ? target.value : target.kind === 'topic' ? `/topics/${target.value}` : `condition:${target.value}`;
  return { code: undefined, name: `projects/${project}/messages/${validateOnly ? 'fake_message_id' : messageId(now)}`, target: delivered };
}

function quotaExceeded(subject: string, description: string, waitMs: number): Decision {
  return { code: 'QUOTA_EXCEEDED', message: description, extras: { quota: { subject, description } }, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

function answer(reply: DualReply, decision: Decision, context: FcmRouteContext): DualReply {
  return sendAnswer(reply, render(decision, context));
}

/** Counts the decision and renders it in FCM's framing (and, with faults, for /metrics). */
function render(decision: Decision, context: FcmRouteContext): RawAnswer {
  if (decision.code === undefined) {
    context.counters.accepted++;
    context.engine?.metrics.response('fcm', 200, 'accepted', false);
    return { status: 200, headers: { 'content-type': jsonType }, body: JSON.stringify({ name: decision.name }) };
  }
  context.counters.countRejection(decision.code);
  const body = fcmErrorBody(decision.code, decision.message, decision.extras);
  context.engine?.metrics.response('fcm', body.error.code, decision.code, false);
  const headers: Record<string, string> = { 'content-type': jsonType };
  if (decision.retryAfterSeconds !== undefined) headers['retry-after'] = String(decision.retryAfterSeconds);
  return { status: body.error.code, headers, body: JSON.stringify(body) };
}

const internalAnswer: RawAnswer = {
  status: 500,
  headers: { 'content-type': jsonType },
  body: JSON.stringify(fcmErrorBody('INTERNAL', fcmMessages.INTERNAL)),
};

let sequence = 0;
/** Shaped like FCM's ids (`0:1500415314455276%31bd1c9631bd1c96`, format unconfirmed, protocols.md §7). */
function messageId(now: number): string {
  sequence = (sequence + 1) % 1000;
  return `0:${now}${String(sequence).padStart(3, '0')}%${randomBytes(8).toString('hex')}`;
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
