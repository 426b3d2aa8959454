/**
 * What `pushsim proxy` does once its flags are parsed; imported when the command runs
 * (cli/commands/proxy.ts holds the definition).
 */
import { CredentialError, InvalidArgumentError } from '../../core/errors.js';
import { readTextFile } from '../../core/files.js';
import { fileLimits } from '../../core/limits.js';
import { certificateProblem } from '../../core/pem.js';
import { listenFailure } from '../../core/system-errors.js';
import { startControlServer } from '../../simulator/control/server.js';
import type { ControlServer } from '../../simulator/control/server.js';
import { FaultEngine } from '../../simulator/faults/engine.js';
import { loadFaultsFile } from '../../simulator/faults/spec-file.js';
import { startFaultProxy } from '../../simulator/proxy/proxy.js';
import type { FaultProxy } from '../../simulator/proxy/proxy.js';
import { newPrivateDir, prepareCredentialsDir, writeOutputFiles } from '../output.js';
import { serveUntilSignal } from '../serve.js';
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
  // Everything the flags name is checked before anything listens.
  const spec = flags.faults === undefined ? undefined : await loadFaultsFile(flags.faults);
  const upstreamCa = flags.upstreamCa === undefined ? undefined : await readCaFile(flags.upstreamCa);
  if (flags.impersonate === true && flags.tls === false) throw new InvalidArgumentError('--impersonate serves TLS: drop --no-tls');
  let caDir = flags.caDir === undefined ? undefined : await prepareCredentialsDir(flags.caDir, '--ca-dir');
  const dir = async (): Promise<string> => (caDir ??= await newPrivateDir('pushsim-proxy-'));
  const impersonation = flags.impersonate === true ? await impersonationCa(await dir()) : undefined;
  const host = flags.host ?? '127.0.0.1';
  const engine = new FaultEngine({ ledgerRecords: 1000, ...(spec !== undefined && { spec }), ...(flags.seed !== undefined && { seed: flags.seed }), ...(flags.faults !== undefined && { source: flags.faults }) });
  let proxy: FaultProxy;
  try {
    proxy = await startFaultProxy({ upstream: flags.upstream, host, port: flags.listen, tls: flags.tls !== false, faults: engine, ...(upstreamCa !== undefined && { upstreamCa }), ...(impersonation !== undefined && { ca: impersonation.ca }) });
  } catch (error) {
    engine.close();
    throw listenFailure(error, [{ host, port: flags.listen, portFlag: '--listen' }]);
  }
  // Read from the environment, not a flag: a flag's value is visible to every user in `ps`.
  const token = process.env['PUSHSIM_CONTROL_TOKEN'];
  let control: ControlServer | undefined;
  const close = async (): Promise<void> => {
    await control?.close();
    await proxy.close();
    engine.close();
  };
  try {
    if (flags.controlPort !== undefined) {
      const controlHost = flags.controlHost ?? '127.0.0.1';
      control = await startControlServer({ engine, port: flags.controlPort, host: controlHost, ...(token !== undefined && token !== '' && { token }) }).catch((error: unknown) => {
        throw listenFailure(error, [{ host: controlHost, port: flags.controlPort as number, hostFlag: '--control-host', portFlag: '--control-port' }]);
      });
    }
    let caFile: string | undefined = impersonation?.caFile;
    if (proxy.ca !== undefined && caFile === undefined) {
      caFile = (await writeOutputFiles(await dir(), [{ name: 'proxy-ca.pem', content: proxy.ca }], '--ca-dir'))['proxy-ca.pem'];
    }
    write(`pushsim proxy listening on ${proxy.url} → ${proxy.upstream}`);
    write(`faults: ${engine.list().length} (${flags.faults ?? 'none'}), seed ${engine.seed}`);
    if (caFile !== undefined && proxy.ca !== undefined) write(`trust this CA: ${caFile}\n${proxy.ca.trim()}`);
    if (impersonation !== undefined && caFile !== undefined) for (const line of impersonationLines([new URL(proxy.upstream).hostname], proxy.url, caFile)) write(line);
    if (control !== undefined) write(`control API on ${control.url}${token ? ' (bearer token from PUSHSIM_CONTROL_TOKEN)' : ''}`);
    return { proxy, control, caFile, close };
  } catch (error) {
    // Nothing may keep listening after a failed start: the command must exit.
    await close();
    throw error;
  }
}

/** Runs the proxy the flags describe until SIGINT/SIGTERM, then prints what its ledger saw. */
export async function proxyAction(flags: ProxyFlags): Promise<void> {
  const running = await serveUntilSignal(() => startProxyCommand(flags), async () => {}, []);
  const summary = running.proxy.ledger?.summary();
  if (summary) process.stderr.write(`pushsim proxy closed: delivered ${summary.delivered}, duplicates ${summary.duplicates}\n`);
}

/** The --upstream-ca file: readable, of a sane size, and certificates (not a key, not empty): else exit 3. */
async function readCaFile(path: string): Promise<string> {
  const { text, problem } = await readTextFile(path, fileLimits.credential);
  const wrong = problem ?? certificateProblem(text ?? '');
  if (wrong !== undefined) throw new CredentialError(`--upstream-ca ${path} ${wrong}`);
  return text as string;
}
