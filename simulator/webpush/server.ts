/**
 * A mock Web Push service (RFC 8030 push resources, RFC 8292 VAPID, RFC 8291 aes128gcm; protocols.md
 * §3) on fastify 5, HTTP/2 and HTTP/1.1 on one port. It creates subscriptions the way a browser
 * would and keeps their private keys, so it can decrypt every message it accepts.
 *
 *   const push = await startMockWebPush({ subscriptions: 3 });
 *   const [subscription] = push.subscriptions.list();   // { endpoint, keys: { p256dh, auth } }
 *   // send with push.vapid, then: push.subscriptions.messages(subscription.endpoint)[0].payload
 *   push.subscriptions.expire(subscription.endpoint);      // now 410 (or 404: goneStatus)
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { FaultEngine } from '../faults/engine.js';
import type { DeliveryLedger } from '../ledger/ledger.js';
import { startWithMockFaults, type MockFaults } from '../mock-faults.js';
import { createDualServer } from '../fcm/dual-protocol.js';
import { QuotaLimiter } from '../fcm/quota.js';
import { serverHosts } from '../impersonate.js';
import { generateServerCertificate } from '../tls.js';
import { generateVapidKeys, type VapidKeys } from './keys.js';
import { resolveMockWebPushOptions, type MockWebPushOptions, type ResolvedMockWebPushOptions } from './options.js';
import { MockWebPushCounters, registerWebPushRoutes, type MockWebPushStats } from './routes.js';
import { createSubscriptionStore, type SubscriptionRegistry } from './subscriptions.js';
import { createVapidVerifier } from './vapid-verifier.js';

export interface WebPushFaults {
  /** Queues HTTP statuses (e.g. 429, 503, 500, 410) for the next messages to `endpoint`, or '*' for any. */
  script(endpoint: string, statuses: readonly number[]): void;
  clear(): void;
}

export interface MockWebPush {
  /** Origin, e.g. `http://127.0.0.1:54321`; endpoints are `${url}/push/<id>`. */
  readonly url: string;
  readonly ca: string | undefined;
  /** Host names the certificate covers beyond loopback (`impersonate`); empty without. */
  readonly impersonated: readonly string[];
  /** Origin of the subscriptions' endpoints: `endpointOrigin`, else `url`. */
  readonly endpointOrigin: string;
  /** The application server's VAPID keys the default subscriptions are restricted to. `privateKey` is a secret. */
  readonly vapid: VapidKeys;
  readonly subscriptions: SubscriptionRegistry;
  readonly faults: WebPushFaults;
  /** The fault engine of the `faults` (or `control`) option; undefined without. (`faults` is the scripted answers.) */
  readonly faultEngine: FaultEngine | undefined;
  /** Every message the mock created (201), faults or not: exact counts, duplicates (same encrypted body), phases. */
  readonly ledger: DeliveryLedger;
  /** Where the control API listens, with the `control` option. */
  readonly controlUrl: string | undefined;
  stats(): MockWebPushStats;
  close(): Promise<void>;
}

const scriptable = new Set([400, 401, 403, 404, 410, 413, 429, 500, 503]);

export async function startMockWebPush(options: MockWebPushOptions = {}): Promise<MockWebPush> {
  const resolved = resolveMockWebPushOptions(options);
  return startWithMockFaults(resolved.faultOptions, resolved.clock, (faults) => start(resolved, faults));
}

async function start(resolved: ResolvedMockWebPushOptions, mockFaults: MockFaults): Promise<MockWebPush> {
  const { engine, ledger } = mockFaults;
  const { impersonation } = resolved;
  const tls = resolved.tls === 'generate' ? await generateServerCertificate({ hosts: serverHosts(resolved.host, impersonation.hosts), ...(impersonation.ca !== undefined && { ca: impersonation.ca }) }) : resolved.tls;
  const vapid = resolved.vapid ?? generateVapidKeys();
  let origin = '';
  // Endpoints show `endpointOrigin` when one is set (impersonation), else the mock's own url.
  const endpointOrigin = (): string => resolved.endpointOrigin ?? origin;
  const store = createSubscriptionStore(endpointOrigin, vapid.publicKey, resolved.keepMessages, resolved.subscriptionSecret);
  const counters = new MockWebPushCounters();
  const queues = new Map<string, number[]>();
  const next = (key: string): number | undefined => {
    const queue = queues.get(key);
    const status = queue?.shift();
    if (queue?.length === 0) queues.delete(key);
    return status;
  };

  const server = createDualServer({
    host: resolved.host,
    port: resolved.port,
    tls: tls === false ? false : { cert: tls.cert, key: tls.key },
    maxConcurrentStreams: resolved.maxConcurrentStreams,
    idleTimeoutMs: resolved.idleTimeoutMs,
    maxConnectionAgeMs: resolved.maxConnectionAgeMs,
    bodyLimit: 64 * 1024,
    logger: resolved.logger,
    engine,
    onFrameworkError: (reply) => {
      reply.code(404);
      reply.send(JSON.stringify({ code: 404, error: 'Not Found', message: 'no push resource here', reason: 'NotFound' }));
    },
  });
  registerWebPushRoutes(server.app, {
    origin: () => origin,
    store,
    verifier: createVapidVerifier({ audience: () => [origin, endpointOrigin()], clock: resolved.clock }),
    faults: { next: (id) => (queues.size === 0 ? undefined : (next(id) ?? next('*'))) },
    quota: resolved.subscriptionQuota === undefined ? undefined : new QuotaLimiter([resolved.subscriptionQuota]),
    goneStatus: resolved.goneStatus,
    retryAfterSeconds: resolved.retryAfterSeconds,
    maxTtlSeconds: resolved.maxTtlSeconds,
    decrypt: resolved.decrypt,
    clock: resolved.clock,
    counters,
    ledger,
    engine,
  });
  origin = await server.listen();
  const controlUrl = await mockFaults.startControl(() => server.close());
  for (let i = 0; i < resolved.subscriptions; i++) store.create();

  return {
    url: origin,
    ca: tls === false ? undefined : tls.ca,
    impersonated: impersonation.hosts,
    endpointOrigin: endpointOrigin(),
    vapid,
    subscriptions: store,
    faults: {
      script(endpoint, statuses) {
        for (const status of statuses) {
          if (!scriptable.has(status)) throw new InvalidArgumentError(`cannot script status ${status}; use one of ${[...scriptable].join(', ')}`);
        }
        const key = endpoint === '*' ? '*' : endpoint.slice(endpoint.lastIndexOf('/') + 1);
        queues.set(key, [...(queues.get(key) ?? []), ...statuses]);
      },
      clear: () => queues.clear(),
    },
    faultEngine: engine,
    ledger,
    controlUrl,
    stats: () => counters.snapshot(server.connections()),
    close: () => server.close().finally(() => mockFaults.close()),
  };
}
