import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError as CommanderArgumentError, Option, type Command } from 'commander';
import { CredentialError } from '../../core/errors.js';
import { loadMockApnsConfig } from '../../simulator/apns/config.js';
import { loadApnsVerificationKey } from '../../simulator/apns/credentials.js';
import type { ApnsTrustedKey, MockApnsOptions } from '../../simulator/apns/options.js';
import { startMockApns, type MockApns } from '../../simulator/apns/server.js';
import { port, positiveInteger } from '../options.js';
import { impersonationCa, impersonationInfo, impersonationLines } from './impersonation.js';
import { addMockFaultFlags, describeMockFaults, mockFaultOptions, type MockFaultFlags } from './mock-faults.js';

interface MockFlags extends MockFaultFlags {
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
}

interface KeySpec {
  readonly keyId: string;
  readonly teamId: string;
  readonly file: string;
}

/** `KEYID:TEAMID:path` (the path may itself contain ':'). */
function keySpec(value: string, previous: KeySpec[]): KeySpec[] {
  const match = /^([^:]+):([^:]+):(.+)$/.exec(value);
  if (match === null) throw new CommanderArgumentError(`expected KEYID:TEAMID:path-to-key (a .p8 or its public key PEM), got "${value}"`);
  return [...previous, { keyId: match[1] as string, teamId: match[2] as string, file: match[3] as string }];
}

export function registerMock(program: Command): void {
  const mock = program.command('mock').description('run a mock push provider until interrupted (Ctrl-C)');
  const apns = mock
    .command('apns')
    .description('mock APNs (HTTP/2): token and certificate auth, every reason, stream limits, GOAWAY on close')
    .option('--port <n>', 'port to listen on (0 picks a free one)', port, 0)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .addOption(new Option('--tls', 'serve TLS with a generated certificate (ALPN h2)').conflicts('h2c'))
    .addOption(new Option('--h2c', 'serve cleartext HTTP/2 (the default)').conflicts(['tls', 'mtls']))
    .option('--mtls', 'certificate-based auth too: TLS asking for client certificates; writes a ready client certificate')
    .option('--sandbox', 'act as the development environment (apns-unique-id on success, sandbox certificates)')
    .option('--config <file>', 'devices, expired tokens, topic rules and scripted reasons (JSON or YAML)')
    .option('--max-streams <n>', 'SETTINGS_MAX_CONCURRENT_STREAMS once a connection is authenticated (default 1000)', positiveInteger)
    .option('--key <KEYID:TEAMID:path>', 'trust this signing key (a .p8 or its public key PEM); repeatable', keySpec, [])
    .option('--accept-all', 'benchmark profile: answer every /3/device/ request 200 without validation')
    .option('--credentials-dir <dir>', 'where to write the generated test credentials (default: a new temp dir)')
    .addOption(new Option('--impersonate', 'TLS with a certificate for api.push.apple.com, api.sandbox.push.apple.com and api.development.push.apple.com, signed by the CA in --credentials-dir (made once)').conflicts('h2c'));
  addMockFaultFlags(apns).action(async (flags: MockFlags) => {
    const dir = flags.credentialsDir ?? (await mkdtemp(join(tmpdir(), 'pushsim-mock-')));
    const impersonation = flags.impersonate === true ? await impersonationCa(dir) : undefined;
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
    const apns = await startMockApns(options);
    await report(apns, flags, dir);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await apns.close();
    const stats = apns.stats();
    const ledger = apns.ledger.summary();
    process.stderr.write(`pushsim mock apns closed after ${stats.requests} requests (delivered ${ledger.delivered}, duplicates ${ledger.duplicates}${ledger.unidentified > 0 ? `, ${ledger.unidentified} without apns-id, not checked for duplicates` : ''})\n`);
  });
}

/** Reads each --key file; a file that cannot be read or is not an EC P-256 key is a credential problem (exit 3). */
async function readKeys(specs: readonly KeySpec[]): Promise<ApnsTrustedKey[]> {
  return Promise.all(
    specs.map(async ({ keyId, teamId, file }) => {
      let key: string;
      try {
        key = await readFile(file, 'utf8');
      } catch (error) {
        throw new CredentialError(`--key ${keyId}:${teamId}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); give the path of the .p8 or its public key`);
      }
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
async function report(apns: MockApns, flags: MockFlags, dir: string): Promise<void> {
  const keyFile = join(dir, `AuthKey_${apns.credentials.keyId}.p8`);
  // The key is a throwaway made for this mock, but it is still a private key: owner-only.
  await writeFile(keyFile, apns.credentials.privateKey, { mode: 0o600 });
  const caFile = apns.ca === undefined ? undefined : join(dir, 'ca.pem');
  if (caFile !== undefined && apns.ca !== undefined) await writeFile(caFile, apns.ca);
  const client = apns.clientCertificate;
  const clientFiles = client === undefined ? undefined : { clientCertFile: join(dir, 'client-cert.pem'), clientKeyFile: join(dir, 'client-key.pem'), bundleId: client.bundleId };
  if (client !== undefined && clientFiles !== undefined) {
    await writeFile(clientFiles.clientCertFile, client.cert);
    await writeFile(clientFiles.clientKeyFile, client.key, { mode: 0o600 });
  }
  const info = { url: apns.url, environment: apns.environment, keyId: apns.credentials.keyId, teamId: apns.credentials.teamId, keyFile, ...(caFile && { caFile }), ...clientFiles, ...impersonationInfo(apns.impersonated, apns.url) };
  await writeFile(join(dir, 'credentials.json'), JSON.stringify(info, null, 2) + '\n');
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`pushsim mock apns listening on ${apns.url}${flags.acceptAll === true ? ' (accept-all: no validation)' : ''}`);
  out(`test credentials: key id ${info.keyId}, team id ${info.teamId}, key file ${keyFile}`);
  if (caFile) out(`trust this CA: ${caFile}`);
  if (clientFiles) out(`client certificate for ${clientFiles.bundleId}: ${clientFiles.clientCertFile} (key ${clientFiles.clientKeyFile})`);
  if (caFile !== undefined && apns.impersonated.length > 0) for (const line of impersonationLines(apns.impersonated, apns.url, caFile)) out(line);
  for (const line of describeMockFaults(apns, flags)) out(line);
  out(`all of it as JSON: ${join(dir, 'credentials.json')}`);
}
