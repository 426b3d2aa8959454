/**
 * nghttpd (nghttp2's C server, Debian `nghttp2-server`) as the far end of sender benchmarks: over
 * TLS it answers ~10× more requests per second than one Node thread can send (performance-
 * baselines.md), so the client is always the limit. It serves files from a document root for any
 * method, so an empty file at `3/device/<token>` answers an APNs POST with 200, a file at
 * `v1/projects/<id>/messages:send` answers FCM with a message name, and files at `push/<id>` stand
 * for Web Push endpoints (200: a 2xx, as the push service's 201).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { generateServerCertificate } from '../../simulator/tls.js';
import { pinning } from './h2load.js';

export const nghttpdBin = '/usr/sbin/nghttpd';

export interface Nghttpd {
  readonly origin: string;
  /** PEM of the CA that signed the server's certificate. */
  readonly ca: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Writes `files` (relative path → contents) under `dir`; nghttpd reads them per request, so this may follow its start. */
export async function writeDocroot(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, contents] of Object.entries(files)) {
    const file = join(dir, path);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, contents);
  }
}

/**
 * Starts nghttpd over TLS serving `docroot` (pinned to the servers' CPU when taskset can), with a
 * fresh certificate, and waits until it accepts connections.
 */
export async function startNghttpd(docroot: string, workDir: string): Promise<Nghttpd> {
  await mkdir(docroot, { recursive: true });
  const certificate = await generateServerCertificate({ hosts: ['127.0.0.1', 'localhost'] });
  const keyFile = join(workDir, 'nghttpd-key.pem');
  const certFile = join(workDir, 'nghttpd-cert.pem');
  await writeFile(keyFile, certificate.key, { mode: 0o600 });
  await writeFile(certFile, certificate.cert);
  const port = await freePort();
  const args = ['-a', '127.0.0.1', '-d', docroot, '-m', '10000', String(port), keyFile, certFile];
  const [command, commandArgs] = pinning === undefined ? [nghttpdBin, args] : ['taskset', ['-c', String(pinning.server), nghttpdBin, ...args]];
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'ignore', 'inherit'] });
  // Never left behind: killed when this process exits (peers.ts turns SIGINT/SIGTERM into an exit).
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  let exited: string | undefined;
  child.once('error', (error) => (exited = `cannot run ${nghttpdBin} (${error.message}); install it with: apt-get install nghttp2-server`));
  child.once('exit', (code) => (exited ??= `nghttpd exited with ${code}`));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (exited !== undefined) throw new Error(exited);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('nghttpd did not accept connections within 10 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    origin: `https://127.0.0.1:${port}`,
    ca: certificate.ca,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
