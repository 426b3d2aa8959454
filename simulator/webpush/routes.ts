/**
 * The push service route `POST /push/{subscription}` (RFC 8030 §5, protocols.md §3), decided in
 * this order:
 *
 *   unknown or expired subscription                 → goneStatus (404 or 410)
 *   TTL / Urgency / Topic headers (validate.ts)     → 400
 *   VAPID (vapid-verifier.ts)                       → 401 absent, 403 invalid
 *   k ≠ the subscription's applicationServerKey     → 403 (RFC 8292 §4.2)
 *   body size / aes128gcm framing (validate.ts)     → 413 / 400
 *   a scripted status queued for it (faults)        → that status (+ Retry-After on 429/503)
 *   subscription quota                              → 429 + Retry-After
 *   otherwise                                       → 201, Location, TTL (decrypted and kept)
 *
 * Error bodies are JSON `{code, error, message, reason}`, the reason named as in core/reasons.ts.
 */
import { webPushReasonFor, webPushReasons } from '../../core/reasons.js';
import type { Clock } from '../../core/clock.js';
import type { FaultEngine } from '../faults/engine.js';
import type { AcceptHook } from '../faults/hooks.js';
import { bodyOf } from '../fcm/body.js';
import { ledgerAccept, sendAnswer, withFaults, type RawAnswer } from '../fcm/fault-hook.js';
import type { DeliveryLedger } from '../ledger/ledger.js';
import { requestInfo } from '../proxy/request-info.js';
import type { DualFastify, DualReply, DualRequest } from '../fcm/dual-protocol.js';
import type { QuotaLimiter } from '../fcm/quota.js';
import type { SubscriptionStore } from './subscriptions.js';
import { checkPushBody, checkPushHeaders, maxBodyBytes } from './validate.js';
import type { VapidVerifier } from './vapid-verifier.js';

export interface MockWebPushStats {
  readonly requests: number;
  readonly created: number;
  readonly rejected: number;
  /** Rejections per status. */
  readonly byStatus: Readonly<Record<number, number>>;
  /** Messages whose payload failed to decrypt (answered 201 all the same, as a real service cannot tell). */
  readonly decryptFailures: number;
  readonly http2Requests: number;
  readonly http1Requests: number;
  readonly connections: number;
}

export class MockWebPushCounters {
  requests = 0;
  created = 0;
  rejected = 0;
  decryptFailures = 0;
  http2Requests = 0;
  http1Requests = 0;
  readonly byStatus = new Map<number, number>();
  snapshot(connections: number): MockWebPushStats {
    const { requests, created, rejected, decryptFailures, http2Requests, http1Requests } = this;
    return { requests, created, rejected, decryptFailures, http2Requests, http1Requests, byStatus: Object.fromEntries(this.byStatus), connections };
  }
}

export interface WebPushRouteContext {
  readonly origin: () => string;
  readonly store: SubscriptionStore;
  readonly verifier: VapidVerifier;
  readonly faults: { next(target: string): number | undefined };
  readonly quota: QuotaLimiter | undefined;
  readonly goneStatus: 404 | 410;
  readonly retryAfterSeconds: number;
  readonly maxTtlSeconds: number;
  readonly decrypt: boolean;
  readonly clock: Clock;
  readonly counters: MockWebPushCounters;
  /** Every message created is recorded here (the engine's ledger when there is an engine). */
  readonly ledger: DeliveryLedger;
  /** Set only when faults are configured: then every push goes through its hook (fcm/fault-hook.ts). */
  readonly engine: FaultEngine | undefined;
}

type Verdict = { readonly status: number; readonly message: string; readonly retryAfterSeconds?: number };

export function registerWebPushRoutes(app: DualFastify, context: WebPushRouteContext): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const push = async (request: DualRequest, reply: DualReply): Promise<DualReply> => {
    const { counters } = context;
    counters.requests++;
    if (request.raw.httpVersion === '2.0') counters.http2Requests++;
    else counters.http1Requests++;
    const body = await bodyOf(request, maxBodyBytes + 1);
    const id = (request.params as { subscription: string }).subscription;
    const process = async (accept: AcceptHook | undefined): Promise<RawAnswer | undefined> => processPush(id, request.headers, body, context, accept);
    const { engine } = context;
    if (engine === undefined) return sendAnswer(reply, (await process(undefined)) as RawAnswer);
    const info = requestInfo({ ...request.headers, ':path': request.url }, body, undefined);
    return withFaults(engine, request, reply, info, process, internalAnswer);
  };
  app.post('/push/:subscription', push);

  app.setNotFoundHandler((request, reply) => {
    request.raw.resume();
    context.counters.requests++;
    return reject(reply, { status: 404, message: `no push resource at ${request.method} ${request.url.slice(0, 100)}` }, context);
  });

  app.setErrorHandler((error: { statusCode?: number; code?: string }, request: DualRequest, reply: DualReply) => {
    // A content-type fastify cannot parse: push services ignore Content-Type, so answer as usual.
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' && request.routeOptions.url === '/push/:subscription') return push(request, reply);
    request.raw.resume();
    context.counters.requests++;
    const tooLarge = error.statusCode === 413;
    // Fastify's own 4xx (an unknown or lower-case method is FST_ERR_NOT_FOUND, 404) are the client's: never a 500.
    const clientError = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500;
    const verdict: Verdict = tooLarge
      ? { status: 413, message: `the body is over ${maxBodyBytes} bytes` }
      : clientError
        ? { status: error.statusCode === 404 ? 404 : 400, message: error.statusCode === 404 ? `no push resource at ${request.method} ${request.url.slice(0, 100)}` : 'bad request' }
        : { status: 500, message: 'internal error' };
    return reject(reply, verdict, context);
  });
}

/** Request headers as the route reads them (lower-case names). */
type PushHeaders = DualRequest['headers'];

/**
 * One push decided, counted, recorded and rendered: the route's work once the body is in, as a plain
 * function the simulated mock (simulator/virtual/webpush.ts) calls too. Synchronous when the VAPID
 * verdict is (a cached JWT, or a verifier made `synchronous`). Undefined when a fault (accept-then-fail) took the answer over.
 */
export function processPush(id: string, headers: PushHeaders, body: Buffer, context: WebPushRouteContext, accept: AcceptHook | undefined): RawAnswer | undefined | Promise<RawAnswer | undefined> {
  const result = decide(id, headers, body, context);
  return result instanceof Promise ? result.then((settled) => render(id, settled, body, context, accept)) : render(id, result, body, context, accept);
}

/** The provider's 500 when processing a push throws. */
export const webPushInternalAnswer = (): RawAnswer => internalAnswer;

function render(id: string, result: Verdict | { id: string; ttl: number }, body: Buffer, context: WebPushRouteContext, accept: AcceptHook | undefined): RawAnswer | undefined {
  if ('status' in result) return rejection(result, context);
  context.counters.created++;
  const location = `${context.origin()}/message/${result.id}`;
  if ((accept ?? ledgerAccept(context.ledger, 'webpush', `/push/${id}`))(location, body)) return undefined;
  context.engine?.metrics.response('webpush', 201, 'created', false);
  return { status: 201, headers: { location, ttl: String(result.ttl) }, body: undefined };
}

type Decided = Verdict | { id: string; ttl: number };

function decide(id: string, requestHeaders: PushHeaders, body: Buffer, context: WebPushRouteContext): Decided | Promise<Decided> {
  const subscription = context.store.byId(id);
  if (subscription === undefined || subscription.expired) {
    return { status: context.goneStatus, message: subscription === undefined ? 'no such subscription' : 'the subscription has expired' };
  }
  const headers = checkPushHeaders(requestHeaders);
  if (!headers.ok) return headers;
  const auth = context.verifier.check(requestHeaders.authorization);
  return auth instanceof Promise ? auth.then((settled) => afterAuth(id, subscription, headers, settled, requestHeaders, body, context)) : afterAuth(id, subscription, headers, auth, requestHeaders, body, context);
}

function afterAuth(
  id: string,
  subscription: NonNullable<ReturnType<SubscriptionStore['byId']>>,
  headers: Extract<ReturnType<typeof checkPushHeaders>, { ok: true }>,
  auth: Awaited<ReturnType<VapidVerifier['check']>>,
  requestHeaders: PushHeaders,
  body: Buffer,
  context: WebPushRouteContext,
): Decided {
  if (!auth.ok) return auth;
  if (subscription.applicationServerKey !== null && auth.key !== subscription.applicationServerKey) {
    return { status: 403, message: 'the VAPID key (k) is not the applicationServerKey this subscription was created with' };
  }
  const framing = checkPushBody(requestHeaders['content-encoding'], body);
  if (!framing.ok) return framing;

  const scripted = context.faults.next(id);
  if (scripted !== undefined) {
    const retry = (scripted === 429 || scripted === 503) && context.retryAfterSeconds > 0;
    return { status: scripted, message: 'scripted answer', ...(retry && { retryAfterSeconds: context.retryAfterSeconds }) };
  }
  const now = context.clock.now();
  const waitMs = context.quota?.take(id, now) ?? 0;
  if (waitMs > 0) return { status: 429, message: 'too many messages for this subscription', retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };

  const ttl = Math.min(headers.ttl, context.maxTtlSeconds);
  const received = context.store.receive(subscription, { ttl, urgency: headers.urgency, topic: headers.topic, receivedAt: now }, body, context.decrypt);
  if (received.decryptError !== undefined) context.counters.decryptFailures++;
  return { id: received.id, ttl };
}

function reject(reply: DualReply, verdict: Verdict, context: WebPushRouteContext): DualReply {
  return sendAnswer(reply, rejection(verdict, context));
}

/** Counts a rejection and renders it (and, with faults, counts it for /metrics). */
function rejection(verdict: Verdict, context: WebPushRouteContext): RawAnswer {
  const { counters } = context;
  counters.rejected++;
  counters.byStatus.set(verdict.status, (counters.byStatus.get(verdict.status) ?? 0) + 1);
  const reason = webPushReasonFor(verdict.status);
  context.engine?.metrics.response('webpush', verdict.status, reason ?? `HTTP_${verdict.status}`, false);
  const error = reason === undefined ? `HTTP ${verdict.status}` : webPushReasons[reason].meaning;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (verdict.retryAfterSeconds !== undefined) headers['retry-after'] = String(verdict.retryAfterSeconds);
  return { status: verdict.status, headers, body: JSON.stringify({ code: verdict.status, error, message: verdict.message, ...(reason !== undefined && { reason }) }) };
}

const internalAnswer: RawAnswer = {
  status: 500,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ code: 500, error: 'Internal Server Error', message: 'internal error', reason: webPushReasonFor(500) }),
};
