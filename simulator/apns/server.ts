/**
 * A mock APNs provider API (protocols.md §1): HTTP/2 only, cleartext h2c by default or TLS with
 * ALPN h2 (§1.1), token and certificate auth, validation in Pushy's order (§5.1), APNs framing
 * (§1.5), reasons from core/reasons.ts, per-connection stream limits and GOAWAY (§1.11).
 *
 *   const apns = await startMockApns({ unregistered: [token] });
 *   // point a client at apns.url, sign JWTs with apns.credentials
 *   await apns.close();
 *
 * Shape: fastify owns the server (via `serverFactory`) and serves every path but one; the APNs
 * route `/3/device/` is taken off the raw 'stream' event before node's compat layer sees it:
 *
 *   http2 'stream' ─┬─ /3/device/… → device-stream.ts (validated, or accept-all)
 *                   └─ other       → node compat (req, res) → fastify → routes.ts (BadPath, …)
 */
import { createSecureServer, createServer, type Http2SecureServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import Fastify from 'fastify';
import { InvalidArgumentError } from '../../core/errors.js';
import type { FaultEngine } from '../faults/engine.js';
import type { DeliveryLedger } from '../ledger/ledger.js';
import { startWithMockFaults, type MockFaults } from '../mock-faults.js';
import type { ApnsSigningKey } from './credentials.js';
import type { DeviceRegistry } from './devices.js';
import { markSessionSockets, refuseAfterGoaway } from '../goaway.js';
import { ApnsConnection, startIdleSweep } from './connection.js';
import { createMockCore } from './core.js';
import { acceptDeviceStream, devicePathPrefix, serveDeviceStream, type DeviceStreamOptions } from './device-stream.js';
import { resolveMockApnsOptions, type MockApnsOptions, type ResolvedMockApnsOptions } from './options.js';
import { answerFrameworkError, bodyLimitBytes, registerApnsRoutes, type ApnsFastify } from './routes.js';
import type { PushRules } from './rules.js';
import type { MockApnsStats } from './stats.js';
import { prepareTlsMaterial, type ApnsClientCertificate } from './tls-material.js';
import type { ClientCertificateOptions, PemKeyPair } from '../tls.js';

export type { ApnsClientCertificate } from './tls-material.js';

export interface MockApns {
  /** Origin to send to, e.g. `http://127.0.0.1:54321` or `https://127.0.0.1:54321`. */
  readonly url: string;
  /** PEM to trust (`ca` of http2.connect) when TLS is on; undefined for h2c. */
  readonly ca: string | undefined;
  /** Host names the certificate covers beyond loopback (`impersonate`), e.g. api.push.apple.com; empty without. */
  readonly impersonated: readonly string[];
  /** Key to sign provider tokens with: the first `.p8` given in `keys`, else one generated at start. */
  readonly credentials: ApnsSigningKey;
  /** With `mtls`: a client certificate for `bundleId` the mock trusts (certificate-based auth). */
  readonly clientCertificate: ApnsClientCertificate | undefined;
  /** 'sandbox' with the `sandbox` option, else 'production'. */
  readonly environment: 'sandbox' | 'production';
  /** Seed of the latency sampler, to replay a run. */
  readonly seed: number;
  /** Device tokens: topics, unregistered and expired tokens; change it while running. */
  readonly devices: DeviceRegistry;
  /** Topic rules (Forbidden, TopicDisallowed) and scripted reasons per token; change them while running. */
  readonly rules: PushRules;
  /** Issues another client certificate signed by the mock's client CA (needs `mtls` with a CA key). */
  issueClientCertificate(options: ClientCertificateOptions): Promise<PemKeyPair>;
  stats(): MockApnsStats;
  /** The fault engine the `faults` (or `control`) option built or gave; undefined without faults. */
  readonly faults: FaultEngine | undefined;
  /** The same engine under the name MockFcm and MockWebPush use (their `faults` is the scripted-answers API). */
  readonly faultEngine: FaultEngine | undefined;
  /**
   * Every notification the mock accepted, faults or not: exact delivered / duplicate counts (a
   * retry after accept-then-fail is a duplicate) and, with faults, per timeline phase.
   * `ledger.summary()` is plain data for result.json.
   */
  readonly ledger: DeliveryLedger;
  /** Where the control API listens, with the `control` option. */
  readonly controlUrl: string | undefined;
  /** Graceful: GOAWAY `{"reason":"Shutdown"}` to every connection, lets open streams finish (at most 5 s), then stops (the control API too). */
  close(): Promise<void>;
}

/** How long close() lets in-flight streams finish before destroying their connections. */
const closeGraceMs = 5_000;

export async function startMockApns(options: MockApnsOptions = {}): Promise<MockApns> {
  const resolved = resolveMockApnsOptions(options);
  return startWithMockFaults(resolved.faultOptions, resolved.clock, (faults) => start(resolved, faults));
}

async function start(resolved: ResolvedMockApnsOptions, faults: MockFaults): Promise<MockApns> {
  const { engine } = faults;
  const material = await prepareTlsMaterial(resolved);
  const core = createMockCore(resolved, material.clientCa !== undefined);
  const connections = new Map<ServerHttp2Session, ApnsConnection>();
  const streamOptions: DeviceStreamOptions = {
    counters: core.counters,
    latency: resolved.latency,
    sandbox: resolved.sandbox,
    keepBytes: Math.max(core.settings.base.maxPayloadBytes, core.settings.base.maxVoipPayloadBytes) + 1,
    ledger: faults.ledger,
    engine,
  };
  // With faults, the raised stream limit goes through the engine, so a streams fault keeps its hold.
  const setStreamLimit = engine === undefined ? undefined : (session: ServerHttp2Session, limit: number) => engine.setStreamLimit(session, limit);
  const acceptAll = resolved.profile === 'accept-all';
  // The clock is the user's code: a throwing clock must cost an answer (500), never the process.
  const now = (): number => {
    try {
      return resolved.clock.now();
    } catch {
      return Date.now();
    }
  };

  let closing: Promise<void> | undefined;
  const serverFactory = (handler: (...args: never[]) => void): Http2Server | Http2SecureServer => {
    const settings = { maxConcurrentStreams: resolved.initialStreams };
    const server = material.server === undefined
      ? createServer({ settings })
      : createSecureServer({
          cert: material.server.cert,
          key: material.server.key,
          allowHTTP1: false,
          ALPNProtocols: ['h2'],
          minVersion: 'TLSv1.2',
          settings,
          // Certificate auth (§1.10): ask for a client certificate but let a bad one through the
          // handshake, so that it gets an APNs answer (BadCertificate) rather than a TLS alert.
          ...(material.clientCa !== undefined && { requestCert: true, rejectUnauthorized: false, ca: material.clientCa }),
        });
    // A 'request' listener makes node install its compat 'stream' listener (lib/internal/http2/core.js
    // setupCompat); take it back out and put a dispatcher in front, so /3/device/ never pays for it.
    server.on('request', handler as never);
    const [compat] = server.listeners('stream') as ((...args: unknown[]) => void)[];
    if (compat === undefined) throw new Error(`node:http2 ${process.version} installed no compat 'stream' listener; the mock needs Node 20-style setupCompat`);
    server.removeAllListeners('stream');
    server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => {
      // Above the last-stream-id of the GOAWAY this connection sent: the client knows it was not processed.
      if (refuseAfterGoaway(stream)) return;
      core.counters.requests++;
      const path = headers[':path'];
      if (path !== undefined && path.startsWith(devicePathPrefix)) {
        const connection = connections.get(stream.session as ServerHttp2Session);
        if (connection !== undefined) connection.lastStreamAtMs = now();
        if (acceptAll) acceptDeviceStream(stream, headers, streamOptions);
        else if (connection !== undefined) serveDeviceStream(stream, headers, rawHeaders, connection, streamOptions);
        else stream.close(); // a session we never saw open: cannot happen, but never leave a stream hanging
      } else {
        compat.call(server, stream, headers, flags, rawHeaders);
      }
    });
    server.on('session', (session: ServerHttp2Session) => {
      const connection = new ApnsConnection(session, core.settings, now(), setStreamLimit);
      connections.set(session, connection);
      session.once('close', () => connections.delete(session));
      session.on('error', () => {}); // a broken client connection is not the mock's problem
      // A connection that completes its handshake while close() runs is told at once.
      if (closing !== undefined) void connection.goaway('Shutdown', closeGraceMs);
      // The limit the session has now (1 before a token-auth connection's first valid token): a streams fault restores it.
      engine?.onSession(session, connection.streamsRaised ? resolved.maxConcurrentStreams : resolved.initialStreams);
    });
    server.on('unknownProtocol', refuseHttp1);
    markSessionSockets(server);
    // After node's own 'connection' listener exists (TLS or h2c setup): refuse / slow-handshake faults go in front of it.
    engine?.interceptConnections(server);
    return server;
  };

  const app = Fastify({
    logger: resolved.logger,
    bodyLimit: bodyLimitBytes,
    exposeHeadRoutes: false,
    // During close(), let requests on still-open streams be answered normally: fastify's 503 body is not APNs framing.
    return503OnClosing: false,
    http2: true,
    serverFactory,
    frameworkErrors: (_error: unknown, request: { readonly raw: unknown }, reply: { hijack(): unknown }) => answerFrameworkError(request, reply, otherPaths),
  } as never) as unknown as ApnsFastify;
  const otherPaths = {
    stream: streamOptions,
    connectionOf: (raw: { stream: ServerHttp2Stream }) => connections.get(raw.stream.session as ServerHttp2Session),
  };
  registerApnsRoutes(app, otherPaths);

  await app.listen({ host: resolved.host, port: resolved.port });
  const controlUrl = await faults.startControl(() => app.close());
  const stopIdleSweep = resolved.idleTimeoutMs > 0 ? startIdleSweep({ [Symbol.iterator]: () => connections.values() }, resolved.idleTimeoutMs, now) : () => {};
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('mock APNs server has no TCP address');

  return {
    url: `${material.server === undefined ? 'http' : 'https'}://${urlHost(resolved.host)}:${address.port}`,
    ca: material.server?.ca,
    impersonated: resolved.impersonation.hosts,
    credentials: resolved.credentials,
    clientCertificate: material.clientCertificate,
    environment: resolved.sandbox ? 'sandbox' : 'production',
    seed: resolved.seed,
    devices: core.devices,
    rules: core.rules,
    issueClientCertificate: (certificateOptions) => {
      if (material.issue === undefined) {
        return Promise.reject(new InvalidArgumentError('issueClientCertificate needs the mtls option with a CA key (mtls: true generates one)'));
      }
      return material.issue(certificateOptions);
    },
    stats: () => core.counters.snapshot(connections.size),
    faults: engine,
    faultEngine: engine,
    ledger: faults.ledger,
    controlUrl,
    close: () => {
      stopIdleSweep();
      return (closing ??= closeGracefully(app, connections).finally(() => faults.close()));
    },
  };
}

async function closeGracefully(app: ApnsFastify, connections: Map<ServerHttp2Session, ApnsConnection>): Promise<void> {
  // One GOAWAY carrying {"reason":"Shutdown"} (§1.5, §1.7 503 Shutdown) per connection; streams
  // already open finish (at most closeGraceMs), then each connection ends.
  const drained = [...connections.values()].map((connection) => connection.goaway('Shutdown', closeGraceMs));
  // Stops listening at once; resolves when the last connection has gone.
  await Promise.all([app.close(), ...drained]);
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

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIP(host) === 6 ? `[${host}]` : host;
}
