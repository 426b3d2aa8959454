/**
 * A mock APNs provider API (protocols.md §1) on fastify 5 over HTTP/2: cleartext h2c by default,
 * TLS with ALPN h2 only when asked (APNs is h2-only, §1.1). Validation follows Pushy's mock (§5.1),
 * responses use APNs framing (§1.5), reasons come from core/reasons.ts.
 *
 *   const mock = await startMockApns({ unregistered: [token] });
 *   // point a sender at mock.url, sign JWTs with mock.credentials
 *   await mock.close();
 */
import type { Http2Session, SecureServerOptions, ServerOptions } from 'node:http2';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import Fastify from 'fastify';
import type { FastifyError } from 'fastify';
import type { ApnsSigningKey } from './credentials.js';
import { createDeviceRegistry, type DeviceRegistry } from './devices.js';
import { createProviderTokenVerifier } from './jwt-verifier.js';
import { resolveMockApnsOptions, type MockApnsOptions, type ResolvedMockApnsOptions } from './options.js';
import { answerFrameworkError, bodyLimitBytes, registerApnsRoutes, type ApnsFastify, type ApnsRouteContext } from './routes.js';
import { MockApnsCounters, type MockApnsStats } from './stats.js';
import { defaultMaxPayloadBytes, defaultMaxVoipPayloadBytes } from './validate.js';
import { defaultServerHosts, generateServerCertificate } from '../tls.js';

export interface MockApns {
  /** Origin to send to, e.g. `http://127.0.0.1:54321` or `https://127.0.0.1:54321`. */
  readonly url: string;
  /** PEM to trust (`ca` of http2.connect) when TLS is on; undefined for h2c. */
  readonly ca: string | undefined;
  /** Key to sign provider tokens with: the first `.p8` given in `keys`, else one generated at start. */
  readonly credentials: ApnsSigningKey;
  /** Seed of the latency sampler, to replay a run. */
  readonly seed: number;
  /** Unregistered device tokens; change it while running. */
  readonly devices: DeviceRegistry;
  stats(): MockApnsStats;
  /** Graceful: GOAWAY to every connection, lets open streams finish (at most 5 s), then stops. */
  close(): Promise<void>;
}

/** How long close() lets in-flight streams finish before destroying their connections. */
const closeGraceMs = 5_000;
// Long URLs are bad tokens, not 414s: let find-my-way pass them to the validator.
const maxTokenLength = 4096;

export async function startMockApns(options: MockApnsOptions = {}): Promise<MockApns> {
  const resolved = resolveMockApnsOptions(options);
  const tls = resolved.tls === 'generate' ? await generateServerCertificate({ hosts: serverHosts(resolved.host) }) : resolved.tls;

  const devices = createDeviceRegistry(resolved.clock);
  for (const [token, timestamp] of resolved.unregistered) devices.unregister(token, timestamp);
  const verifier = createProviderTokenVerifier(resolved.trustedKeys, { clock: resolved.clock });
  const counters = new MockApnsCounters();
  const context: ApnsRouteContext = {
    validation: {
      deviceTokenPattern: resolved.deviceTokenPattern,
      isUnregistered: devices.isUnregistered,
      authenticate: verifier.check,
      maxPayloadBytes: defaultMaxPayloadBytes,
      maxVoipPayloadBytes: defaultMaxVoipPayloadBytes,
    },
    latency: resolved.latency,
    sandbox: resolved.sandbox,
    counters,
  };

  const app = createFastify(resolved, tls === false ? undefined : tls, context);
  registerApnsRoutes(app, context);

  const sessions = new Set<Http2Session>();
  app.server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  app.server.on('unknownProtocol', refuseHttp1);
  // Counted on the raw server so that every HTTP/2 request counts, and nothing else (HTTP/1.1 never gets here).
  app.server.on('stream', () => {
    counters.requests++;
  });

  await app.listen({ host: resolved.host, port: resolved.port });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('mock APNs server has no TCP address');

  let closing: Promise<void> | undefined;
  return {
    url: `${tls === false ? 'http' : 'https'}://${urlHost(resolved.host)}:${address.port}`,
    ca: tls === false ? undefined : tls.ca,
    credentials: resolved.credentials,
    seed: resolved.seed,
    devices,
    stats: () => counters.snapshot(sessions.size),
    close: () => (closing ??= closeGracefully(app, sessions)),
  };
}

function createFastify(
  resolved: ResolvedMockApnsOptions,
  tls: { cert: string; key: string } | undefined,
  context: ApnsRouteContext,
): ApnsFastify {
  const settings = { maxConcurrentStreams: resolved.maxConcurrentStreams };
  const common = {
    logger: resolved.logger,
    bodyLimit: bodyLimitBytes,
    exposeHeadRoutes: false,
    // During close(), let requests on still-open streams be answered normally: fastify's 503 body is not APNs framing.
    return503OnClosing: false,
    // Fastify calls session.close() after this much inactivity.
    http2SessionTimeout: resolved.idleTimeoutMs,
    routerOptions: { maxParamLength: maxTokenLength },
    frameworkErrors: (error: FastifyError, request: { readonly raw: unknown }, reply: { hijack(): unknown }) =>
      answerFrameworkError(error, request, reply, context),
  };
  if (tls !== undefined) {
    const https: SecureServerOptions = {
      cert: tls.cert,
      key: tls.key,
      allowHTTP1: false,
      ALPNProtocols: ['h2'],
      minVersion: 'TLSv1.2',
      settings,
    };
    return Fastify({ ...common, http2: true, https });
  }
  // For h2c fastify passes `options.http` to http2.createServer (lib/server.js getServerInstance),
  // but its types do not declare it; that is the only way to set SETTINGS without a serverFactory.
  const h2c: { http: ServerOptions } = { http: { settings } };
  return Fastify({ ...common, http2: true, ...(h2c as object) });
}

async function closeGracefully(app: ApnsFastify, sessions: Set<Http2Session>): Promise<void> {
  for (const session of sessions) session.close();
  const force = setTimeout(() => {
    for (const session of sessions) session.destroy();
  }, closeGraceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(force);
  }
}

const http1RefusalBody = 'APNs speaks HTTP/2 only (ALPN h2); this connection negotiated no h2.\n';
const http1Refusal =
  'HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n' +
  `content-length: ${Buffer.byteLength(http1RefusalBody)}\r\n\r\n${http1RefusalBody}`;

/**
 * A TLS client that did not negotiate h2 (protocols.md §1.1: APNs is h2-only). Node's default
 * answer leaves the socket paused, so it lingers until unknownProtocolTimeout (10 s) and holds up
 * close(); here the request is drained, refused in plain HTTP/1.1, and the socket closed.
 */
function refuseHttp1(socket: Duplex): void {
  socket.resume();
  socket.end(http1Refusal);
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/** Names the generated certificate covers: the usual loopback names plus the listen host. */
function serverHosts(host: string): string[] {
  const unspecified = host === '0.0.0.0' || host === '::';
  return unspecified || defaultServerHosts.includes(host) ? [...defaultServerHosts] : [...defaultServerHosts, host];
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIP(host) === 6 ? `[${host}]` : host;
}
