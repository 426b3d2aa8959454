/**
 * `pushsim mock apns` (and the `mock` command the FCM and Web Push mocks hang under): the definition.
 * What it does is in mock-action.ts, imported when it runs.
 */
import { InvalidArgumentError as CommanderArgumentError, Option, type Command } from 'commander';
import { port, positiveInteger } from '../options.js';
import { addMockFaultFlags } from './mock-faults.js';
import { addMockWorkersFlag } from './mock-workers.js';
import type { KeySpec, MockFlags } from './mock-action.js';

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
  addMockWorkersFlag(addMockFaultFlags(apns)).action(async (flags: MockFlags) => {
    const { mockApnsAction } = await import('./mock-action.js');
    await mockApnsAction(flags);
  });
}
