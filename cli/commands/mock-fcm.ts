/**
 * `pushsim mock fcm`: runs the mock FCM (HTTP v1 + OAuth2 token endpoint, h2 and HTTP/1.1 on one
 * port) until Ctrl-C / SIGTERM, and writes a throw-away service account whose token_uri points at
 * it. Register under the `mock` command: `registerMockFcm(mock)`.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { startMockFcm } from '../../simulator/fcm/server.js';
import { addMockFaultFlags, describeMockFaults, mockFaultOptions, type MockFaultFlags } from './mock-faults.js';
import { port } from '../options.js';
import { impersonationCa, impersonationInfo, impersonationLines } from './impersonation.js';

interface MockFcmFlags extends MockFaultFlags {
  port: number;
  host: string;
  tls?: boolean;
  project: string;
  quotas: boolean;
  credentialsDir?: string;
  impersonate?: boolean;
}

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
  addMockFaultFlags(command).action(async (flags: MockFcmFlags) => {
    const dir = flags.credentialsDir ?? (await mkdtemp(join(tmpdir(), 'pushsim-mock-fcm-')));
    const impersonation = flags.impersonate === true ? await impersonationCa(dir) : undefined;
    const fcm = await startMockFcm({
      host: flags.host,
      port: flags.port,
      tls: flags.tls === true || impersonation !== undefined,
      ...(impersonation !== undefined && { impersonate: true, ca: impersonation.ca }),
      projectId: flags.project,
      ...(!flags.quotas && { projectQuota: false, deviceQuotas: false }),
      ...mockFaultOptions(flags),
    });
    const serviceAccountFile = join(dir, 'service-account.json');
    // A throw-away key made for this mock, but still a private key: owner-only.
    await writeFile(serviceAccountFile, JSON.stringify(fcm.serviceAccount, null, 2) + '\n', { mode: 0o600 });
    const caFile = fcm.ca === undefined ? undefined : join(dir, 'ca.pem');
    if (caFile !== undefined && fcm.ca !== undefined) await writeFile(caFile, fcm.ca);
    const info = { url: fcm.url, projectId: fcm.projectId, tokenUri: fcm.serviceAccount.token_uri, serviceAccountFile, ...(caFile && { caFile }), ...impersonationInfo(fcm.impersonated, fcm.url) };
    await writeFile(join(dir, 'credentials.json'), JSON.stringify(info, null, 2) + '\n');
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
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await fcm.close();
    const stats = fcm.stats();
    process.stderr.write(`pushsim mock fcm closed after ${stats.requests} requests (${stats.accepted} accepted, ${stats.rejected} rejected)\n`);
  });
}
