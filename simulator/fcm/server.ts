/**
 * A mock FCM HTTP v1 service (protocols.md §2) with its OAuth2 token endpoint, on fastify 5, HTTP/2
 * and HTTP/1.1 on one port (dual-protocol.ts). It generates a service account whose `token_uri`
 * points at itself, so a sender configured with `mock.serviceAccount` needs nothing else.
 *
 *   const fcm = await startMockFcm({ unregistered: [deadToken] });
 *   const sender = await FcmSender.create({ serviceAccount: fcm.serviceAccount, url: fcm.url });
 *   fcm.faults.script('*', ['UNAVAILABLE', 'UNAVAILABLE']);   // the next two messages get 503
 *   await fcm.close();
 */
import { serverHosts } from '../impersonate.js';
import { generateServerCertificate } from '../tls.js';
import { assertFcmReasons, resolveMockFcmOptions, type MockFcmOptions, type ResolvedMockFcmOptions } from './options.js';
import { generateServiceAccount, trustServiceAccount, type ServiceAccountJson } from './credentials.js';
import { createDualServer } from './dual-protocol.js';
import { fcmReasons } from '../../core/reasons.js';
import type { FaultEngine } from '../faults/engine.js';
import type { DeliveryLedger } from '../ledger/ledger.js';
import { startWithMockFaults, type MockFaults } from '../mock-faults.js';
import { createFcmCore } from './core.js';
import type { FcmFaults, FcmTokenRegistry } from './registry.js';
import { fcmBodyLimit, registerFcmRoutes } from './routes.js';
import type { MockFcmStats } from './stats.js';

export interface MockFcm {
  /** Origin of both endpoints, e.g. `http://127.0.0.1:54321` (send: `/v1/projects/{p}/messages:send`, OAuth: `/token`). */
  readonly url: string;
  /** PEM to trust when TLS is on; undefined in cleartext. */
  readonly ca: string | undefined;
  /** Host names the certificate covers beyond loopback (`impersonate`), e.g. fcm.googleapis.com; empty without. */
  readonly impersonated: readonly string[];
  readonly projectId: string;
  /** A service account the mock trusts; its `token_uri` is `${url}/token`. Contains a private key: never log it. */
  readonly serviceAccount: ServiceAccountJson;
  /** Unregistered tokens and token → project assignments; change them while running. */
  readonly tokens: FcmTokenRegistry;
  /** Scripted error answers (fault injection). */
  readonly faults: FcmFaults;
  /** The fault engine of the `faults` (or `control`) option; undefined without. (`faults` is the scripted answers.) */
  readonly faultEngine: FaultEngine | undefined;
  /** Every message the mock delivered (not validate_only), faults or not: exact counts, duplicates, phases. */
  readonly ledger: DeliveryLedger;
  /** Where the control API listens, with the `control` option. */
  readonly controlUrl: string | undefined;
  stats(): MockFcmStats;
  /** Graceful: GOAWAY to every connection, lets open requests finish (at most 5 s), then stops (the control API too). */
  close(): Promise<void>;
}

export async function startMockFcm(options: MockFcmOptions = {}): Promise<MockFcm> {
  const resolved = resolveMockFcmOptions(options);
  return startWithMockFaults(resolved.faultOptions, resolved.clock, (faults) => start(resolved, faults));
}

async function start(resolved: ResolvedMockFcmOptions, mockFaults: MockFaults): Promise<MockFcm> {
  const { engine, ledger } = mockFaults;
  const { impersonation } = resolved;
  const tls = resolved.tls === 'generate' ? await generateServerCertificate({ hosts: serverHosts(resolved.host, impersonation.hosts), ...(impersonation.ca !== undefined && { ca: impersonation.ca }) }) : resolved.tls;
  const { counters, registry, faults, issuer, audiences, accountGiven, context } = createFcmCore(resolved, engine, ledger);

  const server = createDualServer({
    host: resolved.host,
    port: resolved.port,
    tls: tls === false ? false : { cert: tls.cert, key: tls.key },
    maxConcurrentStreams: resolved.maxConcurrentStreams,
    idleTimeoutMs: resolved.idleTimeoutMs,
    maxConnectionAgeMs: resolved.maxConnectionAgeMs,
    bodyLimit: fcmBodyLimit,
    logger: resolved.logger,
    engine,
    onFrameworkError: (reply) => {
      reply.code(404);
      reply.send(JSON.stringify({ error: { code: 404, message: 'The requested URL was not found.', status: 'NOT_FOUND' } }));
    },
  });
  registerFcmRoutes(server.app, context);

  const url = await server.listen();
  const controlUrl = await mockFaults.startControl(() => server.close());
  const tokenUri = `${url}/token`;
  audiences.unshift(tokenUri);
  const serviceAccount = resolved.serviceAccount === undefined ? generateServiceAccount(resolved.projectId, tokenUri) : { ...resolved.serviceAccount, token_uri: tokenUri };
  if (!accountGiven) issuer.trust(trustServiceAccount(serviceAccount));

  return {
    url,
    ca: tls === false ? undefined : tls.ca,
    impersonated: impersonation.hosts,
    projectId: resolved.projectId,
    serviceAccount,
    tokens: registry,
    faults: {
      script(target, codes) {
        assertFcmReasons(codes, fcmReasons);
        faults.script(target, codes);
      },
      clear: faults.clear,
      pending: faults.pending,
    },
    faultEngine: engine,
    ledger,
    controlUrl,
    stats: () => counters.snapshot(server.connections(), issuer.stats().issued),
    close: () => server.close().finally(() => mockFaults.close()),
  };
}

