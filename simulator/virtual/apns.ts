/**
 * The mock APNs without sockets: the same core (device registry, topic rules, provider-token
 * verifier and its cache, rate limit, scripted steps, onPush), the same validation in Pushy's order
 * (validate.ts), the same fault engine and ledger, the same latency sampler — on a Scheduler. Only
 * the stream handling of device-stream.ts is restated here, for a VirtualStream instead of a
 * ServerHttp2Stream, step for step:
 *
 *   request ─► [fault engine decide] ─► validateApnsRequest ─► [latency from arrival] ─►
 *   countVerdict (counters, ledger / accept hook) ─► stream.respond
 *
 * Provider tokens are verified synchronously (jwt-verifier.ts `synchronous`) so the simulation
 * never waits on the thread pool; each token is verified once and then served from the cache.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { apnsReasons } from '../../core/reasons.js';
import type { Scheduler } from '../../core/scheduler.js';
import type { ApnsSigningKey } from '../apns/credentials.js';
import type { ProviderTokenVerifierStats } from '../apns/jwt-verifier.js';
import { createMockCore, type MockCore } from '../apns/core.js';
import { tokenAuthContext } from '../apns/connection.js';
import { devicePathPrefix } from '../apns/device-stream.js';
import { apnsFaultInfo, onAccepted } from '../apns/fault-hook.js';
import { resolveMockApnsOptions, type MockApnsOptions } from '../apns/options.js';
import { countVerdict, rejectionBody, type VerdictOptions } from '../apns/responses.js';
import type { MockApnsStats } from '../apns/stats.js';
import { responseApnsId, validateApnsRequest, type ApnsValidationContext, type ApnsVerdict, type RequestHeaders } from '../apns/validate.js';
import { afterAtLeastOn } from '../delay.js';
import type { LatencySampler } from '../distributions.js';
import type { AcceptHook } from '../faults/hooks.js';
import { performFaultDecision } from '../faults/hooks.js';
import type { FaultResponse } from '../faults/types.js';
import type { IncomingHttpHeaders } from 'node:http2';
import { createVirtualFaults } from './faults.js';
import { bodyBytes, type VirtualProvider, type VirtualProviderConnection, type VirtualRequest, type VirtualStream } from './provider.js';
import { openVirtualSession, virtualConnector, type VirtualSession, type VirtualSessionEvents } from './session.js';

/** The mock APNs options that mean something without sockets (host, port, TLS, mutual TLS and the control API do not). */
export type VirtualApnsOptions = Omit<MockApnsOptions, 'host' | 'port' | 'tls' | 'mtls' | 'impersonate' | 'control' | 'logger' | 'clock' | 'idleTimeoutMs'> & {
  /** Accepted and ignored, so a scenario's target carries over: a simulation has no TLS. */
  readonly tls?: unknown;
};

export interface VirtualApns extends VirtualProvider {
  readonly provider: 'apns';
  /** Key to sign provider tokens with (as MockApns.credentials). */
  readonly credentials: ApnsSigningKey;
  /** Seed of the latency sampler. */
  readonly seed: number;
  stats(): MockApnsStats;
  /** The provider-token verifier's work: ECDSA verifications (one per token) and cache hits (every other request). */
  tokenStats(): ProviderTokenVerifierStats;
}

const socketOnly = ['host', 'port', 'mtls', 'impersonate', 'control', 'logger', 'clock', 'idleTimeoutMs'] as const;

export function createVirtualApns(options: VirtualApnsOptions, scheduler: Scheduler): VirtualApns {
  for (const name of socketOnly) {
    if ((options as Record<string, unknown>)[name] !== undefined) throw new InvalidArgumentError(`${name}: not an option of a simulated mock APNs (no sockets, and its clock is the scheduler); drop it`);
  }
  const { tls: _tls, ...rest } = options;
  const resolved = resolveMockApnsOptions({ ...rest, clock: scheduler });
  const faults = createVirtualFaults(resolved.faultOptions, scheduler);
  const core = createMockCore(resolved, false, true);
  let connections = 0;
  const shared: Shared = {
    scheduler,
    core,
    latency: resolved.latency,
    acceptAll: resolved.profile === 'accept-all',
    verdictOptions: { sandbox: resolved.sandbox, counters: core.counters, engine: faults.engine },
    ledger: faults.ledger,
    engine: faults.engine,
    bytes: bodyBytes(),
  };
  return {
    provider: 'apns',
    scheduler,
    ledger: faults.ledger,
    engine: faults.engine,
    credentials: resolved.credentials,
    seed: resolved.seed,
    connect: virtualConnector(faults.engine),
    openConnection(id: number, events: VirtualSessionEvents): VirtualProviderConnection {
      connections++;
      return new VirtualApnsConnection(shared, id, events, () => connections--);
    },
    stats: () => core.counters.snapshot(connections),
    tokenStats: () => core.verifier.stats(),
    close: () => faults.close(),
  };
}

interface Shared {
  readonly scheduler: Scheduler;
  readonly core: MockCore;
  readonly latency: LatencySampler | undefined;
  readonly acceptAll: boolean;
  readonly verdictOptions: VerdictOptions;
  readonly ledger: VirtualApns['ledger'];
  readonly engine: VirtualApns['engine'];
  readonly bytes: (body: VirtualRequest['body']) => Buffer;
}

/** One connection: its own token-auth state and stream limit (1 until the first valid provider token, §1.9), like ApnsConnection. */
class VirtualApnsConnection implements VirtualProviderConnection {
  readonly initialStreams: number;
  readonly session: VirtualSession;
  readonly #shared: Shared;
  readonly #context: ApnsValidationContext;
  readonly #id: number;

  readonly closed: () => void;

  constructor(shared: Shared, id: number, events: VirtualSessionEvents, closed: () => void) {
    this.#shared = shared;
    this.#id = id;
    this.closed = closed;
    const { settings } = shared.core;
    this.initialStreams = shared.acceptAll ? settings.maxConcurrentStreams : settings.initialStreams;
    const session = openVirtualSession(shared.engine, id, this.initialStreams, events);
    this.session = session;
    let raised = this.initialStreams >= settings.maxConcurrentStreams;
    this.#context = tokenAuthContext(settings, () => {
      if (raised) return;
      raised = true;
      // Through the engine, as server.ts does: a streams fault holding the connection keeps its limit and restores this one.
      if (shared.engine === undefined) events.streamLimit(settings.maxConcurrentStreams);
      else shared.engine.setStreamLimit(session, settings.maxConcurrentStreams);
    });
  }

  handle(stream: VirtualStream, request: VirtualRequest): void {
    const shared = this.#shared;
    shared.core.counters.requests++;
    const arrivedAt = shared.scheduler.monotonic();
    const { path } = request;
    const token = path.startsWith(devicePathPrefix) ? path.slice(devicePathPrefix.length) : null;
    const { engine } = shared;
    if (engine === undefined) {
      this.#decide(stream, request, token, undefined, undefined, arrivedAt);
      return;
    }
    const probe = apnsFaultInfo(request.headers as IncomingHttpHeaders, token ?? '', this.#id, undefined);
    const decision = engine.decide(probe);
    if (decision === undefined) {
      this.#decide(stream, request, token, undefined, engine.lastAttempt || undefined, arrivedAt);
      return;
    }
    // A fault fired: the mock's own latency starts when the fault lets the request through.
    performFaultDecision(engine, decision, stream, { ...probe }, (accept) => this.#decide(stream, request, token, accept, undefined, shared.scheduler.monotonic()), arrivedAt);
  }

  #decide(stream: VirtualStream, request: VirtualRequest, token: string | null, accept: AcceptHook | undefined, attempt: number | undefined, since: number): void {
    const shared = this.#shared;
    const headers = request.headers as RequestHeaders;
    let verdict: ApnsVerdict | Promise<ApnsVerdict>;
    if (shared.acceptAll) {
      verdict = { ok: true, apnsId: responseApnsId(headers) };
    } else {
      try {
        verdict = validateApnsRequest(request.method, token, headers, shared.bytes(request.body), this.#context);
      } catch {
        verdict = { ok: false, reason: 'InternalServerError', apnsId: responseApnsId(headers) };
      }
    }
    // With synchronous token verification only a throwing onPush or clock makes this async; keep the socket path's answer.
    if (verdict instanceof Promise) {
      verdict.then(
        (settled) => this.#answer(stream, settled, token, request, accept, attempt, since),
        () => this.#answer(stream, { ok: false, reason: 'InternalServerError', apnsId: responseApnsId(headers) }, token, request, accept, attempt, since),
      );
      return;
    }
    this.#answer(stream, verdict, token, request, accept, attempt, since);
  }

  /** Answers once the sampled latency has passed since `since`, as device-stream.ts `answer` does. */
  #answer(stream: VirtualStream, verdict: ApnsVerdict, token: string | null, request: VirtualRequest, accept: AcceptHook | undefined, attempt: number | undefined, since: number): void {
    const shared = this.#shared;
    const delayMs = shared.latency === undefined ? 0 : shared.latency();
    const send = (): void => {
      const accepted = verdict.ok ? onAccepted(shared.ledger, accept, token ?? '', request.headers as IncomingHttpHeaders, attempt) : undefined;
      if (!countVerdict(verdict, shared.verdictOptions, accepted)) return;
      // Recorded even when the client gave up on the stream: the provider accepted it all the same.
      if (!stream.gone) stream.respond(verdictResponse(verdict, shared.verdictOptions.sandbox));
    };
    afterAtLeastOn(shared.scheduler, delayMs, send, since);
  }
}

/** The APNs framing of responses.ts as a FaultResponse (status, headers, body). */
function verdictResponse(verdict: ApnsVerdict, sandbox: boolean): FaultResponse {
  if (verdict.ok) {
    const headers: Record<string, string> = { 'apns-id': verdict.apnsId };
    if (sandbox) headers['apns-unique-id'] = crypto.randomUUID();
    return { status: 200, headers, body: '', reason: 'accepted' };
  }
  return {
    status: apnsReasons[verdict.reason].status,
    headers: { 'content-type': 'application/json', 'apns-id': verdict.apnsId },
    body: rejectionBody(verdict),
    reason: verdict.reason,
  };
}
