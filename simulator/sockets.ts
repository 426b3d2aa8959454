/**
 * Raw sockets under the HTTP/2 servers: cutting them with a TCP reset (faults), and tracking them.
 *
 * The raw TCP sockets of a server, so close() can cut them at the end of its grace period.
 * node:http2 lets go of a session's socket once the session is destroyed — after the client's
 * GOAWAY, say — and that socket then waits for the client's FIN; server.close() waits for it, and
 * session.destroy() can no longer reach it. A client that sends GOAWAY and keeps its side open
 * would hold close() forever.
 */
import type { Server, Socket } from 'node:net';

export interface TrackedSockets {
  /** Destroys every socket still open. */
  destroyAll(): void;
}

export function trackSockets(server: Server): TrackedSockets {
  const sockets = new Set<Socket>();
  // 'connection' is the TCP socket for TLS servers too: destroying it ends the TLS socket on top.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    destroyAll: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

export type ResettableSocket = Socket & { resetAndDestroy?: () => void; _parent?: ResettableSocket };

/**
 * TCP RST rather than FIN, so the peer sees ECONNRESET (net.Socket#resetAndDestroy, Node ≥ 16.17).
 * Only the TCP socket can do that: for TLS, reset the socket under the TLSSocket (`_parent`).
 */
export function resetSocket(socket: ResettableSocket | undefined): void {
  const tcp = socket?._parent ?? socket;
  if (tcp === undefined || tcp.destroyed) return;
  try {
    if (typeof tcp.resetAndDestroy === 'function') {
      tcp.resetAndDestroy();
      return;
    }
  } catch {
    // not a TCP handle after all (e.g. a pipe): a plain destroy below
  }
  tcp.destroy();
}
