/**
 * The h2load harness the mock benchmarks share (Debian nghttp2-client): one fixed command — 4
 * connections × 100 streams, one thread, a ~140-byte APNs payload to one token — against servers
 * running as child processes, in interleaved rounds, measuring 2xx answers per second and the
 * server's CPU µs per request (from /proc).
 *
 * These 2-core VMs are noisy: the same server under the same command varies ±30 % from one run to
 * the next (measured: 26.7–58.3 µs CPU/request for one unchanged mock), and one server process can
 * stay 20–30 % slower than another built the same way for all its life (JIT and heap layout luck:
 * two identical mocks side by side gave per-round ratios of 0.69–1.47). So:
 *   - when `taskset` exists, servers run on the last CPU and h2load on the first (no core shared);
 *   - every round starts each server afresh, warms it up with a short h2load run that is not
 *     counted, then measures one run and stops it;
 *   - targets are interleaved, order reversed every other round;
 *   - results are medians over rounds, and a comparison is the median of per-round ratios.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, generateKeyPair, importPKCS8 } from 'jose';
import { processTreeCpuMicros, startChild, type Child } from './children.js';

const h2loadBin = '/usr/bin/h2load';
export const benchToken = 'ab'.repeat(32);
export const benchTopic = 'com.example.app';
export const benchPayload = JSON.stringify({ aps: { alert: { title: 'bench', body: 'A notification of about two hundred bytes, like a real one would be' }, badge: 1, sound: 'default' } });

export interface RoundResult {
  readonly perSecond: number;
  readonly cpuMicrosPerRequest: number | undefined;
}

/** A server under test, started afresh for every round. */
export interface Target {
  readonly name: string;
  readonly start: () => Promise<Server>;
  readonly results: RoundResult[];
}

export interface Server {
  readonly child: Child;
  readonly authorization: string;
  /** Another provider's request instead of the APNs one (path, headers but authorization, body file). */
  readonly request?: H2loadRequest;
}

export interface H2loadRequest {
  readonly path: string;
  readonly headers: readonly string[];
  readonly payloadFile: string;
}

/** CPUs for [h2load, servers] when taskset can pin them apart; undefined otherwise. */
export const pinning: { readonly client: number; readonly server: number } | undefined = (() => {
  const count = cpus().length;
  if (count < 2 || spawnSync('taskset', ['-V']).status !== 0) return undefined;
  return { client: 0, server: count - 1 };
})();

/** Moves a child server to the servers' CPU (no-op without taskset). */
export function pin(child: Child): Child {
  const pid = child.process.pid;
  if (pinning !== undefined && pid !== undefined) spawnSync('taskset', ['-a', '-p', '-c', String(pinning.server), String(pid)]);
  return child;
}

export function h2loadArgs(requests: number, url: string, authorization: string, payloadFile: string, request?: H2loadRequest): string[] {
  if (request !== undefined) return ['-n', String(requests), '-c', '4', '-m', '100', '-t', '1', '-d', request.payloadFile, ...request.headers.flatMap((h) => ['-H', h]), '-H', `authorization: ${authorization}`, `${url}${request.path}`];
  return ['-n', String(requests), '-c', '4', '-m', '100', '-t', '1', '-d', payloadFile, '-H', `apns-topic: ${benchTopic}`, '-H', `authorization: ${authorization}`, '-H', 'content-type: application/json', `${url}/3/device/${benchToken}`];
}

/** The command as printed in a report: no port, no real JWT. */
export function describeH2load(requests: number): string {
  const args = h2loadArgs(requests, 'http://127.0.0.1:PORT', 'bearer <valid ES256 JWT>', 'payload.json');
  const pinned = pinning === undefined ? '' : `taskset -c ${pinning.client} `;
  return `${pinned}h2load ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

function runH2load(args: readonly string[]): Promise<string> {
  const [command, commandArgs] = pinning === undefined ? [h2loadBin, args] : ['taskset', ['-c', String(pinning.client), h2loadBin, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', (error) => reject(new Error(`cannot run ${h2loadBin} (${error.message}); install it with: apt-get install nghttp2-client`)));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`h2load exited with ${code}:\n${out}`))));
  });
}

/** 2xx answers per second, from h2load's "finished in Xs" and "status codes: N 2xx" lines. */
function parse(out: string): { seconds: number; ok: number } {
  const seconds = Number(/finished in ([\d.]+)(m?s)/.exec(out)?.[1]) / (/finished in [\d.]+ms/.test(out) ? 1000 : 1);
  const ok = Number(/status codes: (\d+) 2xx/.exec(out)?.[1]);
  if (!Number.isFinite(seconds) || !Number.isFinite(ok)) throw new Error(`unexpected h2load output:\n${out}`);
  return { seconds, ok };
}

/** One h2load run against `server`: 2xx per second and the server's CPU per 2xx (its worker processes' too). */
export async function measure(server: Server, requests: number, payloadFile: string): Promise<RoundResult> {
  const pid = server.child.process.pid;
  const cpu0 = await processTreeCpuMicros(pid);
  const { seconds, ok } = parse(await runH2load(h2loadArgs(requests, server.child.url, server.authorization, payloadFile, server.request)));
  const cpu1 = await processTreeCpuMicros(pid);
  return { perSecond: ok / seconds, cpuMicrosPerRequest: cpu0 === undefined || cpu1 === undefined ? undefined : (cpu1 - cpu0) / ok };
}

export interface RoundsOptions {
  readonly rounds: number;
  readonly requests: number;
  /** h2load requests sent to each fresh server before the measured run. @default requests / 5 */
  readonly warmup?: number;
  readonly payloadFile: string;
}

/** Per round and target (order reversed every other round): start, warm up, measure, stop. */
export async function interleave(targets: readonly Target[], options: RoundsOptions): Promise<void> {
  const warmup = options.warmup ?? Math.max(1, Math.floor(options.requests / 5));
  for (let round = 0; round < options.rounds; round++) {
    for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
      const server = await target.start();
      try {
        await measure(server, warmup, options.payloadFile);
        target.results.push(await measure(server, options.requests, options.payloadFile));
      } finally {
        await server.child.stop();
      }
    }
  }
}

/**
 * `pushsim mock apns` with `extraArgs` (node's own options in `nodeOptions`), pinned unless `pinned`
 * is false (a mock on several processes needs every core), with a valid provider token for h2load.
 */
export function mockApnsTarget(name: string, extraArgs: readonly string[], nodeOptions: readonly string[] = [], pinned = true): Target {
  const start = async (): Promise<Server> => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-h2load-'));
    const started = await startChild('cli/bin.js', ['mock', 'apns', '--credentials-dir', dir, ...extraArgs], undefined, nodeOptions);
    const child = pinned ? pin(started) : started;
    const info = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8')) as { keyId: string; teamId: string; keyFile: string };
    const key = await importPKCS8(await readFile(info.keyFile, 'utf8'), 'ES256');
    const jwt = await new SignJWT({ iss: info.teamId, iat: Math.floor(Date.now() / 1000) }).setProtectedHeader({ alg: 'ES256', kid: info.keyId }).sign(key);
    return { child, authorization: `bearer ${jwt}` };
  };
  return { name, start, results: [] };
}

/**
 * What a yardstick is sent as `authorization`: an ES256 provider token of the mock's shape (10-character
 * kid and iss, iat), signed with a key of its own, so that the bare server gets the same request
 * bytes as the mock, as "the same h2load command" says. nghttp2 never indexes `authorization` in
 * HPACK, so its receiver Huffman-decodes the whole token on every request (~1 µs of the mock's CPU
 * per request under h2load, perf): a yardstick sent a short placeholder was spared that and looked
 * ~5 % faster than the same server receiving the mock's request.
 */
export async function yardstickAuthorization(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  const jwt = await new SignJWT({ iss: 'YARDSTICK0', iat: Math.floor(Date.now() / 1000) }).setProtectedHeader({ alg: 'ES256', kid: 'YARDSTICK0' }).sign(privateKey);
  return `bearer ${jwt}`;
}

/** The bare node:http2 yardstick (servers/bare-h2.ts), pinned, sent the mock's request (yardstickAuthorization). */
export function bareTarget(): Target {
  return { name: 'bare node:http2', start: async () => ({ child: pin(await startChild('bench/servers/bare-h2.js')), authorization: await yardstickAuthorization() }), results: [] };
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export function medianPerSecond(target: Target): number {
  return median(target.results.map((r) => r.perSecond));
}

export function medianCpu(target: Target): number {
  return median(target.results.flatMap((r) => (r.cpuMicrosPerRequest === undefined ? [] : [r.cpuMicrosPerRequest])));
}

/** One line per target: median req/s, × the yardstick, median server CPU µs/request, every round. */
export function describeTarget(target: Target, yardstick: number, nameWidth: number): string {
  const perSecond = medianPerSecond(target);
  const cpu = medianCpu(target);
  const cpuText = Number.isNaN(cpu) ? '' : `  ${cpu.toFixed(1).padStart(5)} µs server CPU/request`;
  const all = target.results.map((r) => r.perSecond.toFixed(0)).join(', ');
  return `${target.name.padEnd(nameWidth)} ${perSecond.toFixed(0).padStart(7)} req/s  ${(perSecond / yardstick).toFixed(2)} × bare${cpuText}  (rounds: ${all})`;
}
