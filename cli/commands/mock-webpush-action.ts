/**
 * What `pushsim mock webpush` does once its flags are parsed; imported when the command runs
 * (cli/commands/mock-webpush.ts holds the definition).
 */
import { join } from 'node:path';
import type { MockWebPushWorkerOptions } from '../../simulator/cluster/protocol.js';
import type { FaultEngine } from '../../simulator/faults/engine.js';
import type { MockWebPushOptions } from '../../simulator/webpush/options.js';
import type { MockWebPushStats } from '../../simulator/webpush/routes.js';
import { startMockWebPush, type MockWebPush } from '../../simulator/webpush/server.js';
import type { PushSubscriptionJson } from '../../simulator/webpush/subscriptions.js';
import { describeMockFaults, mockFaultOptions, mockListenFlags, type MockFaultFlags } from './mock-faults.js';
import { newPrivateDir, writeOutputFiles } from '../output.js';
import { serveUntilSignal } from '../serve.js';
import { impersonationInfo, impersonationLines, mockCredentials } from './impersonation.js';
import { limitMockProcessHeapGrowth } from '../heap-growth.js';

export interface MockWebPushFlags extends MockFaultFlags {
  port: number;
  host: string;
  tls?: boolean;
  subscriptions: number;
  gone: 404 | 410;
  credentialsDir?: string;
  impersonate?: boolean;
  workers: number;
}

/** What the banner needs of a mock, whether one process (MockWebPush) or several (MockWebPushCluster). */
type Started = Pick<MockWebPush, 'url' | 'vapid' | 'ca' | 'impersonated' | 'endpointOrigin' | 'controlUrl'> & {
  readonly subscriptions: readonly PushSubscriptionJson[];
  readonly faults: Pick<FaultEngine, 'list' | 'seed'> | undefined;
  readonly workers?: number;
};

/** Starts the mock the flags describe and serves until SIGINT/SIGTERM. */
export async function mockWebPushAction(flags: MockWebPushFlags): Promise<void> {
  limitMockProcessHeapGrowth(process.env);
  const { dir: impersonationDir, impersonation } = await mockCredentials(flags, 'pushsim-mock-webpush-');
  const options: MockWebPushOptions = {
    host: flags.host,
    port: flags.port,
    tls: flags.tls === true || impersonation !== undefined,
    ...(impersonation !== undefined && { impersonate: true, ca: impersonation.ca }),
    subscriptions: flags.subscriptions,
    goneStatus: flags.gone,
    ...mockFaultOptions(flags),
  };
  const announce = (push: Started): Promise<void> => report(push, flags, impersonationDir);
  if (flags.workers > 1) {
    const { startMockWebPushCluster } = await import('../../simulator/cluster/primary.js');
    // Every option the CLI builds is plain data: it crosses into the worker processes as it is.
    const push = await serveUntilSignal(() => startMockWebPushCluster(options as MockWebPushWorkerOptions, flags.workers), announce, mockListenFlags(flags));
    closingLine(await push.stats(), ` on ${flags.workers} workers`);
    return;
  }
  const push = await serveUntilSignal(() => startMockWebPush(options), (started) => announce({ ...started, subscriptions: started.subscriptions.list(), faults: started.faultEngine }), mockListenFlags(flags));
  closingLine(push.stats(), '');
}

function closingLine(stats: MockWebPushStats, where: string): void {
  process.stderr.write(`pushsim mock webpush closed after ${stats.requests} requests${where} (${stats.created} created, ${stats.rejected} rejected)\n`);
}

/** Prints where the mock listens and writes its VAPID keys and subscriptions; never prints a private key. */
async function report(push: Started, flags: MockWebPushFlags, credentialsDir: string | undefined): Promise<void> {
  const dir = credentialsDir ?? (await newPrivateDir('pushsim-mock-webpush-'));
  // The VAPID private key is a throw-away made for this mock, but still a private key: owner-only.
  const paths = await writeOutputFiles(dir, [
    { name: 'vapid.json', content: JSON.stringify(push.vapid, null, 2) + '\n', secret: true },
    { name: 'subscriptions.json', content: JSON.stringify(push.subscriptions, null, 2) + '\n', secret: true },
    ...(push.ca === undefined ? [] : [{ name: 'ca.pem', content: push.ca }]),
  ]);
  const vapidFile = paths['vapid.json'] as string;
  const subscriptionsFile = paths['subscriptions.json'] as string;
  const caFile = paths['ca.pem'];
  const info = { url: push.url, vapidPublicKey: push.vapid.publicKey, vapidFile, subscriptionsFile, ...(caFile && { caFile }), ...impersonationInfo(push.impersonated.length > 0 ? [new URL(push.endpointOrigin).hostname] : [], push.url) };
  await writeOutputFiles(dir, [{ name: 'credentials.json', content: JSON.stringify(info, null, 2) + '\n' }]);
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`pushsim mock webpush listening on ${push.url}${push.workers === undefined ? '' : ` (${push.workers} worker processes)`}`);
  out(`VAPID keys (public ${push.vapid.publicKey}): ${vapidFile}`);
  out(`${flags.subscriptions} subscription(s): ${subscriptionsFile}`);
  if (caFile) out(`trust this CA: ${caFile}`);
  // The subscriptions' host is the one a sender connects to: redirect that one (every name the certificate covers works).
  if (caFile !== undefined && push.impersonated.length > 0) for (const line of impersonationLines([new URL(push.endpointOrigin).hostname], push.url, caFile)) out(line);
  for (const line of describeMockFaults(push, flags)) out(line);
  out(`all of it as JSON: ${join(dir, 'credentials.json')}`);
}
