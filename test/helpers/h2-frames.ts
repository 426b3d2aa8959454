/**
 * A TCP relay on 127.0.0.1 in front of a cleartext HTTP/2 server that reads the frames the server
 * sends (RFC 9113 §4.1: 9-byte header, then the payload) without changing a byte, so a test can
 * count what went over the wire — e.g. how many GOAWAY frames a shutdown sent, and with what
 * last-stream-id and debug data — whatever the client on the other side is.
 */
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface WireFrame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

export interface WireGoaway {
  readonly lastStreamId: number;
  readonly code: number;
  readonly debug: string;
}

export interface FrameWatch {
  readonly port: number;
  /** Frames the server sent, per client connection, in order. */
  readonly connections: readonly WireFrame[][];
  /** Every GOAWAY the server sent, per connection. */
  goaways(): WireGoaway[][];
  /** Resolves once every relayed connection has closed on both sides. */
  closed(): Promise<void>;
  close(): Promise<void>;
}

export const frameType = { data: 0x0, headers: 0x1, rstStream: 0x3, settings: 0x4, ping: 0x6, goaway: 0x7 } as const;

export async function watchFrames(targetPort: number): Promise<FrameWatch> {
  const connections: WireFrame[][] = [];
  const sockets = new Set<net.Socket>();
  const closes: Promise<void>[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const frames: WireFrame[] = [];
    connections.push(frames);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      closes.push(new Promise((resolve) => socket.once('close', () => resolve())));
      socket.once('close', () => sockets.delete(socket));
    }
    let buffered = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 9) {
        const length = buffered.readUIntBE(0, 3);
        if (buffered.length < 9 + length) break;
        frames.push({ type: buffered[3] ?? 0, flags: buffered[4] ?? 0, streamId: buffered.readUInt32BE(5) & 0x7fffffff, payload: buffered.subarray(9, 9 + length) });
        buffered = buffered.subarray(9 + length);
      }
    });
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    // Half-closes pass through as they are, so a graceful end looks the same to both sides.
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    goaways: () =>
      connections.map((frames) =>
        frames
          .filter((f) => f.type === frameType.goaway)
          .map((f) => ({ lastStreamId: f.payload.readUInt32BE(0) & 0x7fffffff, code: f.payload.readUInt32BE(4), debug: f.payload.subarray(8).toString('utf8') })),
      ),
    closed: async () => {
      await Promise.all(closes);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
