/**
 * What `pushsim mock fcm` does once its flags are parsed; imported when the command runs
 * (cli/commands/mock-fcm.ts holds the definition).
 */
import { join } from 'node:path';
import type { MockFcmWorkerOptions } from '../../simulator/cluster/protocol.js';
import type { FaultEngine } from '../../simulator/faults/engine.js';
import type { MockFcmOptions } from '../../simulator/fcm/options.js';
import { startMockFcm, type MockFcm } from '../../simulator/fcm/server.js';
import type { MockFcmStats } from '../../simulator/fcm/stats.js';
import { describeMockFaults, mockFaultOptions, mockListenFlags, type MockFaultFlags } from './mock-faults.js';
import { newPrivateDir, writeOutputFiles } from '../output.js';
import { serveUntilSignal } from '../serve.js';
import { impersonationInfo, impersonationLines, mockCredentials } from './impersonation.js';
import { limitMockProcessHeapGrowth } from '../heap-growth.js';

export interface MockFcmFlags extends MockFaultFlags {
  port: number;
  host: string;
  tls?: boolean;
  project: string;
  quotas: boolean;
  credentialsDir?: string;
  impersonate?: boolean;
  workers: number;
}

/** What the banner needs of a mock, whether one process (MockFcm) or several (MockFcmCluster). */
type Started = Pick<MockFcm, 'url' | 'projectId' | 'serviceAccount' | 'ca' | 'impersonated' | 'controlUrl'> & { readonly faults: Pick<FaultEngine, 'list' | 'seed'> | undefined; readonly workers?: number };

/** Starts the mock the flags describe and serves until SIGINT/SIGTERM. */
export async function mockFcmAction(flags: MockFcmFlags): Promise<void> {
  limitMockProcessHeapGrowth(process.env);
  const { dir: impersonationDir, impersonation } = await mockCredentials(flags, 'pushsim-mock-fcm-');
  const options: MockFcmOptions = {
    host: flags.host,
    port: flags.port,
    tls: flags.tls === true || impersonation !== undefined,
    ...(impersonation !== undefined && { impersonate: true, ca: impersonation.ca }),
    projectId: flags.project,
    ...(!flags.quotas && { projectQuota: false, deviceQuotas: false }),
    ...mockFaultOptions(flags),
  };
  const announce = (fcm: Started): Promise<void> => report(fcm, flags, impersonationDir);
  if (flags.workers > 1) {
    const { startMockFcmCluster } = await import('../../simulator/cluster/primary.js');
    // Every option the CLI builds is plain data: it crosses into the worker processes as it is.
    const fcm = await serveUntilSignal(() => startMockFcmCluster(options as MockFcmWorkerOptions, flags.workers), announce, mockListenFlags(flags));
    closingLine(await fcm.stats(), ` on ${flags.workers} workers`);
    return;
  }
  const fcm = await serveUntilSignal(() => startMockFcm(options), (started) => announce({ ...started, faults: started.faultEngine }), mockListenFlags(flags));
  closingLine(fcm.stats(), '');
}

function closingLine(stats: MockFcmStats, where: string): void {
  process.stderr.write(`pushsim mock fcm closed after ${stats.requests} requests${where} (${stats.accepted} accepted, ${stats.rejected} rejected)\n`);
}

/** Prints where the mock listens and writes the service account it trusts; never prints a private key. */
async function report(fcm: Started, flags: MockFcmFlags, credentialsDir: string | undefined): Promise<void> {
  const dir = credentialsDir ?? (await newPrivateDir('pushsim-mock-fcm-'));
  // A throw-away key made for this mock, but still a private key: owner-only.
  const paths = await writeOutputFiles(dir, [
    { name: 'service-account.json', content: JSON.stringify(fcm.serviceAccount, null, 2) + '\n', secret: true },
    ...(fcm.ca === undefined ? [] : [{ name: 'ca.pem', content: fcm.ca }]),
  ]);
  const serviceAccountFile = paths['service-account.json'] as string;
  const caFile = paths['ca.pem'];
  const info = { url: fcm.url, projectId: fcm.projectId, tokenUri: fcm.serviceAccount.token_uri, serviceAccountFile, ...(caFile && { caFile }), ...impersonationInfo(fcm.impersonated, fcm.url) };
  await writeOutputFiles(dir, [{ name: 'credentials.json', content: JSON.stringify(info, null, 2) + '\n' }]);
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`pushsim mock fcm listening on ${fcm.url}${fcm.workers === undefined ? '' : ` (${fcm.workers} worker processes)`}`);
  out(`send: POST ${fcm.url}/v1/projects/${fcm.projectId}/messages:send · OAuth: POST ${info.tokenUri}`);
  out(`service account (trusted by this mock): ${serviceAccountFile}`);
  if (caFile) out(`trust this CA: ${caFile}`);
  if (caFile !== undefined && fcm.impersonated.length > 0) {
    for (const line of impersonationLines(fcm.impersonated, fcm.url, caFile)) out(line);
    out(`firebase-admin: GOOGLE_APPLICATION_CREDENTIALS=${serviceAccountFile} (project ${fcm.projectId})`);
  }
  for (const line of describeMockFaults(fcm, flags)) out(line);
  out(`all of it as JSON: ${join(dir, 'credentials.json')}`);
}
