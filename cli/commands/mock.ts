import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { startMockApns } from '../../simulator/apns/server.js';
import { port } from '../options.js';

interface MockFlags {
  port: number;
  host: string;
  tls?: boolean;
  credentialsDir?: string;
}

export function registerMock(program: Command): void {
  const mock = program.command('mock').description('run a mock push provider until interrupted (Ctrl-C)');
  mock
    .command('apns')
    .description('mock APNs (HTTP/2): token auth, every reason, 410 for unregistered tokens')
    .option('--port <n>', 'port to listen on (0 picks a free one)', port, 0)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--tls', 'serve TLS with a generated certificate (ALPN h2) instead of cleartext h2c')
    .option('--credentials-dir <dir>', 'where to write the generated test key and CA (default: a new temp dir)')
    .action(async (flags: MockFlags) => {
      const apns = await startMockApns({ host: flags.host, port: flags.port, tls: flags.tls === true });
      const dir = flags.credentialsDir ?? (await mkdtemp(join(tmpdir(), 'pushsim-mock-')));
      const keyFile = join(dir, `AuthKey_${apns.credentials.keyId}.p8`);
      // The key is a throwaway made for this mock, but it is still a private key: owner-only.
      await writeFile(keyFile, apns.credentials.privateKey, { mode: 0o600 });
      const caFile = apns.ca === undefined ? undefined : join(dir, 'ca.pem');
      if (caFile !== undefined && apns.ca !== undefined) await writeFile(caFile, apns.ca);
      const info = { url: apns.url, keyId: apns.credentials.keyId, teamId: apns.credentials.teamId, keyFile, ...(caFile && { caFile }) };
      await writeFile(join(dir, 'credentials.json'), JSON.stringify(info, null, 2) + '\n');
      process.stdout.write(`pushsim mock apns listening on ${apns.url}\n`);
      process.stdout.write(`test credentials: key id ${info.keyId}, team id ${info.teamId}, key file ${keyFile}\n`);
      if (caFile) process.stdout.write(`trust this CA: ${caFile}\n`);
      process.stdout.write(`all of it as JSON: ${join(dir, 'credentials.json')}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await apns.close();
      const stats = apns.stats();
      process.stderr.write(`pushsim mock apns closed after ${stats.requests} requests\n`);
    });
}
