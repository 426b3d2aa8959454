/**
 * What `pushsim mock webpush` does once its flags are parsed; imported when the command runs
 * (cli/commands/mock-webpush.ts holds the definition).
 */
import { join } from 'node:path';
import { startMockWebPush } from '../../simulator/webpush/server.js';
import { describeMockFaults, mockFaultOptions, mockListenFlags, type MockFaultFlags } from './mock-faults.js';
import { newPrivateDir, writeOutputFiles } from '../output.js';
import { serveUntilSignal } from '../serve.js';
import { impersonationInfo, impersonationLines, mockCredentials } from './impersonation.js';

export interface MockWebPushFlags extends MockFaultFlags {
  port: number;
  host: string;
  tls?: boolean;
  subscriptions: number;
  gone: 404 | 410;
  credentialsDir?: string;
  impersonate?: boolean;
}

/** Starts the mock the flags describe and serves until SIGINT/SIGTERM. */
export async function mockWebPushAction(flags: MockWebPushFlags): Promise<void> {
  const { dir: impersonationDir, impersonation } = await mockCredentials(flags, 'pushsim-mock-webpush-');
  const start = () =>
    startMockWebPush({
      host: flags.host,
      port: flags.port,
      tls: flags.tls === true || impersonation !== undefined,
      ...(impersonation !== undefined && { impersonate: true, ca: impersonation.ca }),
      subscriptions: flags.subscriptions,
      goneStatus: flags.gone,
      ...mockFaultOptions(flags),
    });
  const push = await serveUntilSignal(start, async (push) => {
    const dir = impersonationDir ?? (await newPrivateDir('pushsim-mock-webpush-'));
    // The VAPID private key is a throw-away made for this mock, but still a private key: owner-only.
    const paths = await writeOutputFiles(dir, [
      { name: 'vapid.json', content: JSON.stringify(push.vapid, null, 2) + '\n', secret: true },
      { name: 'subscriptions.json', content: JSON.stringify(push.subscriptions.list(), null, 2) + '\n', secret: true },
      ...(push.ca === undefined ? [] : [{ name: 'ca.pem', content: push.ca }]),
    ]);
    const vapidFile = paths['vapid.json'] as string;
    const subscriptionsFile = paths['subscriptions.json'] as string;
    const caFile = paths['ca.pem'];
    const info = { url: push.url, vapidPublicKey: push.vapid.publicKey, vapidFile, subscriptionsFile, ...(caFile && { caFile }), ...impersonationInfo(push.impersonated.length > 0 ? [new URL(push.endpointOrigin).hostname] : [], push.url) };
    await writeOutputFiles(dir, [{ name: 'credentials.json', content: JSON.stringify(info, null, 2) + '\n' }]);
    process.stdout.write(`pushsim mock webpush listening on ${push.url}\n`);
    process.stdout.write(`VAPID keys (public ${push.vapid.publicKey}): ${vapidFile}\n`);
    process.stdout.write(`${flags.subscriptions} subscription(s): ${subscriptionsFile}\n`);
    if (caFile) process.stdout.write(`trust this CA: ${caFile}\n`);
    // The subscriptions' host is the one a sender connects to: redirect that one (every name the certificate covers works).
    if (caFile !== undefined && push.impersonated.length > 0) for (const line of impersonationLines([new URL(push.endpointOrigin).hostname], push.url, caFile)) process.stdout.write(`${line}\n`);
    for (const line of describeMockFaults({ faults: push.faultEngine, controlUrl: push.controlUrl }, flags)) process.stdout.write(`${line}\n`);
    process.stdout.write(`all of it as JSON: ${join(dir, 'credentials.json')}\n`);
  }, mockListenFlags(flags));
  const stats = push.stats();
  process.stderr.write(`pushsim mock webpush closed after ${stats.requests} requests (${stats.created} created, ${stats.rejected} rejected)\n`);
}
