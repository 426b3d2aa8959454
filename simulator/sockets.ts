/**
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
