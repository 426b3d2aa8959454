/**
 * `pushsim mock webpush`: runs the mock Web Push service (RFC 8030/8291/8292, h2 and HTTP/1.1 on one
 * port) until Ctrl-C / SIGTERM, and writes its VAPID keys and subscriptions. Register under the
 * `mock` command: `registerMockWebPush(mock)`.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { startMockWebPush } from '../../simulator/webpush/server.js';
import { addMockFaultFlags, describeMockFaults, mockFaultOptions, type MockFaultFlags } from './mock-faults.js';
import { port, positiveInteger } from '../options.js';
import { impersonationCa, impersonationInfo, impersonationLines } from './impersonation.js';

interface MockWebPushFlags extends MockFaultFlags {
  port: number;
  host: string;
  tls?: boolean;
  subscriptions: number;
  gone: string;
  credentialsDir?: string;
  impersonate?: boolean;
}

export function registerMockWebPush(mock: Command): void {
  const command = mock
    .command('webpush')
    .description('mock Web Push service (HTTP/2 and HTTP/1.1): VAPID, aes128gcm framing, decrypts payloads, 404/410 for dead subscriptions')
    .option('--port <n>', 'port to listen on (0 picks a free one)', port, 0)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--tls', 'serve TLS with a generated certificate (ALPN h2 and http/1.1) instead of cleartext')
    .option('--subscriptions <n>', 'subscriptions to create', positiveInteger, 1)
    .option('--gone <status>', 'status for expired or unknown subscriptions: 404 or 410', '410')
    .option('--credentials-dir <dir>', 'where to write the VAPID keys, subscriptions and CA (default: a new temp dir)')
    .option('--impersonate', 'TLS with a certificate for the push services\' hosts (Mozilla, FCM, WNS, Apple), signed by the CA in --credentials-dir (made once); subscriptions on https://updates.push.services.mozilla.com');
  addMockFaultFlags(command).action(async (flags: MockWebPushFlags) => {
    const dir = flags.credentialsDir ?? (await mkdtemp(join(tmpdir(), 'pushsim-mock-webpush-')));
    const impersonation = flags.impersonate === true ? await impersonationCa(dir) : undefined;
    const push = await startMockWebPush({
      host: flags.host,
      port: flags.port,
      tls: flags.tls === true || impersonation !== undefined,
      ...(impersonation !== undefined && { impersonate: true, ca: impersonation.ca }),
      subscriptions: flags.subscriptions,
      goneStatus: Number(flags.gone) as 404 | 410,
      ...mockFaultOptions(flags),
    });
    const vapidFile = join(dir, 'vapid.json');
    // The VAPID private key is a throw-away made for this mock, but still a private key: owner-only.
    await writeFile(vapidFile, JSON.stringify(push.vapid, null, 2) + '\n', { mode: 0o600 });
    const subscriptionsFile = join(dir, 'subscriptions.json');
    await writeFile(subscriptionsFile, JSON.stringify(push.subscriptions.list(), null, 2) + '\n', { mode: 0o600 });
    const caFile = push.ca === undefined ? undefined : join(dir, 'ca.pem');
    if (caFile !== undefined && push.ca !== undefined) await writeFile(caFile, push.ca);
    const info = { url: push.url, vapidPublicKey: push.vapid.publicKey, vapidFile, subscriptionsFile, ...(caFile && { caFile }), ...impersonationInfo(push.impersonated.length > 0 ? [new URL(push.endpointOrigin).hostname] : [], push.url) };
    await writeFile(join(dir, 'credentials.json'), JSON.stringify(info, null, 2) + '\n');
    process.stdout.write(`pushsim mock webpush listening on ${push.url}\n`);
    process.stdout.write(`VAPID keys (public ${push.vapid.publicKey}): ${vapidFile}\n`);
    process.stdout.write(`${flags.subscriptions} subscription(s): ${subscriptionsFile}\n`);
    if (caFile) process.stdout.write(`trust this CA: ${caFile}\n`);
    // The subscriptions' host is the one a sender connects to: redirect that one (every name the certificate covers works).
    if (caFile !== undefined && push.impersonated.length > 0) for (const line of impersonationLines([new URL(push.endpointOrigin).hostname], push.url, caFile)) process.stdout.write(`${line}\n`);
    for (const line of describeMockFaults({ faults: push.faultEngine, controlUrl: push.controlUrl }, flags)) process.stdout.write(`${line}\n`);
    process.stdout.write(`all of it as JSON: ${join(dir, 'credentials.json')}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await push.close();
    const stats = push.stats();
    process.stderr.write(`pushsim mock webpush closed after ${stats.requests} requests (${stats.created} created, ${stats.rejected} rejected)\n`);
  });
}
