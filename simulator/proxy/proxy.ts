/**
 * The fault proxy: an HTTP/2 front (TLS with a generated local CA, or h2c) built on http2-proxy,
 * that applies the fault engine's per-stream, frame and connection faults in front of any HTTP/2
 * upstream — the real APNs or FCM sandbox, or pushsim's own mocks. Streams no fault touches pass
 * through unchanged: status, headers and body bytes (RFC 9113 hop-by-hop headers aside). The
 * client's `authorization` header is forwarded untouched and never logged.
 *
 *   const proxy = await startFaultProxy({ upstream: mock.url, upstreamCa: mock.ca, faults: spec });
 *   // point the sender at proxy.url, trust proxy.ca
 */
import type { ClientRequest, RequestOptions } from 'node:http';
import { constants, createSecureServer, createServer } from 'node:http2';
import type { Http2SecureServer, Http2Server, Http2ServerRequest, Http2ServerResponse, Http2Session, IncomingHttpHeaders } from 'node:http2';
import { isIP } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { createRequire } from 'node:module';
import type * as Http2Proxy from 'http2-proxy';
import type { Clock } from '../../core/clock.js';
import { InvalidArgumentError, assertInteger } from '../../core/errors.js';
import { FaultEngine } from '../faults/engine.js';
import { markSessionSockets, refuseAfterGoaway } from '../goaway.js';
import type { FaultsDocument } from '../faults/spec.js';
import type { DeliveryLedger } from '../ledger/ledger.js';
import { defaultServerHosts, generateServerCertificate, type PemKeyPair } from '../tls.js';
import { UpstreamExchange, UpstreamSessions, writeUpstreamResponse } from './upstream.js';
import type { UpstreamResponse } from './upstream.js';

// http2-proxy is CommonJS and attaches `web` at run time, which ESM named imports cannot see.
const http2Proxy = createRequire(import.meta.url)('http2-proxy') as typeof Http2Proxy;

export interface FaultProxyOptions {
  /** Origin to forward to, e.g. `https://api.sandbox.push.apple.com` or a mock's `url`. */
  readonly upstream: string;
  /** PEM CA to trust for the upstream (a mock's `ca`); system CAs otherwise. */
  readonly upstreamCa?: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /**
   * true (default): TLS with a certificate from a generated CA (`FaultProxy.ca`), valid for the
   * loopback names and the upstream's own name (so a client sent here by that name still verifies);
   * false: h2c; or bring your own.
   */
  readonly tls?: boolean | { readonly cert: string; readonly key: string; readonly ca?: string };
  /** The CA ({ cert, key }, PEM) that signs the generated certificate instead of a new one (`pushsim proxy --impersonate`). */
  readonly ca?: PemKeyPair;
  /** A fault spec, or an engine you built (and read the ledger of). @default no faults */
  readonly faults?: FaultsDocument | FaultEngine;
  /** Seed and clock for an engine built from `faults`. */
  readonly seed?: number;
  readonly clock?: Clock;
  /** Latest deliveries kept for `ledger.records()` (and the control API) by an engine built here. @default 1000 */
  readonly ledgerRecords?: number;
  /** Run without the fault framework at all (the benchmark's baseline). @default false */
  readonly passThrough?: boolean;
  /** SETTINGS_MAX_CONCURRENT_STREAMS towards the client. @default 1000 (observed APNs value, protocols.md §1.11) */
  readonly maxConcurrentStreams?: number;
}

export interface FaultProxy {
  readonly url: string;
  /** PEM CA the client must trust (undefined for h2c). */
  readonly ca: string | undefined;
  /** undefined only with `passThrough`. */
  readonly engine: FaultEngine | undefined;
  readonly ledger: DeliveryLedger | undefined;
  readonly upstream: string;
  close(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstreamUrl = parseUpstream(options.upstream);
  const host = options.host ?? '127.0.0.1';
  const port = assertInteger('port', options.port ?? 0, 0, 65_535);
  const maxConcurrentStreams = assertInteger('maxConcurrentStreams', options.maxConcurrentStreams ?? 1000, 1, 2 ** 31 - 1);
  const engine =
    options.passThrough === true
      ? undefined
      : options.faults instanceof FaultEngine
        ? options.faults
        : new FaultEngine({ ledgerRecords: options.ledgerRecords ?? 1000, ...(options.faults !== undefined && { spec: options.faults }), ...(options.seed !== undefined && { seed: options.seed }), ...(options.clock !== undefined && { clock: options.clock }) });
  const ownsEngine = engine !== undefined && !(options.faults instanceof FaultEngine);

  const tls = await resolveTls(options.tls ?? true, host, upstreamUrl.hostname, options.ca);
  const settings = { maxConcurrentStreams };
  const server: Http2Server | Http2SecureServer =
    tls === undefined ? createServer({ settings }) : createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: false, ALPNProtocols: ['h2'], settings });

  const upstream = new UpstreamSessions({ origin: upstreamUrl.origin, ca: options.upstreamCa });
  const sessions = new Set<Http2Session>();
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    engine?.onSession(session, maxConcurrentStreams);
  });
  // A goaway fault sends one GOAWAY and ends the connection after its streams (../goaway.ts).
  markSessionSockets(server);
  if (engine) engine.interceptConnections(server as unknown as Server);

  const authority = upstreamUrl.host;
  const scheme = upstreamUrl.protocol.replace(':', '');
  server.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
    const clientStream = req.stream;
    // Above the last-stream-id of a GOAWAY this connection got: refused, never forwarded.
    if (refuseAfterGoaway(clientStream)) return;
    const context = { clientStream, clientHeaders: req.headers as IncomingHttpHeaders, upstream, authority, scheme, engine, metrics: engine?.metrics };
    void http2Proxy.web(
      req,
      res,
      {
        hostname: upstreamUrl.hostname,
        port: Number(upstreamUrl.port || (scheme === 'https' ? 443 : 80)),
        onReq: async (_req: Http2ServerRequest, requestOptions: RequestOptions) =>
          new UpstreamExchange(context, requestOptions as ConstructorParameters<typeof UpstreamExchange>[1]) as unknown as ClientRequest,
        onRes: async (_req: Http2ServerRequest, _res: Http2ServerResponse, proxyRes: unknown) => writeUpstreamResponse(clientStream, proxyRes as UpstreamResponse),
      },
      // The client's stream died mid-way (or the exchange failed): make sure it is gone.
      (error: Error | null) => {
        if (error && !clientStream.destroyed) clientStream.close(constants.NGHTTP2_INTERNAL_ERROR);
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `${tls === undefined ? 'http' : 'https'}://${urlHost(host)}:${bound}`,
    ca: tls?.ca,
    engine,
    ledger: engine?.ledger,
    upstream: upstreamUrl.origin,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        upstream.close();
        if (ownsEngine) engine?.close();
        server.close(() => resolve());
      })),
  };
}

function parseUpstream(upstream: string): URL {
  let url: URL;
  try {
    url = new URL(upstream);
  } catch {
    throw new InvalidArgumentError(`upstream must be a URL like https://api.sandbox.push.apple.com, got ${String(upstream)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidArgumentError(`upstream must be https:// (TLS) or http:// (h2c), got ${url.protocol}`);
  if (url.pathname !== '/' || url.search !== '') throw new InvalidArgumentError(`upstream must be an origin without a path, got ${upstream}`);
  return url;
}

async function resolveTls(tls: NonNullable<FaultProxyOptions['tls']>, host: string, upstreamHost: string, ca: PemKeyPair | undefined): Promise<{ cert: string; key: string; ca: string | undefined } | undefined> {
  if (tls === false) return undefined;
  if (tls === true) {
    // The upstream's name too, so a client that keeps its real host name (hosts file, SNI) still verifies.
    const hosts = [...new Set([...defaultServerHosts, ...(host === '0.0.0.0' || host === '::' ? [] : [host]), upstreamHost.replace(/^\[|\]$/g, '')])];
    return generateServerCertificate({ hosts, ...(ca !== undefined && { ca }) });
  }
  if (typeof tls.cert !== 'string' || typeof tls.key !== 'string') throw new InvalidArgumentError('tls must be true, false or { cert, key, ca? } with PEM strings');
  return { cert: tls.cert, key: tls.key, ca: tls.ca };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIP(host) === 6 ? `[${host}]` : host;
}
