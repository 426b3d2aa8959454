/**
 * One GOAWAY, the way Apple and Google end a connection (protocols.md §1.5, §1.11; RFC 9113 §6.8):
 * a single GOAWAY frame carrying the last stream the server processed (and APNs' JSON reason as
 * debug data), then the streams up to it finish, then the TCP connection ends — no second frame.
 *
 * node:http2 cannot do that by itself: `session.close()` submits a GOAWAY of its own, and the
 * session's teardown submits another one (`closeSession` → `handle.destroy` →
 * nghttp2_session_terminate_session) whenever its socket is still open. A client that treats a
 * second GOAWAY as "drop everything" (@parse/node-apn destroys its session on it) then loses the
 * answers of streams the server did process. So here:
 *
 *   session.goaway(code, last, debug)       the one frame
 *   close() with goaway() silenced           node waits for the open streams, as it does for close()
 *   destroy() with no error → socket.end()   the socket ends after the last answer is written; once
 *                                            it has closed, node tears the session down without a frame
 *
 * Streams above the last-stream-id that arrived in the same read are refused (REFUSED_STREAM) by the
 * host before it processes them (`refusedByGoaway`), so nothing the client is told was not processed
 * ever reaches the ledger. An abrupt GOAWAY (any other code) ends the socket right after its frame.
 */
import { constants, type Http2SecureServer, type Http2Server, type Http2Session, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';

export interface GoawayOptions {
  /** HTTP/2 error code. NO_ERROR (default) is graceful; any other code ends the connection at once. */
  readonly code?: number;
  /** Debug data: APNs sends `{"reason":"…"}` (protocols.md §1.5). */
  readonly debug?: string | undefined;
  /** The last stream still processed; default: the last stream the session has seen. */
  readonly lastStreamId?: number;
  /** Graceful only: how long open streams may take before the connection is cut. @default 5000 */
  readonly drainMs?: number;
}

/** The raw socket under a session, reached through node's socket proxy (which forwards property reads). */
const rawSocket = Symbol('pushsim.rawSocket');
type Marked = Socket & { [rawSocket]?: Socket };
/** Sessions that have sent their GOAWAY, and the last stream id it named. */
const limits = new WeakMap<Http2Session, number>();

/**
 * Lets `sendGoaway` reach the sockets of this server's sessions (h2c and TLS). Call once, when the
 * server is created; sockets handed to the server later by hand (a sniffer) are marked as well,
 * since the mark is set on the 'connection' / 'secureConnection' events they go through.
 */
export function markSessionSockets(server: Http2Server | Http2SecureServer): void {
  const mark = (socket: Marked): void => {
    socket[rawSocket] = socket;
  };
  server.prependListener('connection', mark);
  server.prependListener('secureConnection', mark);
}

/** The socket of a session whose server was marked, or undefined. */
function socketOf(session: Http2Session): Socket | undefined {
  try {
    return (session.socket as Marked | undefined)?.[rawSocket];
  } catch {
    return undefined; // the session has let go of its socket already
  }
}

/** True when `stream` came in above the last-stream-id of a GOAWAY its session sent: refuse it, unprocessed. */
export function refusedByGoaway(stream: ServerHttp2Stream): boolean {
  const session = stream.session;
  if (session === undefined) return false;
  const limit = limits.get(session);
  return limit !== undefined && (stream.id ?? 0) > limit;
}

/** Closes `stream` with REFUSED_STREAM when it is above its session's GOAWAY; true if it did. */
export function refuseAfterGoaway(stream: ServerHttp2Stream): boolean {
  if (!refusedByGoaway(stream)) return false;
  stream.close(constants.NGHTTP2_REFUSED_STREAM);
  return true;
}

/** True once `sendGoaway` has sent this session's GOAWAY. */
export function goawaySent(session: Http2Session): boolean {
  return limits.has(session);
}

/**
 * Sends one GOAWAY on a server session and ends the connection: gracefully after its streams (or
 * `drainMs`), or at once for an error code. A second call on the same session does nothing.
 * Resolves when the session has closed.
 */
export function sendGoaway(session: Http2Session, options: GoawayOptions = {}): Promise<void> {
  if (session.destroyed) return Promise.resolve();
  const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
  if (session.closed || limits.has(session)) return closed;
  const code = options.code ?? constants.NGHTTP2_NO_ERROR;
  const last = options.lastStreamId ?? session.state.lastProcStreamID ?? 0;
  limits.set(session, last);
  const socket = socketOf(session);
  session.goaway(code, last, options.debug === undefined ? undefined : Buffer.from(options.debug));
  if (socket === undefined) {
    // A session of a server that was not marked: node's own close, which adds its frames.
    if (code === constants.NGHTTP2_NO_ERROR) session.close();
    else setImmediate(() => session.destroy());
    return closed;
  }
  if (code !== constants.NGHTTP2_NO_ERROR) {
    endSocket(socket, 0);
    return closed;
  }
  const drain = setTimeout(() => socket.destroy(), options.drainMs ?? 5_000);
  drain.unref();
  socket.once('close', () => clearTimeout(drain));
  waitForStreams(session, socket);
  return closed;
}

type Patchable = Http2Session & { goaway: Http2Session['goaway']; destroy: Http2Session['destroy'] };

/** node's close(): no new streams, destroy() once the open ones are done — minus its GOAWAY frames. */
function waitForStreams(session: Http2Session, socket: Socket): void {
  const patchable = session as Patchable;
  const destroy = patchable.destroy.bind(session);
  let ending = false;
  patchable.destroy = ((error?: Error | number | null, code?: number) => {
    // A plain destroy() is node's "all streams are done" (kMaybeDestroy, called again as each
    // remaining stream goes); errors keep node's path.
    if ((error === undefined || error === null || error === constants.NGHTTP2_NO_ERROR) && !socket.destroyed) {
      if (!ending) endSocket(socket, 1_000, () => destroy());
      ending = true;
      return session;
    }
    destroy((error ?? undefined) as Error | undefined, code);
    return session;
  }) as Patchable['destroy'];
  patchable.goaway = () => {};
  try {
    session.close();
  } finally {
    delete (patchable as Partial<Patchable>).goaway; // back to the prototype's
  }
}

/**
 * Ends the socket once the GOAWAY frame (queued by node for its next write) is out: a FIN after the
 * pending writes, then `then` (node's teardown: with the write side shut, its terminating GOAWAY
 * cannot reach the wire), and a destroy `graceMs` later if the peer never closes its side.
 */
function endSocket(socket: Socket, graceMs: number, then?: () => void): void {
  setImmediate(() => {
    if (socket.destroyed) {
      then?.();
      return;
    }
    socket.end(then);
    setTimeout(() => socket.destroy(), graceMs).unref();
  });
}
