/**
 * The yardstick of the mock on several processes: the bare node:http2 server of bare-h2.ts, run as
 * N node:cluster workers on one port exactly as `pushsim mock apns --workers N` runs (the primary
 * accepts, round-robin hands each connection to a worker).
 *
 *   node dist/bench/servers/bare-h2-cluster.js [workers=2]
 */
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';

const workers = Number(process.argv[2] ?? 2);

if (cluster.isPrimary) {
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new Error(`workers must be 1–64, got ${process.argv[2]}`);
  let listening = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('listening', (address: AddressInfo) => {
      if (++listening === workers) process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
    });
  }
  const stop = (): void => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    cluster.disconnect(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const server = createServer({ settings: { maxConcurrentStreams: 1000 } });
  server.on('stream', (stream) => {
    stream.on('data', () => {});
    stream.on('end', () => stream.respond({ ':status': 200, 'apns-id': randomUUID() }, { endStream: true }));
    stream.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  // The primary stops the workers; a signal to the whole process group must not race it.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
}
