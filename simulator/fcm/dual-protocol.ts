/**
 * A fastify 5 server that speaks HTTP/2 and HTTP/1.1 on one port, as fcm.googleapis.com and the
 * Web Push services do (protocols.md §2.7, §4: firebase-admin uses h2, web-push uses HTTP/1.1):
 *
 *   TLS:        ALPN picks h2 or http/1.1 (http2.createSecureServer with allowHTTP1)
 *   cleartext:  the first bytes decide: the HTTP/2 preface `PRI * HTTP/2.0` (h2c prior knowledge,
 *               RFC 9113 §3.3) goes to the http2 server, anything else to an http1 server
 *
 * HTTP/2 sessions get one GOAWAY (../goaway.ts: open streams finish, then the connection ends,
 * without the extra frames node's session.close() adds) after `idleTimeoutMs` without traffic and
 * after `maxConnectionAgeMs` in any case, like Google's front ends (§2.7), and on close(). Shared by
 * the FCM and Web Push mocks.
 */
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createSecureServer,
  createServer as createH2cServer,
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import { isIP, type Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteGenericInterface } from 'fastify';
import type { FaultEngine } from '../faults/engine.js';
import { markSessionSockets, refuseAfterGoaway, sendGoaway } from '../goaway.js';

type RawServer = Http2Server | Http2SecureServer;
/**
 * Typed as HTTP/2 compat objects; HTTP/1.1 requests arrive as node:http objects of the same shape
 * for everything the mocks use (headers, httpVersion, the readable body), as with allowHTTP1.
 */
export type DualFastify = FastifyInstance<RawServer, Http2ServerRequest, Http2ServerResponse>;
export type DualRequest = FastifyRequest<RouteGenericInterface, RawServer, Http2ServerRequest>;
export type DualReply = FastifyReply<RouteGenericInterface, RawServer, Http2ServerRequest, Http2ServerResponse>;

export interface DualServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: false | { readonly cert: string; readonly key: string };
  /** SETTINGS_MAX_CONCURRENT_STREAMS per HTTP/2 connection. */
  readonly maxConcurrentStreams: number;
  /** GOAWAY after this long without traffic (HTTP/2); keep-alive timeout (HTTP/1.1). 0 = never. */
  readonly idleTimeoutMs: number;
  /** GOAWAY once a connection is this old, busy or not. 0 = never. */
  readonly maxConnectionAgeMs: number;
  /** Largest request body read; fastify answers a larger one with a 413 error (the mock maps it). */
  readonly bodyLimit: number;
  readonly logger: boolean;
  /** Answers URL problems found while routing (bad percent-encoding, over-long parameters) in the provider's framing. */
  readonly onFrameworkError: (reply: { code(status: number): unknown; send(body: unknown): unknown }) => void;
  /** With faults: connection faults in front of every TCP connection (both protocols), session hooks for HTTP/2. */
  readonly engine?: FaultEngine | undefined;
}

export interface DualServer {
  readonly app: DualFastify;
  /** Listens; resolves with the origin, e.g. `http://127.0.0.1:54321`. */
  listen(): Promise<string>;
  /** HTTP/2 sessions and HTTP/1.1 sockets open now. */
  connections(): number;
  /** GOAWAY to every session, lets open requests finish (at most `graceMs`), then stops. */
  close(graceMs?: number): Promise<void>;
}

const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export function createDualServer(options: DualServerOptions): DualServer {
  const sessions = new Set<Http2Session>();
  const sockets = new Set<Socket>();
  /** HTTP/1.1 sockets and how many requests each has open, so close() can end the idle ones at once. */
  const http1Sockets = new Map<Socket, number>();
  let closingNow = false;
  const countHttp1 = (req: { socket: Socket }, res: { once(event: 'close', listener: () => void): unknown }): void => {
    const socket = req.socket;
    const open = http1Sockets.get(socket);
    if (open === undefined) return;
    http1Sockets.set(socket, open + 1);
    res.once('close', () => {
      const left = (http1Sockets.get(socket) ?? 1) - 1;
      http1Sockets.set(socket, left);
      if (closingNow && left === 0) socket.destroy();
    });
  };

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      http1Sockets.delete(socket);
    });
  };

  const serverFactory = (handler: (req: Http2ServerRequest | IncomingMessage, res: Http2ServerResponse | ServerResponse) => void): Http2Server | Http2SecureServer => {
    const settings = { maxConcurrentStreams: options.maxConcurrentStreams };
    let server: Http2Server | Http2SecureServer;
    if (options.tls !== false) {
      server = createSecureServer(
        { cert: options.tls.cert, key: options.tls.key, allowHTTP1: true, ALPNProtocols: ['h2', 'http/1.1'], minVersion: 'TLSv1.2', settings },
        handler,
      );
      server.on('connection', track);
      server.on('secureConnection', (socket: Socket & { alpnProtocol?: string | false }) => {
        if (socket.alpnProtocol !== 'h2') http1Sockets.set(socket, 0);
      });
      server.on('request', countHttp1);
    } else {
      const h2c = createH2cServer({ settings }, handler);
      const h1 = createHttp1Server(handler);
      h1.keepAliveTimeout = options.idleTimeoutMs;
      h1.on('request', countHttp1);
      // Take over the h2c server's connection handling: sniff, then hand the socket to the right one.
      const [http2Listener] = h2c.listeners('connection') as ((socket: Socket) => void)[];
      h2c.removeAllListeners('connection');
      h2c.on('connection', (socket: Socket) => {
        track(socket);
        sniff(socket, (isHttp2, buffered) => {
          if (isHttp2) {
            // node:http2 reads bytes already buffered in the stream before it consumes the handle.
            socket.pause();
            socket.unshift(buffered);
            http2Listener?.call(h2c, socket);
          } else {
            http1Sockets.set(socket, 0);
            // node:http consumes the socket's handle directly, so an unshift would be lost: replay instead.
            h1.emit('connection', socket);
            socket.emit('data', buffered);
          }
        });
      });
      server = h2c;
    }
    refuseStreamsAfterGoaway(server);
    markSessionSockets(server);
    // Last, so the connection listeners above (TLS, or the h2c/HTTP/1.1 sniffer) sit behind the faults.
    options.engine?.interceptConnections(server);
    server.on('session', (session: Http2Session) => {
      sessions.add(session);
      options.engine?.onSession(session, options.maxConcurrentStreams);
      const goaway = (): void => void sendGoaway(session);
      if (closingNow) goaway();
      if (options.idleTimeoutMs > 0) session.setTimeout(options.idleTimeoutMs, goaway);
      const ageTimer = options.maxConnectionAgeMs > 0 ? setTimeout(goaway, options.maxConnectionAgeMs).unref() : undefined;
      session.on('error', () => {});
      session.once('close', () => {
        sessions.delete(session);
        if (ageTimer !== undefined) clearTimeout(ageTimer);
      });
    });
    return server;
  };

  const app = Fastify({
    logger: options.logger,
    http2: true,
    serverFactory: serverFactory as never,
    bodyLimit: options.bodyLimit,
    exposeHeadRoutes: false,
    // Fastify's own 503 while closing is not the provider's framing; let open requests finish instead.
    return503OnClosing: false,
    frameworkErrors: (_error: unknown, _request: unknown, reply: { code(status: number): unknown; send(body: unknown): unknown }) => options.onFrameworkError(reply),
  } as never) as unknown as DualFastify;

  let closing: Promise<void> | undefined;
  return {
    app,
    async listen() {
      await app.listen({ host: options.host, port: options.port });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('the mock server has no TCP address');
      return `${options.tls === false ? 'http' : 'https'}://${urlHost(options.host)}:${address.port}`;
    },
    connections: () => sessions.size + http1Sockets.size,
    close(graceMs = 5_000) {
      closing ??= (async () => {
        closingNow = true;
        const drained = [...sessions].map((session) => sendGoaway(session, { drainMs: graceMs }));
        for (const [socket, open] of http1Sockets) if (open === 0) socket.destroy();
        const force = setTimeout(() => {
          for (const session of sessions) session.destroy();
          for (const socket of sockets) socket.destroy();
        }, graceMs);
        try {
          await Promise.all([app.close(), ...drained]);
        } finally {
          clearTimeout(force);
          for (const socket of sockets) socket.destroy();
        }
      })();
      return closing;
    },
  };
}

/**
 * Puts a check in front of node's compat 'stream' listener: a stream above the last-stream-id of a
 * GOAWAY its session sent is refused (REFUSED_STREAM) before fastify sees it, so it is never processed.
 */
function refuseStreamsAfterGoaway(server: Http2Server | Http2SecureServer): void {
  const listeners = server.listeners('stream') as ((stream: ServerHttp2Stream, ...rest: unknown[]) => void)[];
  server.removeAllListeners('stream');
  server.on('stream', (stream: ServerHttp2Stream, ...rest: unknown[]) => {
    if (refuseAfterGoaway(stream)) return;
    for (const listener of listeners) listener.call(server, stream, ...rest);
  });
}

/** Reads until the first bytes show whether this is the HTTP/2 preface, then calls `decide` once. */
function sniff(socket: Socket, decide: (isHttp2: boolean, buffered: Buffer) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const n = Math.min(buffered.length, preface.length);
    const matches = buffered.subarray(0, n).equals(preface.subarray(0, n));
    if (matches && buffered.length < preface.length) return;
    socket.removeListener('data', onData);
    socket.removeListener('error', onError);
    decide(matches, buffered);
  };
  const onError = (): void => {
    socket.destroy();
  };
  socket.on('data', onData);
  socket.on('error', onError);
}

export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIP(host) === 6 ? `[${host}]` : host;
}
