/**
 * A TCP relay on 127.0.0.1 that can be frozen: bytes stop flowing both ways while the sockets stay
 * open, which is what a dead peer (or a black-holed network path) looks like to a client. It can
 * also hold back its FIN towards the client after either side ended (`peerCloseDelayMs`), as
 * nghttpd and other peers do for a moment, or forever (`Infinity`).
 */
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpRelay {
  readonly port: number;
  freeze(): void;
  close(): Promise<void>;
}

export interface TcpRelayOptions {
  /** After the client's FIN, wait this long before ending the client's side too. @default 0 (at once) */
  readonly peerCloseDelayMs?: number;
}

export async function startTcpRelay(targetPort: number, options: TcpRelayOptions = {}): Promise<TcpRelay> {
  const pairs: [net.Socket, net.Socket][] = [];
  const timers = new Set<NodeJS.Timeout>();
  const closing = new WeakSet<net.Socket>();
  const delay = options.peerCloseDelayMs ?? 0;
  let frozen = false;
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    pairs.push([client, upstream]);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (!frozen && !to.destroyed) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    // The client's FIN, or the server going away: the client's side ends now, later or never.
    const endClientSide = () => {
      if (delay === 0) return end();
      if (!Number.isFinite(delay) || closing.has(client)) return;
      closing.add(client);
      const timer = setTimeout(() => {
        timers.delete(timer);
        end();
      }, delay);
      timers.add(timer);
    };
    client.on('end', endClientSide).on('error', end).on('close', end);
    upstream.on('end', endClientSide).on('error', endClientSide).on('close', endClientSide);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    freeze: () => {
      frozen = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const [a, b] of pairs) {
          a.destroy();
          b.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
