/**
 * `pushsim proxy --listen PORT --upstream URL [--faults FILE]`: the fault proxy in front of any
 * HTTP/2 provider (the real APNs / FCM sandbox, or a mock), with an optional control API.
 * TLS towards the client uses a CA generated at start; its PEM is printed and written to a file so
 * the client can trust it. The client's `authorization` passes through untouched and is never printed.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError as UsageError } from 'commander';
import type { Command } from 'commander';
import { CredentialError } from '../../core/errors.js';
import { startControlServer } from '../../simulator/control/server.js';
import type { ControlServer } from '../../simulator/control/server.js';
import { FaultEngine } from '../../simulator/faults/engine.js';
import { loadFaultsFile } from '../../simulator/faults/spec-file.js';
import { startFaultProxy } from '../../simulator/proxy/proxy.js';
import type { FaultProxy } from '../../simulator/proxy/proxy.js';
import { port } from '../options.js';
import { impersonationCa, impersonationLines } from './impersonation.js';

export interface ProxyFlags {
  readonly listen: number;
  readonly upstream: string;
  readonly host?: string;
  readonly upstreamCa?: string;
  readonly faults?: string;
  readonly seed?: number;
  /** commander's --no-tls */
  readonly tls?: boolean;
  readonly caDir?: string;
  readonly impersonate?: boolean;
  readonly controlPort?: number;
  readonly controlHost?: string;
}

export interface RunningProxy {
  readonly proxy: FaultProxy;
  readonly control: ControlServer | undefined;
  readonly caFile: string | undefined;
  close(): Promise<void>;
}

/** What the command does before waiting for Ctrl-C; the library function behind `pushsim proxy`. */
export async function startProxyCommand(flags: ProxyFlags, write: (line: string) => void = (line) => process.stdout.write(line + '\n')): Promise<RunningProxy> {
  const spec = flags.faults === undefined ? undefined : await loadFaultsFile(flags.faults);
  const upstreamCa = flags.upstreamCa === undefined ? undefined : await readPem(flags.upstreamCa);
  if (flags.impersonate === true && flags.tls === false) throw new UsageError('--impersonate serves TLS: drop --no-tls');
  let caDir = flags.caDir;
  const dir = async (): Promise<string> => (caDir ??= await mkdtemp(join(tmpdir(), 'pushsim-proxy-')));
  const impersonation = flags.impersonate === true ? await impersonationCa(await dir()) : undefined;
  const engine = new FaultEngine({ ledgerRecords: 1000, ...(spec !== undefined && { spec }), ...(flags.seed !== undefined && { seed: flags.seed }), ...(flags.faults !== undefined && { source: flags.faults }) });
  let proxy: FaultProxy;
  try {
    proxy = await startFaultProxy({ upstream: flags.upstream, host: flags.host ?? '127.0.0.1', port: flags.listen, tls: flags.tls !== false, faults: engine, ...(upstreamCa !== undefined && { upstreamCa }), ...(impersonation !== undefined && { ca: impersonation.ca }) });
  } catch (error) {
    engine.close();
    throw error;
  }
  // Read from the environment, not a flag: a flag's value is visible to every user in `ps`.
  const token = process.env['PUSHSIM_CONTROL_TOKEN'];
  let control: ControlServer | undefined;
  try {
    control =
      flags.controlPort === undefined
        ? undefined
        : await startControlServer({ engine, port: flags.controlPort, host: flags.controlHost ?? '127.0.0.1', ...(token !== undefined && token !== '' && { token }) });
  } catch (error) {
    await proxy.close();
    engine.close();
    throw error;
  }
  let caFile: string | undefined = impersonation?.caFile;
  if (proxy.ca !== undefined && caFile === undefined) {
    caFile = join(await dir(), 'proxy-ca.pem');
    await writeFile(caFile, proxy.ca);
  }
  write(`pushsim proxy listening on ${proxy.url} → ${proxy.upstream}`);
  write(`faults: ${engine.list().length} (${flags.faults ?? 'none'}), seed ${engine.seed}`);
  if (caFile !== undefined && proxy.ca !== undefined) write(`trust this CA: ${caFile}\n${proxy.ca.trim()}`);
  if (impersonation !== undefined && caFile !== undefined) for (const line of impersonationLines([new URL(proxy.upstream).hostname], proxy.url, caFile)) write(line);
  if (control !== undefined) write(`control API on ${control.url}${token ? ' (bearer token from PUSHSIM_CONTROL_TOKEN)' : ''}`);
  return {
    proxy,
    control,
    caFile,
    close: async () => {
      await control?.close();
      await proxy.close();
      engine.close();
    },
  };
}

export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description('fault proxy: apply a fault spec to HTTP/2 traffic in front of APNs, FCM or a mock, until Ctrl-C')
    .requiredOption('--listen <port>', 'port to listen on (0 picks a free one)', port)
    .requiredOption('--upstream <url>', 'HTTP/2 origin to forward to, e.g. https://api.sandbox.push.apple.com')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--upstream-ca <file>', 'PEM CA to trust for the upstream (e.g. a mock\'s ca.pem); system CAs otherwise')
    .option('--faults <file>', 'fault spec, YAML or JSON (faults, phases, seed)')
    .option('--seed <n>', 'seed of the fault dice (overrides the spec\'s)', seedFlag)
    .option('--no-tls', 'serve cleartext h2c to the client instead of TLS with a generated CA')
    .option('--ca-dir <dir>', 'where to write proxy-ca.pem (default: a new temp dir)')
    .option('--impersonate', 'sign the certificate (valid for the upstream\'s name) with the CA in --ca-dir, made once (ca.pem, ca-key.pem), and print how to send an unmodified app here')
    .option('--control-port <n>', 'start the control API (HTTP/1.1 JSON + /metrics) on this port', port)
    .option('--control-host <address>', 'address for the control API; not loopback needs PUSHSIM_CONTROL_TOKEN', '127.0.0.1')
    .action(async (flags: ProxyFlags) => {
      const running = await startProxyCommand(flags);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      const summary = running.proxy.ledger?.summary();
      await running.close();
      if (summary) process.stderr.write(`pushsim proxy closed: delivered ${summary.delivered}, duplicates ${summary.duplicates}\n`);
    });
}

function seedFlag(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`expected a whole number >= 0, got "${value}"`);
  return n;
}

async function readPem(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new CredentialError(`cannot read the upstream CA ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'unreadable'}`, { cause });
  }
}
