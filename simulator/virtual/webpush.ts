/**
 * The mock Web Push service without sockets: the same subscription store, VAPID verifier (made
 * synchronous, then cached), header and aes128gcm checks, quota on the scheduler's clock, fault
 * engine and ledger, through the route's own decision (webpush/routes.ts processPush):
 *
 *   POST /push/{id} ─► [fault engine decide] ─► processPush ─► [latency] ─► stream.respond
 *
 * Endpoints are `http://webpush.virtual/push/<id>`: the origin a sender signs its VAPID JWTs for.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { Scheduler } from '../../core/scheduler.js';
import type { LatencySpec } from '../distributions.js';
import { performFaultDecision, type AcceptHook } from '../faults/hooks.js';
import type { RawAnswer } from '../fcm/fault-hook.js';
import { QuotaLimiter } from '../fcm/quota.js';
import { requestInfo } from '../proxy/request-info.js';
import { generateVapidKeys, type VapidKeys } from '../webpush/keys.js';
import { resolveMockWebPushOptions, type MockWebPushOptions } from '../webpush/options.js';
import { MockWebPushCounters, processPush, webPushInternalAnswer, type MockWebPushStats, type WebPushRouteContext } from '../webpush/routes.js';
import { createSubscriptionStore, type SubscriptionRegistry } from '../webpush/subscriptions.js';
import { createVapidVerifier } from '../webpush/vapid-verifier.js';
import { createVirtualFaults } from './faults.js';
import { openVirtualSession, virtualConnector, type VirtualSessionEvents } from './session.js';
import { bodyBytes, rawResponse, respondAfter, serviceTime, type VirtualProvider, type VirtualProviderConnection, type VirtualRequest, type VirtualStream } from './provider.js';

export type VirtualWebPushOptions = Omit<MockWebPushOptions, 'host' | 'port' | 'tls' | 'impersonate' | 'control' | 'logger' | 'clock' | 'idleTimeoutMs' | 'maxConnectionAgeMs' | 'endpointOrigin'> & {
  /** Accepted and ignored, so a scenario's target carries over: a simulation has no TLS. */
  readonly tls?: unknown;
  /** The push service's time per message (the socket mock answers at once; a simulation models the service's). @default none */
  readonly latency?: LatencySpec;
  /** Seed of the latency sampler. @default 1 */
  readonly seed?: number;
};

export interface VirtualWebPush extends VirtualProvider {
  readonly provider: 'webpush';
  /** `http://webpush.virtual`: endpoints' origin and the VAPID audience. */
  readonly origin: string;
  readonly vapid: VapidKeys;
  /** Create subscriptions to send to (`subscriptions` created some at the start). */
  readonly subscriptions: SubscriptionRegistry;
  stats(): MockWebPushStats;
}

const socketOnly = ['host', 'port', 'impersonate', 'control', 'logger', 'clock', 'idleTimeoutMs', 'maxConnectionAgeMs', 'endpointOrigin'] as const;
const pushPath = /^\/push\/([^/?]+)$/;
const origin = 'http://webpush.virtual';

export function createVirtualWebPush(options: VirtualWebPushOptions, scheduler: Scheduler): VirtualWebPush {
  for (const name of socketOnly) {
    if ((options as Record<string, unknown>)[name] !== undefined) throw new InvalidArgumentError(`${name}: not an option of a simulated mock Web Push service (no sockets, and its clock is the scheduler); drop it`);
  }
  const { tls: _tls, latency, seed, ...rest } = options;
  const resolved = resolveMockWebPushOptions({ ...rest, clock: scheduler });
  const faults = createVirtualFaults(resolved.faultOptions, scheduler);
  const vapid = resolved.vapid ?? generateVapidKeys();
  const store = createSubscriptionStore(() => origin, vapid.publicKey, resolved.keepMessages, resolved.subscriptionSecret);
  const counters = new MockWebPushCounters();
  const context: WebPushRouteContext = {
    origin: () => origin,
    store,
    verifier: createVapidVerifier({ audience: () => origin, clock: scheduler, synchronous: true }),
    faults: { next: () => undefined },
    quota: resolved.subscriptionQuota === undefined ? undefined : new QuotaLimiter([resolved.subscriptionQuota]),
    goneStatus: resolved.goneStatus,
    retryAfterSeconds: resolved.retryAfterSeconds,
    maxTtlSeconds: resolved.maxTtlSeconds,
    decrypt: resolved.decrypt,
    clock: scheduler,
    counters,
    ledger: faults.ledger,
    engine: faults.engine,
  };
  for (let i = 0; i < resolved.subscriptions; i++) store.create();
  const shared: Shared = { scheduler, context, latency: serviceTime(latency, seed ?? 1), bytes: bodyBytes() };
  let connections = 0;
  return {
    provider: 'webpush',
    scheduler,
    ledger: faults.ledger,
    engine: faults.engine,
    origin,
    vapid,
    subscriptions: store,
    connect: virtualConnector(faults.engine),
    openConnection(id: number, events: VirtualSessionEvents): VirtualProviderConnection {
      connections++;
      const initialStreams = resolved.maxConcurrentStreams;
      return { initialStreams, session: openVirtualSession(faults.engine, id, initialStreams, events), handle: (stream, request) => handle(shared, stream, request, id), closed: () => connections-- };
    },
    stats: () => counters.snapshot(connections),
    close: () => faults.close(),
  };
}

interface Shared {
  readonly scheduler: Scheduler;
  readonly context: WebPushRouteContext;
  readonly latency: (() => number) | undefined;
  readonly bytes: (body: VirtualRequest['body']) => Buffer;
}

function handle(shared: Shared, stream: VirtualStream, request: VirtualRequest, connectionId: number): void {
  const { context, scheduler } = shared;
  context.counters.requests++;
  context.counters.http2Requests++;
  const arrivedAt = scheduler.monotonic();
  // The Web Push sender's path is the endpoint's absolute URL (one transport per origin, sender/http2/agent.ts).
  const path = request.path.startsWith(origin) ? request.path.slice(origin.length) : request.path;
  const id = request.method === 'POST' ? pushPath.exec(path)?.[1] : undefined;
  if (id === undefined) {
    context.counters.rejected++;
    stream.respond({ status: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 404, error: 'Not Found', message: `no push resource at ${request.method} ${path.slice(0, 100)}`, reason: 'NotFound' }), reason: 'NotFound' });
    return;
  }
  const body = shared.bytes(request.body);
  const send = (answer: RawAnswer | undefined, since: number): void => {
    // Undefined: a fault (accept-then-fail) answers instead.
    if (answer !== undefined) respondAfter(scheduler, shared.latency, stream, rawResponse(answer), since);
  };
  const proceed = (accept: AcceptHook | undefined, since: number): void => {
    let answer: ReturnType<typeof processPush>;
    try {
      answer = processPush(id, request.headers, body, context, accept);
    } catch {
      answer = webPushInternalAnswer();
    }
    if (answer instanceof Promise) answer.then((settled) => send(settled, since), () => send(webPushInternalAnswer(), since));
    else send(answer, since);
  };
  const { engine } = context;
  if (engine === undefined) {
    proceed(undefined, arrivedAt);
    return;
  }
  const info = requestInfo({ ...request.headers, ':path': path }, body, connectionId);
  const decision = engine.decide(info);
  if (decision === undefined) proceed(undefined, arrivedAt);
  else performFaultDecision(engine, decision, stream, info, (accept) => proceed(accept, scheduler.monotonic()), arrivedAt);
}
