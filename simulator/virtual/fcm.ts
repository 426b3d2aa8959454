/**
 * The mock FCM without sockets for its sends: the same core (OAuth issuer, token registry, scripted
 * answers, project and device quotas on the scheduler's clock), the same send decision in the same
 * order (fcm/routes.ts processSend), the same fault engine and ledger:
 *
 *   POST /v1/projects/{p}/messages:send ─► [fault engine decide] ─► processSend ─► [latency] ─► stream.respond
 *
 * The FCM sender fetches its OAuth2 access token with its own HTTP/1.1 client from the service
 * account's `token_uri`, not through a Transport, so `serviceAccount()` serves the mock's token
 * endpoint on loopback: the one socket of a simulation, used once per token lifetime (an hour).
 * What it issues is checked on the scheduler's clock like everything else.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http2';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Scheduler } from '../../core/scheduler.js';
import type { LatencySpec } from '../distributions.js';
import { performFaultDecision, type AcceptHook } from '../faults/hooks.js';
import type { FaultResponse } from '../faults/types.js';
import { createFcmCore, type FcmCore } from '../fcm/core.js';
import { generateServiceAccount, trustServiceAccount, type ServiceAccountJson } from '../fcm/credentials.js';
import type { RawAnswer } from '../fcm/fault-hook.js';
import { resolveMockFcmOptions, type MockFcmOptions } from '../fcm/options.js';
import { fcmBodyLimit, fcmInternalAnswer, processSend } from '../fcm/routes.js';
import type { MockFcmStats } from '../fcm/stats.js';
import { requestInfo } from '../proxy/request-info.js';
import { createVirtualFaults } from './faults.js';
import { openVirtualSession, virtualConnector, type VirtualSessionEvents } from './session.js';
import { bodyBytes, rawResponse, respondAfter, serviceTime, type VirtualProvider, type VirtualProviderConnection, type VirtualRequest, type VirtualStream } from './provider.js';

export type VirtualFcmOptions = Omit<MockFcmOptions, 'host' | 'port' | 'tls' | 'impersonate' | 'control' | 'logger' | 'clock' | 'idleTimeoutMs' | 'maxConnectionAgeMs'> & {
  /** Accepted and ignored, so a scenario's target carries over: a simulation has no TLS. */
  readonly tls?: unknown;
  /** The provider's service time per send (the socket mock answers at once; a simulation models Google's). @default none */
  readonly latency?: LatencySpec;
  /** Seed of the latency sampler. @default 1 */
  readonly seed?: number;
};

export interface VirtualFcm extends VirtualProvider {
  readonly provider: 'fcm';
  readonly projectId: string;
  /**
   * A service account this mock trusts, whose `token_uri` is the mock's token endpoint on loopback
   * (started on the first call, stopped by close()). Give it to the FCM sender.
   */
  serviceAccount(): Promise<ServiceAccountJson>;
  stats(): MockFcmStats;
}

const socketOnly = ['host', 'port', 'impersonate', 'control', 'logger', 'clock', 'idleTimeoutMs', 'maxConnectionAgeMs'] as const;
const sendPath = /^\/v1\/projects\/([^/]+)\/messages:send$/;
const jsonType = 'application/json; charset=UTF-8';

export function createVirtualFcm(options: VirtualFcmOptions, scheduler: Scheduler): VirtualFcm {
  for (const name of socketOnly) {
    if ((options as Record<string, unknown>)[name] !== undefined) throw new InvalidArgumentError(`${name}: not an option of a simulated mock FCM (no sockets, and its clock is the scheduler); drop it`);
  }
  const { tls: _tls, latency, seed, ...rest } = options;
  const resolved = resolveMockFcmOptions({ ...rest, clock: scheduler });
  const faults = createVirtualFaults(resolved.faultOptions, scheduler);
  const core = createFcmCore(resolved, faults.engine, faults.ledger);
  const shared: Shared = { scheduler, core, latency: serviceTime(latency, seed ?? 1), bytes: bodyBytes() };
  let tokenServer: Promise<{ server: Server; account: ServiceAccountJson }> | undefined;
  let connections = 0;
  return {
    provider: 'fcm',
    scheduler,
    ledger: faults.ledger,
    engine: faults.engine,
    projectId: resolved.projectId,
    serviceAccount() {
      tokenServer ??= serveTokens(core, resolved.projectId, resolved.serviceAccount);
      return tokenServer.then(({ account }) => account);
    },
    connect: virtualConnector(faults.engine),
    openConnection(id: number, events: VirtualSessionEvents): VirtualProviderConnection {
      connections++;
      const initialStreams = resolved.maxConcurrentStreams;
      return { initialStreams, session: openVirtualSession(faults.engine, id, initialStreams, events), handle: (stream, request) => handle(shared, stream, request, id), closed: () => connections-- };
    },
    stats: () => core.counters.snapshot(connections, core.issuer.stats().issued),
    close() {
      faults.close();
      void tokenServer?.then(({ server }) => server.close());
    },
  };
}

interface Shared {
  readonly scheduler: Scheduler;
  readonly core: FcmCore;
  readonly latency: (() => number) | undefined;
  readonly bytes: (body: VirtualRequest['body']) => Buffer;
}

function handle(shared: Shared, stream: VirtualStream, request: VirtualRequest, connectionId: number): void {
  const { counters, context } = shared.core;
  counters.requests++;
  counters.http2Requests++;
  const arrivedAt = shared.scheduler.monotonic();
  const project = request.method === 'POST' ? sendPath.exec(request.path)?.[1] : undefined;
  if (project === undefined) {
    stream.respond(notFound(request.path));
    return;
  }
  const body = shared.bytes(request.body);
  const proceed = (accept: AcceptHook | undefined, since: number): void => {
    let answer: RawAnswer | undefined;
    try {
      answer = processSend(project, request.headers['authorization'], body, context, accept);
    } catch {
      answer = fcmInternalAnswer();
    }
    // Undefined: a fault (accept-then-fail) answers instead.
    if (answer !== undefined) respondAfter(shared.scheduler, shared.latency, stream, rawResponse(answer), since);
  };
  const { engine } = context;
  if (engine === undefined) {
    proceed(undefined, arrivedAt);
    return;
  }
  const info = requestInfo({ ':path': request.path } as IncomingHttpHeaders, body, connectionId);
  const decision = engine.decide(info);
  if (decision === undefined) proceed(undefined, arrivedAt);
  else performFaultDecision(engine, decision, stream, info, (accept) => proceed(accept, shared.scheduler.monotonic()), arrivedAt);
}

function notFound(path: string): FaultResponse {
  const clipped = path.length > 100 ? `${path.slice(0, 100)}…` : path;
  const body = { error: { code: 404, message: `The requested URL ${clipped} was not found (POST /v1/projects/{project}/messages:send or POST /token).`, status: 'NOT_FOUND' } };
  return { status: 404, headers: { 'content-type': jsonType }, body: JSON.stringify(body), reason: 'HTTP_404' };
}

/** The mock's OAuth token endpoint (issuer.exchange) on a loopback port, and an account whose token_uri points at it. */
async function serveTokens(core: FcmCore, projectId: string, given: ServiceAccountJson | undefined): Promise<{ server: Server; account: ServiceAccountJson }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= fcmBodyLimit) chunks.push(chunk);
    });
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/token') {
        res.writeHead(404, { 'content-type': jsonType }).end(JSON.stringify({ error: 'not_found' }));
        return;
      }
      core.counters.tokenRequests++;
      void core.issuer.exchange(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))).then(
        (answer) => res.writeHead(answer.status, { 'content-type': jsonType, 'cache-control': 'no-store' }).end(JSON.stringify(answer.body)),
        () => res.writeHead(500, { 'content-type': jsonType }).end(JSON.stringify({ error: 'internal_failure' })),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  server.unref();
  const tokenUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  core.audiences.unshift(tokenUri);
  const account = given === undefined ? generateServiceAccount(projectId, tokenUri) : { ...given, token_uri: tokenUri };
  if (!core.accountGiven) core.issuer.trust(trustServiceAccount(account));
  return { server, account };
}
