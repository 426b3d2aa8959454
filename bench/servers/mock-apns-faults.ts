/**
 * The mock APNs with a fault spec, as a child process for benchmarks: `node mock-apns-faults.js
 * '<faults JSON>' <credentials file>` writes the test credentials to the file (owner-only; never to
 * stdout) and prints `listening on <url>`.
 */
import { writeFileSync } from 'node:fs';
import { startMockApns } from '../../simulator/apns/server.js';
import type { FaultsDocument } from '../../simulator/faults/spec.js';

const faults = JSON.parse(process.argv[2] ?? '{"faults":[]}') as FaultsDocument;
const mock = await startMockApns({ faults });
writeFileSync(process.argv[3] ?? 'credentials.json', JSON.stringify(mock.credentials), { mode: 0o600 });
process.stdout.write(`listening on ${mock.url}\n`);
const stop = (): void => {
  void mock.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
