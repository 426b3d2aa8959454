/**
 * What `pushsim mock apns` does once its flags are parsed; imported when the command runs, so other
 * commands start without loading the mock (cli/commands/mock.ts holds the definition).
 */
import { join } from 'node:path';
import { CredentialError } from '../../core/errors.js';
import { readTextFile } from '../../core/files.js';
import { fileLimits } from '../../core/limits.js';
import { loadMockApnsConfig } from '../../simulator/apns/config.js';
import { loadApnsVerificationKey } from '../../simulator/apns/credentials.js';
import type { ApnsTrustedKey, MockApnsOptions } from '../../simulator/apns/options.js';
import { startMockApns, type MockApns } from '../../simulator/apns/server.js';
import type { MockApnsStats } from '../../simulator/apns/stats.js';
import type { MockApnsWorkerOptions } from '../../simulator/apns/worker-protocol.js';
import type { FaultEngine } from '../../simulator/faults/engine.js';
import type { LedgerSummary } from '../../simulator/ledger/ledger.js';
import { newPrivateDir, writeOutputFiles } from '../output.js';
import { serveUntilSignal } from '../serve.js';
import { describeMockFaults, mockFaultOptions, mockListenFlags, type MockFaultFlags } from './mock-faults.js';
import { impersonationInfo, impersonationLines, mockCredentials } from './impersonation.js';
import { limitMockProcessHeapGrowth } from '../heap-growth.js';

export interface MockFlags extends MockFaultFlags {
  port: number;
  host: string;
  tls?: boolean;
  h2c?: boolean;
  mtls?: boolean;
  sandbox?: boolean;
  config?: string;
  maxStreams?: number;
  key: KeySpec[];
  acceptAll?: boolean;
  credentialsDir?: string;
  impersonate?: boolean;
  workers: number;
}

export interface KeySpec {
  readonly keyId: string;
  readonly teamId: string;
  readonly file: string;
}

/** Starts the mock APNs the flags describe and serves until SIGINT/SIGTERM. */
export async function mockApnsAction(flags: MockFlags): Promise<void> {
  limitMockProcessHeapGrowth(process.env);
  const { dir, impersonation } = await mockCredentials(flags, 'pushsim-mock-');
  const options: MockApnsOptions = {
    host: flags.host,
    port: flags.port,
    tls: flags.tls === true || flags.mtls === true || impersonation !== undefined,
    ...(impersonation !== undefined && { impersonate: true, ca: impersonation.ca }),
    ...(flags.mtls === true && { mtls: true }),
    ...(flags.sandbox === true && { sandbox: true }),
    ...(flags.maxStreams !== undefined && { maxConcurrentStreams: flags.maxStreams }),
    ...(flags.acceptAll === true && { profile: 'accept-all' as const }),
    ...(flags.config !== undefined && { config: await loadMockApnsConfig(flags.config) }),
    ...(flags.key.length > 0 && { keys: await readKeys(flags.key) }),
    ...mockFaultOptions(flags),
  };
  if (flags.workers > 1) {
    const { startMockApnsCluster } = await import('../../simulator/cluster/primary.js');
    // Every option the CLI builds is plain data: it crosses into the worker processes as it is.
    const apns = await serveUntilSignal(() => startMockApnsCluster(options as MockApnsWorkerOptions, flags.workers), (started) => report(started, flags, dir), mockListenFlags(flags));
    closingLine(await apns.stats(), apns.ledger.summary(), ` on ${flags.workers} workers`);
    return;
  }
  const apns = await serveUntilSignal(() => startMockApns(options), (started) => report(started, flags, dir), mockListenFlags(flags));
  closingLine(apns.stats(), apns.ledger.summary(), '');
}

function closingLine(stats: MockApnsStats, ledger: LedgerSummary, where: string): void {
  process.stderr.write(`pushsim mock apns closed after ${stats.requests} requests${where} (delivered ${ledger.delivered}, duplicates ${ledger.duplicates}${ledger.unidentified > 0 ? `, ${ledger.unidentified} without apns-id, not checked for duplicates` : ''})\n`);
}

/** Reads each --key file; a file that cannot be read or is not an EC P-256 key is a credential problem (exit 3). */
async function readKeys(specs: readonly KeySpec[]): Promise<ApnsTrustedKey[]> {
  return Promise.all(
    specs.map(async ({ keyId, teamId, file }) => {
      const { text: key, problem } = await readTextFile(file, fileLimits.credential);
      if (problem !== undefined) throw new CredentialError(`--key ${keyId}:${teamId}: ${file} ${problem}; give the path of the .p8 or its public key`);
      try {
        loadApnsVerificationKey(key);
      } catch (error) {
        throw new CredentialError(`--key ${keyId}:${teamId}: ${file}: ${(error as Error).message}`);
      }
      if (!/^[A-Z0-9]{10}$/.test(keyId) || !/^[A-Z0-9]{10}$/.test(teamId)) {
        // Apple's ids are 10 characters; other ids work with the mock, but say so in case of a typo.
        process.stderr.write(`note: --key ${keyId}:${teamId}: Apple key and team ids are 10 characters from A-Z0-9\n`);
      }
      return { keyId, teamId, key };
    }),
  );
}

/** Prints the URL and writes the generated credentials; never prints a private key. */
async function report(apns: Pick<MockApns, 'clientCertificate' | 'credentials' | 'ca' | 'url' | 'environment' | 'impersonated' | 'controlUrl'> & { readonly faults: Pick<FaultEngine, 'list' | 'seed'> | undefined; readonly workers?: number }, flags: MockFlags, credentialsDir: string | undefined): Promise<void> {
  const dir = credentialsDir ?? (await newPrivateDir('pushsim-mock-'));
  const client = apns.clientCertificate;
  // The key is a throwaway made for this mock, but it is still a private key: owner-only.
  const paths = await writeOutputFiles(dir, [
    { name: `AuthKey_${apns.credentials.keyId}.p8`, content: apns.credentials.privateKey, secret: true },
    ...(apns.ca === undefined ? [] : [{ name: 'ca.pem', content: apns.ca }]),
    ...(client === undefined ? [] : [{ name: 'client-cert.pem', content: client.cert }, { name: 'client-key.pem', content: client.key, secret: true }]),
  ]);
  const keyFile = paths[`AuthKey_${apns.credentials.keyId}.p8`] as string;
  const caFile = paths['ca.pem'];
  const clientFiles = client === undefined ? undefined : { clientCertFile: paths['client-cert.pem'] as string, clientKeyFile: paths['client-key.pem'] as string, bundleId: client.bundleId };
  const info = { url: apns.url, environment: apns.environment, keyId: apns.credentials.keyId, teamId: apns.credentials.teamId, keyFile, ...(caFile && { caFile }), ...clientFiles, ...impersonationInfo(apns.impersonated, apns.url) };
  await writeOutputFiles(dir, [{ name: 'credentials.json', content: JSON.stringify(info, null, 2) + '\n' }]);
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`pushsim mock apns listening on ${apns.url}${flags.acceptAll === true ? ' (accept-all: no validation)' : ''}${apns.workers === undefined ? '' : ` (${apns.workers} worker processes)`}`);
  out(`test credentials: key id ${info.keyId}, team id ${info.teamId}, key file ${keyFile}`);
  if (caFile) out(`trust this CA: ${caFile}`);
  if (caFile !== undefined && apns.impersonated.length > 0) for (const line of impersonationLines(apns.impersonated, apns.url, caFile)) out(line);
  if (clientFiles) out(`client certificate for ${clientFiles.bundleId}: ${clientFiles.clientCertFile} (key ${clientFiles.clientKeyFile})`);
  for (const line of describeMockFaults(apns, flags)) out(line);
  out(`all of it as JSON: ${join(dir, 'credentials.json')}`);
}
