/**
 * `pushsim mock fcm`: runs the mock FCM (HTTP v1 + OAuth2 token endpoint, h2 and HTTP/1.1 on one
 * port) until Ctrl-C / SIGTERM, and writes a throw-away service account whose token_uri points at
 * it. Register under the `mock` command: `registerMockFcm(mock)`.
 *
 * This file is the definition; what it does is in mock-fcm-action.ts, imported when it runs.
 */
import type { Command } from 'commander';
import { addMockFaultFlags } from './mock-faults.js';
import { addMockWorkersFlag } from './mock-workers.js';
import { port } from '../options.js';
import type { MockFcmFlags } from './mock-fcm-action.js';

export function registerMockFcm(mock: Command): void {
  const command = mock
    .command('fcm')
    .description('mock FCM HTTP v1 with its OAuth2 token endpoint (HTTP/2 and HTTP/1.1): every FCM error code, quotas, scripted faults')
    .option('--port <n>', 'port to listen on (0 picks a free one)', port, 0)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--tls', 'serve TLS with a generated certificate (ALPN h2 and http/1.1) instead of cleartext')
    .option('--project <id>', 'project id of the generated service account', 'pushsim-test')
    .option('--no-quotas', 'turn off the project (600,000/min) and device (240/min, 5,000/h) quotas, for load tests')
    .option('--credentials-dir <dir>', 'where to write the service account and CA (default: a new temp dir)')
    .option('--impersonate', 'TLS with a certificate for fcm.googleapis.com and oauth2.googleapis.com (both served here), signed by the CA in --credentials-dir (made once)');
  addMockWorkersFlag(addMockFaultFlags(command)).action(async (flags: MockFcmFlags) => {
    const { mockFcmAction } = await import('./mock-fcm-action.js');
    await mockFcmAction(flags);
  });
}
