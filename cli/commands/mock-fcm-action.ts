/**
 * What `pushsim mock fcm` does once its flags are parsed; imported when the command runs
 * (cli/commands/mock-fcm.ts holds the definition).
 */
import { join } from 'node:path';
import { startMockFcm } from '../../simulator/fcm/server.js';
import { describeMockFaults, mockFaultOptions, mockListenFlags, type MockFaultFlags } from './mock-faults.js';
import { newPrivateDir, writeOutputFiles } from '../output.js';
import { serveUntilSignal } from '../serve.js';
import { impersonationInfo, impersonationLines, mockCredentials } from './impersonation.js';

export interface MockFcmFlags extends MockFaultFlags {
  port: number;
  host: string;
  tls?: boolean;
  project: string;
  quotas: boolean;
  credentialsDir?: string;
  impersonate?: boolean;
}

/** Starts the mock the flags describe and serves until SIGINT/SIGTERM. */
export async function mockFcmAction(flags: MockFcmFlags): Promise<void> {
  const { dir: impersonationDir, impersonation } = await mockCredentials(flags, 'pushsim-mock-fcm-');
  const start = () =>
    startMockFcm({
      host: flags.host,
      port: flags.port,
      tls: flags.tls === true || impersonation !== undefined,
      ...(impersonation !== undefined && { impersonate: true, ca: impersonation.ca }),
      projectId: flags.project,
      ...(!flags.quotas && { projectQuota: false, deviceQuotas: false }),
      ...mockFaultOptions(flags),
    });
  const fcm = await serveUntilSignal(start, async (fcm) => {
    const dir = impersonationDir ?? (await newPrivateDir('pushsim-mock-fcm-'));
    // A throw-away key made for this mock, but still a private key: owner-only.
    const paths = await writeOutputFiles(dir, [
      { name: 'service-account.json', content: JSON.stringify(fcm.serviceAccount, null, 2) + '\n', secret: true },
      ...(fcm.ca === undefined ? [] : [{ name: 'ca.pem', content: fcm.ca }]),
    ]);
    const serviceAccountFile = paths['service-account.json'] as string;
    const caFile = paths['ca.pem'];
    const info = { url: fcm.url, projectId: fcm.projectId, tokenUri: fcm.serviceAccount.token_uri, serviceAccountFile, ...(caFile && { caFile }), ...impersonationInfo(fcm.impersonated, fcm.url) };
    await writeOutputFiles(dir, [{ name: 'credentials.json', content: JSON.stringify(info, null, 2) + '\n' }]);
    process.stdout.write(`pushsim mock fcm listening on ${fcm.url}\n`);
    process.stdout.write(`send: POST ${fcm.url}/v1/projects/${fcm.projectId}/messages:send · OAuth: POST ${info.tokenUri}\n`);
    process.stdout.write(`service account (trusted by this mock): ${serviceAccountFile}\n`);
    if (caFile) process.stdout.write(`trust this CA: ${caFile}\n`);
    if (caFile !== undefined && fcm.impersonated.length > 0) {
      for (const line of impersonationLines(fcm.impersonated, fcm.url, caFile)) process.stdout.write(`${line}\n`);
      process.stdout.write(`firebase-admin: GOOGLE_APPLICATION_CREDENTIALS=${serviceAccountFile} (project ${fcm.projectId})\n`);
    }
    for (const line of describeMockFaults({ faults: fcm.faultEngine, controlUrl: fcm.controlUrl }, flags)) process.stdout.write(`${line}\n`);
    process.stdout.write(`all of it as JSON: ${join(dir, 'credentials.json')}\n`);
  }, mockListenFlags(flags));
  const stats = fcm.stats();
  process.stderr.write(`pushsim mock fcm closed after ${stats.requests} requests (${stats.accepted} accepted, ${stats.rejected} rejected)\n`);
}
