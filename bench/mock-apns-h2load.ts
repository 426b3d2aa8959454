/**
 * Mock APNs throughput under h2load (Debian nghttp2-client), next to the yardstick: a bare
 * node:http2 server that only answers 200 (servers/bare-h2.ts). Three servers, each a child
 * process, driven by the same h2load command in interleaved rounds:
 *
 *   bare node:http2          the ceiling for a node:http2 server on this machine
 *   mock APNs, validated     the default profile: token auth (the JWT is verified once, then cached),
 *                            every APNs check, APNs framing
 *   mock APNs, accept-all    the benchmark profile: no validation (Pushy's BenchmarkApnsServer)
 *
 * Prints req/s (2xx answers per second) and the server's CPU µs per request, medians over the
 * rounds, and the ratios to bare. These 2-core machines drift 15–25 %: compare ratios from one run.
 * A token-auth connection allows 1 stream until its token is validated (protocols.md §1.9), so
 * h2load's first burst on each validated connection is partly refused (REFUSED_STREAM); those are
 * counted as failed by h2load and left out of req/s.
 *
 *   node dist/bench/mock-apns-h2load.js [requests=200000] [rounds=3]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import { childCpuMicros, startChild, type Child } from './lib/children.js';

const requests = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 3);
const h2loadBin = '/usr/bin/h2load';
const token = 'ab'.repeat(32);
const topic = 'com.example.app';
const payload = JSON.stringify({ aps: { alert: { title: 'bench', body: 'A notification of about two hundred bytes, like a real one would be' }, badge: 1, sound: 'default' } });

interface Target {
  readonly name: string;
  readonly child: Child;
  readonly authorization: string;
  readonly results: { perSecond: number; cpuMicrosPerRequest: number | undefined }[];
}

function h2loadArgs(url: string, authorization: string, payloadFile: string): string[] {
  return ['-n', String(requests), '-c', '4', '-m', '100', '-t', '1', '-d', payloadFile, '-H', `apns-topic: ${topic}`, '-H', `authorization: ${authorization}`, '-H', 'content-type: application/json', `${url}/3/device/${token}`];
}

function runH2load(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(h2loadBin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
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

async function mockTarget(name: string, extraArgs: readonly string[]): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-h2load-'));
  const child = await startChild('cli/bin.js', ['mock', 'apns', '--credentials-dir', dir, ...extraArgs]);
  const info = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8')) as { keyId: string; teamId: string; keyFile: string };
  const key = await importPKCS8(await readFile(info.keyFile, 'utf8'), 'ES256');
  const jwt = await new SignJWT({ iss: info.teamId, iat: Math.floor(Date.now() / 1000) }).setProtectedHeader({ alg: 'ES256', kid: info.keyId }).sign(key);
  return { name, child, authorization: `bearer ${jwt}`, results: [] };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-h2load-'));
  const payloadFile = join(dir, 'payload.json');
  await writeFile(payloadFile, payload);
  const targets: Target[] = [];
  try {
    targets.push({ name: 'bare node:http2', child: await startChild('bench/servers/bare-h2.js'), authorization: 'bearer unused', results: [] });
    targets.push(await mockTarget('mock APNs, validated', []));
    targets.push(await mockTarget('mock APNs, accept-all', ['--accept-all']));
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        const cpu0 = await childCpuMicros(target.child.process.pid);
        const { seconds, ok } = parse(await runH2load(h2loadArgs(target.child.url, target.authorization, payloadFile)));
        const cpu1 = await childCpuMicros(target.child.process.pid);
        target.results.push({ perSecond: ok / seconds, cpuMicrosPerRequest: cpu0 === undefined || cpu1 === undefined ? undefined : (cpu1 - cpu0) / ok });
      }
    }
    console.log(`h2load ${h2loadArgs('http://127.0.0.1:PORT', 'bearer <valid ES256 JWT>', 'payload.json').map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`);
    console.log(`payload ${payload.length} bytes; ${rounds} interleaved rounds; medians:`);
    const bare = median(targets[0]?.results.map((r) => r.perSecond) ?? []);
    for (const target of targets) {
      const perSecond = median(target.results.map((r) => r.perSecond));
      const cpu = target.results.map((r) => r.cpuMicrosPerRequest).filter((c): c is number => c !== undefined);
      const cpuText = cpu.length === 0 ? '' : `  ${median(cpu).toFixed(1).padStart(5)} µs server CPU/request`;
      const all = target.results.map((r) => r.perSecond.toFixed(0)).join(', ');
      console.log(`${target.name.padEnd(24)} ${perSecond.toFixed(0).padStart(7)} req/s  ${(perSecond / bare).toFixed(2)} × bare${cpuText}  (rounds: ${all})`);
    }
  } finally {
    await Promise.all(targets.map((target) => target.child.stop()));
  }
}

await main();
