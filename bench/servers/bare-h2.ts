/**
 * The yardstick server: bare node:http2, `stream` API, reads the body and answers 200 with an
 * apns-id. What the mock's throughput is compared against (performance-baselines.md).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';

const server = createServer({ settings: { maxConcurrentStreams: 1000 } });
server.on('stream', (stream) => {
  stream.on('data', () => {});
  stream.on('end', () => stream.respond({ ':status': 200, 'apns-id': randomUUID() }, { endStream: true }));
  stream.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
