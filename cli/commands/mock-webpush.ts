/**
 * `pushsim mock webpush`: runs the mock Web Push service (RFC 8030/8291/8292, h2 and HTTP/1.1 on one
 * port) until Ctrl-C / SIGTERM, and writes its VAPID keys and subscriptions. Register under the
 * `mock` command: `registerMockWebPush(mock)`.
 *
 * This file is the definition; what it does is in mock-webpush-action.ts, imported when it runs.
 */
import { InvalidArgumentError as UsageError } from 'commander';
import type { Command } from 'commander';
import { addMockFaultFlags } from './mock-faults.js';
import { addMockWorkersFlag } from './mock-workers.js';
import { port, positiveInteger } from '../options.js';
import type { MockWebPushFlags } from './mock-webpush-action.js';

export function registerMockWebPush(mock: Command): void {
  const command = mock
    .command('webpush')
    .description('mock Web Push service (HTTP/2 and HTTP/1.1): VAPID, aes128gcm framing, decrypts payloads, 404/410 for dead subscriptions')
    .option('--port <n>', 'port to listen on (0 picks a free one)', port, 0)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--tls', 'serve TLS with a generated certificate (ALPN h2 and http/1.1) instead of cleartext')
    .option('--subscriptions <n>', 'subscriptions to create', positiveInteger, 1)
    .option('--gone <status>', 'status for expired or unknown subscriptions: 404 or 410', goneStatus, 410)
    .option('--credentials-dir <dir>', 'where to write the VAPID keys, subscriptions and CA (default: a new temp dir)')
    .option('--impersonate', 'TLS with a certificate for the push services\' hosts (Mozilla, FCM, WNS, Apple), signed by the CA in --credentials-dir (made once); subscriptions on https://updates.push.services.mozilla.com');
  addMockWorkersFlag(addMockFaultFlags(command)).action(async (flags: MockWebPushFlags) => {
    const { mockWebPushAction } = await import('./mock-webpush-action.js');
    await mockWebPushAction(flags);
  });
}

function goneStatus(value: string): 404 | 410 {
  if (value !== '404' && value !== '410') throw new UsageError(`expected 404 or 410, got "${value}"`);
  return Number(value) as 404 | 410;
}
